// Writing cells in the real VS Code: TypeScript cells get VS Code's TypeScript features with the kernel's
// scope (through the lab's TypeScript server plugin); experiment cells get the catalog's completions,
// hovers, squiggles and quick fixes; a failed run leaves its error on the cell.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, closeAllWithoutSaving, codeCells, openCells, runAll, waitFor } from './helpers';
import { screenshot } from './index';

const TS_READY_MS = 60_000;

/** Puts the cursor in a cell's editor, for what a person sees (the README's screenshots). */
async function editCell(editor: vscode.NotebookEditor, cell: vscode.NotebookCell, position: vscode.Position): Promise<vscode.TextEditor> {
  editor.selections = [new vscode.NotebookRange(cell.index, cell.index + 1)];
  await vscode.commands.executeCommand('notebook.cell.edit');
  const textEditor = await waitFor('the cell editor', () => vscode.window.visibleTextEditors.find((e) => e.document === cell.document), 5_000);
  textEditor.selection = new vscode.Selection(position, position);
  return textEditor;
}

async function completions(document: vscode.TextDocument, position: vscode.Position): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position);
  return list.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
}

async function hoverText(document: vscode.TextDocument, position: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
  return hovers.flatMap((hover) => hover.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

function diagnosticsOf(cell: vscode.NotebookCell): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(cell.document.uri);
}

suite('cell language features', () => {
  suiteSetup(async () => {
    await api();
  });
  teardown(async () => {
    await closeAllWithoutSaving();
  });

  test('TypeScript cells: completions, hover, definition and type errors, with earlier cells in scope', async () => {
    const editor = await openCells('language-ts.bnnb', [
      ['typescript', 'const bn = new nn.BatchNorm1d(4);\nconst n: number = "text";\nundefinedFunction(n);'],
      ['typescript', 'bn.'],
      ['typescript', 'nn.'],
    ]);
    const [first, second, third] = codeCells(editor);
    // The TypeScript server starts, the plugin learns the cells: the first diagnostics say both are done.
    const found = await waitFor('type errors on the first cell', () => (diagnosticsOf(first!).length >= 2 ? diagnosticsOf(first!) : undefined), TS_READY_MS);
    const messages = found.map((d) => [d.message, d.range.start.line, d.source]);
    assert.deepEqual(messages, [["Type 'string' is not assignable to type 'number'.", 1, 'ts'], ["Cannot find name 'undefinedFunction'.", 2, 'ts']]);

    const nnMembers = await completions(third!.document, new vscode.Position(0, 3));
    for (const name of ['BatchNorm1d', 'LayerNorm', 'GroupNorm', 'Linear']) assert.ok(nnMembers.includes(name), `${name} in ${nnMembers.join(', ')}`);

    await editCell(editor, third!, new vscode.Position(0, 3));
    await vscode.commands.executeCommand('editor.action.triggerSuggest');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await screenshot('language-typescript-completion');
    await vscode.commands.executeCommand('hideSuggestWidget');

    const bnMembers = await completions(second!.document, new vscode.Position(0, 3));
    for (const name of ['runningMean', 'runningVar', 'weight', 'forward', 'eval']) assert.ok(bnMembers.includes(name), `bn.${name} completes in a later cell: ${bnMembers.join(', ')}`);

    const hover = await hoverText(first!.document, new vscode.Position(0, 20));
    assert.match(hover, /BatchNorm1d\(numFeatures: number/);
    assert.match(hover, /Like torch\.nn\.BatchNorm1d/, 'the hover shows the engine\'s doc comment');

    const definitions = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', first!.document.uri, new vscode.Position(0, 20));
    const targets = definitions.map((d) => ('targetUri' in d ? d.targetUri : d.uri).path);
    assert.ok(targets.some((p) => p.endsWith('/dist/types/engine/nn/batchnorm.d.ts')), targets.join(', '));
    const fromEarlier = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', second!.document.uri, new vscode.Position(0, 1));
    assert.deepEqual(fromEarlier.map((d) => ('targetUri' in d ? d.targetUri : d.uri).toString()), [first!.document.uri.toString()]);

    // Fixing the error clears its squiggle; an import gets the kernel's message.
    const edit = new vscode.WorkspaceEdit();
    edit.replace(first!.document.uri, new vscode.Range(1, 0, 2, 21), 'const n: number = 1;\nimport { x } from "y";');
    await vscode.workspace.applyEdit(edit);
    const after = await waitFor('the squiggles to follow the edit', () => {
      const now = diagnosticsOf(first!).map((d) => d.message);
      return now.some((m) => m.startsWith('import and export are not available')) && !now.some((m) => m.includes('undefinedFunction')) ? now : undefined;
    }, 20_000);
    assert.ok(!after.some((m) => m.includes("Type 'string'")), after.join(' | '));
  });

  test('experiment cells: squiggle with the run\'s words, a quick fix, key completion of the chosen experiment only', async () => {
    const editor = await openCells('language-bnlab.bnnb', [['bnlab', 'experiment: normalize-features\nbatchSzie: 32\n']]);
    const [cell] = codeCells(editor);
    const [diagnostic] = await waitFor('the squiggle on batchSzie', () => (diagnosticsOf(cell!).length > 0 ? diagnosticsOf(cell!) : undefined), 10_000);
    assert.match(diagnostic!.message, /^Unknown parameter "batchSzie" for normalize-features\. Did you mean "batchSize"\?/);
    assert.deepEqual([diagnostic!.range.start.line, diagnostic!.range.start.character, diagnostic!.range.end.character], [1, 0, 9]);
    await editCell(editor, cell!, new vscode.Position(1, 4));
    await vscode.commands.executeCommand('editor.action.showHover');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await screenshot('language-experiment-squiggle');

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', cell!.document.uri, diagnostic!.range);
    const fix = actions.find((a) => a.title === 'Change to "batchSize"');
    assert.ok(fix?.edit, actions.map((a) => a.title).join(', '));
    await vscode.workspace.applyEdit(fix.edit);
    assert.equal(cell!.document.getText(), 'experiment: normalize-features\nbatchSize: 32\n');
    await waitFor('the squiggle to go', () => diagnosticsOf(cell!).length === 0, 10_000);

    const keys = await completions(cell!.document, new vscode.Position(2, 0));
    assert.deepEqual(keys.sort(), ['eps', 'features', 'seed'], 'only normalize-features\' parameters not yet written');
    const hover = await hoverText(cell!.document, new vscode.Position(1, 2));
    assert.match(hover, /\*\*batchSize\*\*: .*Must be an integer from 2 to 65536\. Default: `256`/s);
  });

  test('a new empty code cell takes the language of the code cell above it', async () => {
    const editor = await openCells('language-new-cell.bnnb', [['bnlab', 'experiment: normalize-features'], ['typescript', 'const a = 1;'], ['bnlab', 'experiment: normalize-features']]);
    // What "+ Code" between cells 2 and 3 inserts (VS Code takes the language of the cell below).
    const edit = new vscode.WorkspaceEdit();
    edit.set(editor.notebook.uri, [vscode.NotebookEdit.insertCells(2, [new vscode.NotebookCellData(vscode.NotebookCellKind.Code, '', 'bnlab')])]);
    await vscode.workspace.applyEdit(edit);
    await waitFor('the new cell to become TypeScript', () => editor.notebook.cellAt(2).document.languageId === 'typescript', 5_000);
    // A cell with text keeps its language (a paste, an undo).
    const paste = new vscode.WorkspaceEdit();
    paste.set(editor.notebook.uri, [vscode.NotebookEdit.insertCells(3, [new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'experiment: batch-size', 'bnlab')])]);
    await vscode.workspace.applyEdit(paste);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(editor.notebook.cellAt(3).document.languageId, 'bnlab');
  });

  test('a failed run shows its error as a diagnostic on the line it names', async () => {
    const editor = await openCells('language-run-error.bnnb', [['typescript', 'const a = 1;\nthrow new RangeError("bad value " + a);']]);
    await runAll(editor);
    const [cell] = codeCells(editor);
    assert.equal(cell!.executionSummary?.success, false);
    const diagnostic = await waitFor('the run error on the cell', () => diagnosticsOf(cell!).find((d) => d.source === 'bnlab run'), 10_000);
    assert.match(diagnostic.message, /^RangeError: bad value 1/);
    assert.equal(diagnostic.range.start.line, 1);
  });
});
