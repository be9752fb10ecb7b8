/**
 * Language features of `bnlab` experiment cells: completions, hovers, squiggles as you type and quick
 * fixes, all from the experiment catalog (src/experiments/cell-language.ts holds the logic). They run no
 * code, so they work in Restricted Mode too.
 */
import * as vscode from 'vscode';
import { catalog } from '../../experiments/catalog';
import { ExperimentCellLanguage, type CellCompletion } from '../../experiments/cell-language';
import { EXPERIMENT_LANGUAGE } from '../../kernel/experiment-cell';
import { NOTEBOOK_TYPE } from '../constants';

/** Experiment cells of the lab's notebooks (and an untitled bnlab document, for a quick look). */
export const EXPERIMENT_CELLS: vscode.DocumentSelector = [{ language: EXPERIMENT_LANGUAGE, notebookType: NOTEBOOK_TYPE }, { language: EXPERIMENT_LANGUAGE, scheme: 'untitled' }];

export const DIAGNOSTIC_SOURCE = 'bnlab';

/** As-you-type checks wait this long after the last keystroke. */
const CHECK_DELAY_MS = 150;

const COMPLETION_KINDS: Record<CellCompletion['kind'], vscode.CompletionItemKind> = {
  experiment: vscode.CompletionItemKind.Module,
  key: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.Value,
};

export function registerExperimentCellLanguage(): vscode.Disposable[] {
  const language = new ExperimentCellLanguage(catalog);
  const diagnostics = vscode.languages.createDiagnosticCollection('bnlab-experiment-cells');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const check = (document: vscode.TextDocument) => {
    if (document.languageId !== EXPERIMENT_LANGUAGE) {
      diagnostics.delete(document.uri);
      return;
    }
    const source = document.getText();
    diagnostics.set(
      document.uri,
      language.check(source).problems.map((problem) => {
        const diagnostic = new vscode.Diagnostic(rangeOf(document, problem.start, problem.end), problem.problem, vscode.DiagnosticSeverity.Error);
        diagnostic.source = DIAGNOSTIC_SOURCE;
        return diagnostic;
      }),
    );
  };
  const checkSoon = (document: vscode.TextDocument) => {
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => { timers.delete(key); check(document); }, CHECK_DELAY_MS));
  };
  vscode.workspace.textDocuments.forEach(check);

  return [
    diagnostics,
    { dispose: () => timers.forEach((timer) => clearTimeout(timer)) },
    vscode.workspace.onDidOpenTextDocument(check),
    vscode.workspace.onDidChangeTextDocument((event) => checkSoon(event.document)),
    vscode.workspace.onDidCloseTextDocument((document) => diagnostics.delete(document.uri)),

    vscode.languages.registerCompletionItemProvider(
      EXPERIMENT_CELLS,
      {
        provideCompletionItems(document, position) {
          return language.completions(document.getText(), document.offsetAt(position)).map((completion) => {
            const item = new vscode.CompletionItem(completion.label, COMPLETION_KINDS[completion.kind]);
            item.detail = completion.detail;
            item.documentation = new vscode.MarkdownString(completion.documentation);
            item.insertText = new vscode.SnippetString(completion.insertText);
            item.range = rangeOf(document, completion.start, completion.end);
            return item;
          });
        },
      },
      ':',
      ' ',
    ),

    vscode.languages.registerHoverProvider(EXPERIMENT_CELLS, {
      provideHover(document, position) {
        const hover = language.hover(document.getText(), document.offsetAt(position));
        return hover ? new vscode.Hover(new vscode.MarkdownString(hover.markdown), rangeOf(document, hover.start, hover.end)) : undefined;
      },
    }),

    vscode.languages.registerCodeActionsProvider(
      EXPERIMENT_CELLS,
      {
        provideCodeActions(document) {
          const cellDiagnostics = diagnostics.get(document.uri) ?? [];
          return language.fixes(document.getText()).map((fix) => {
            const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
            action.edit = new vscode.WorkspaceEdit();
            action.edit.replace(document.uri, rangeOf(document, fix.edit.start, fix.edit.end), fix.edit.text);
            action.isPreferred = fix.preferred;
            if (fix.fixes) action.diagnostics = cellDiagnostics.filter((d) => d.message === fix.fixes!.problem);
            return action;
          });
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  ];
}

function rangeOf(document: vscode.TextDocument, start: number, end: number): vscode.Range {
  return new vscode.Range(document.positionAt(start), document.positionAt(end));
}
