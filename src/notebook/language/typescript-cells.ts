/**
 * TypeScript cells get VS Code's own TypeScript features (completions, hover, signature help, go to
 * definition), taught the kernel's scope by the lab's TypeScript server plugin (src/ts-plugin/). This
 * side tells the plugin each notebook's TypeScript cells in order, and shows the semantic diagnostics
 * (type errors, unknown names), which VS Code's TypeScript client does not show for notebook cells.
 */
import * as vscode from 'vscode';
import { TYPESCRIPT_LANGUAGE } from '../../kernel/cell-runner';
import { CELL_ORDER_COMMAND, MODULE_SYNTAX_CODE, type CellOrderArguments } from '../../shared/ts-plugin-protocol';
import { NOTEBOOK_TYPE } from '../constants';

const TS_EXTENSION = 'vscode.typescript-language-features';
/** Diagnostics follow typing after this pause (the server answers in tens of milliseconds). */
const DIAGNOSTICS_DELAY_MS = 300;

interface ServerDiagnostic {
  start: { line: number; offset: number };
  end: { line: number; offset: number };
  text: string;
  code?: number;
  category: string;
  reportsUnnecessary?: unknown;
  reportsDeprecated?: unknown;
}

export function registerTypeScriptCells(): vscode.Disposable[] {
  const diagnostics = vscode.languages.createDiagnosticCollection('bnlab-typescript-cells');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  let disposed = false;

  const tsCells = (notebook: vscode.NotebookDocument) =>
    notebook.getCells().filter((cell) => cell.kind === vscode.NotebookCellKind.Code && cell.document.languageId === TYPESCRIPT_LANGUAGE);

  const request = async <T>(command: string, args: object): Promise<T | undefined> => {
    const extension = vscode.extensions.getExtension(TS_EXTENSION);
    if (!extension) return undefined;
    if (!extension.isActive) await extension.activate();
    return vscode.commands.executeCommand<T>('typescript.tsserverRequest', command, args);
  };

  /**
   * Sends the notebook's cell order, then refreshes the diagnostics of its cells. The order goes every
   * time (the plugin ignores an unchanged one): a restarted TypeScript server has forgotten it.
   */
  const refresh = async (notebook: vscode.NotebookDocument) => {
    const cells = tsCells(notebook);
    const key = notebook.uri.toString();
    for (const [index, cell] of cells.entries()) {
      const args: Omit<CellOrderArguments, 'file'> & { file: vscode.Uri } = { file: cell.document.uri, notebook: key, index, count: cells.length };
      await request(CELL_ORDER_COMMAND, args);
    }
    for (const cell of cells) {
      if (disposed || cell.document.isClosed) return;
      const response = await request<{ body?: ServerDiagnostic[] }>('semanticDiagnosticsSync', { file: cell.document.uri });
      diagnostics.set(cell.document.uri, (response?.body ?? []).map(toDiagnostic));
    }
  };
  const refreshSoon = (notebook: vscode.NotebookDocument) => {
    if (notebook.notebookType !== NOTEBOOK_TYPE) return;
    const key = notebook.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      refresh(notebook).catch((error: unknown) => console.warn(`BatchNorm Lab: TypeScript cell diagnostics failed: ${String(error)}`));
    }, DIAGNOSTICS_DELAY_MS));
  };
  const notebookOf = (document: vscode.TextDocument) =>
    vscode.workspace.notebookDocuments.find((notebook) => notebook.notebookType === NOTEBOOK_TYPE && notebook.getCells().some((cell) => cell.document === document));

  vscode.workspace.notebookDocuments.forEach(refreshSoon);
  return [
    diagnostics,
    { dispose: () => { disposed = true; timers.forEach((timer) => clearTimeout(timer)); } },
    vscode.workspace.onDidOpenNotebookDocument(refreshSoon),
    vscode.workspace.onDidChangeNotebookDocument((event) => refreshSoon(event.notebook)),
    vscode.workspace.onDidCloseNotebookDocument((notebook) => {
      for (const cell of notebook.getCells()) diagnostics.delete(cell.document.uri);
    }),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length === 0 || event.document.uri.scheme !== 'vscode-notebook-cell') return;
      const notebook = notebookOf(event.document);
      if (notebook) refreshSoon(notebook);
    }),
    vscode.workspace.onDidOpenTextDocument((document) => {
      // A cell whose language changed to TypeScript is reopened under its new language.
      const notebook = document.uri.scheme === 'vscode-notebook-cell' ? notebookOf(document) : undefined;
      if (notebook) refreshSoon(notebook);
      else diagnostics.delete(document.uri);
    }),
  ];
}

function toDiagnostic(d: ServerDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(d.start.line - 1, d.start.offset - 1, d.end.line - 1, d.end.offset - 1);
  const severity = d.category === 'error' ? vscode.DiagnosticSeverity.Error : d.category === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const diagnostic = new vscode.Diagnostic(range, d.text, severity);
  diagnostic.source = d.code === MODULE_SYNTAX_CODE ? 'bnlab' : 'ts';
  if (d.code !== undefined) diagnostic.code = d.code;
  return diagnostic;
}
