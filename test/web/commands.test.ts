// The commands in the web worker extension host: New Notebook, Open Sample, Run Experiment, Export Report
// as HTML, save, and Export to PyTorch's message. Quick picks and dialogs are answered by stubbing vscode.window.
import * as vscode from 'vscode';
import * as assert from './assert';
import { closeAllWithoutSaving, codeCells, folder, itemsOf, openCells, outputText, PLOT_MIME, restoreStubs, runAll, stub, waitFor } from './helpers';

type Window = typeof vscode.window;

suite('web commands', () => {
  teardown(async () => {
    restoreStubs();
    await closeAllWithoutSaving();
  });

  test('New Notebook opens an untitled lab notebook whose starter cell runs', async () => {
    await vscode.commands.executeCommand('bnlab.newNotebook');
    const editor = await waitFor('the new notebook', () => vscode.window.activeNotebookEditor);
    assert.equal(editor.notebook.notebookType, 'bnlab-notebook');
    await vscode.commands.executeCommand('notebook.selectKernel', { id: 'bnlab-kernel', extension: 'bnlab.batchnorm-lab' });
    await runAll(editor);
    const [cell] = codeCells(editor);
    assert.equal(cell!.executionSummary?.success, true, outputText(cell!));
    assert.equal(itemsOf(cell!)[0]!.mime, PLOT_MIME);
  });

  test('Run Experiment… opens a notebook with the picked experiment and runs it', async () => {
    let step = 0;
    stub('showQuickPick', (async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => {
      const list = await items;
      const wanted = step++ === 0 ? list.find((i) => i.description === 'normalize-features') : list.find((i) => i.label.includes('Run'));
      return wanted;
    }) as unknown as Window['showQuickPick']);
    await vscode.commands.executeCommand('bnlab.runExperiment');
    const editor = await waitFor('the new notebook', () => vscode.window.activeNotebookEditor);
    const [cell] = codeCells(editor);
    assert.match(cell!.document.getText(), /^experiment: normalize-features$/m);
    await waitFor('the cell to run', () => cell!.executionSummary?.success === true, 60_000);
    assert.equal(itemsOf(cell!)[0]!.mime, PLOT_MIME);
  });

  test('Open Sample… copies the sample (and its files) to the extension storage and opens it', async () => {
    stub('showQuickPick', (async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => (await items).find((i) => i.description === '11-take-it-to-pytorch.bnnb')) as unknown as Window['showQuickPick']);
    await vscode.commands.executeCommand('bnlab.openSample');
    const editor = await waitFor('the sample', () => vscode.window.activeNotebookEditor?.notebook.uri.path.endsWith('/samples/11-take-it-to-pytorch.bnnb') && vscode.window.activeNotebookEditor);
    const files = await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(editor.notebook.uri, '..', '11-take-it-to-pytorch'));
    assert.ok(files.length > 0, 'the files its cells read were copied beside it');
    await vscode.commands.executeCommand('notebook.selectKernel', { id: 'bnlab-kernel', extension: 'bnlab.batchnorm-lab' });
    await runAll(editor, 120_000);
    for (const cell of codeCells(editor)) assert.equal(cell.executionSummary?.success, true, `cell ${cell.index + 1}: ${outputText(cell)}`);
  });

  test('Export Report as HTML writes one self-contained page through workspace.fs', async () => {
    const editor = await openCells('web-report.bnnb', [['bnlab', 'experiment: normalize-features\nbatchSize: 128\nseed: 0']]);
    await runAll(editor);
    const target = vscode.Uri.joinPath(folder(), 'web-report.html');
    let suggested: vscode.Uri | undefined;
    stub('showSaveDialog', (async (options?: vscode.SaveDialogOptions) => {
      suggested = options?.defaultUri;
      return target;
    }) as Window['showSaveDialog']);
    stub('showInformationMessage', (async () => undefined) as Window['showInformationMessage']);
    await vscode.commands.executeCommand('bnlab.exportReport');
    assert.equal(suggested?.toString(), target.toString(), 'the report is suggested beside the notebook');
    const html = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<title>web-report\.bnnb<\/title>/);
    assert.match(html, /application\/vnd\.bnlab\.plot\+json|class="plot/);
    assert.ok(html.length > 1_000_000, `plotly is inlined (${html.length} bytes)`);
  });

  test('a notebook is saved as .bnnb with its outputs', async () => {
    const editor = await openCells('web-save.bnnb', [['typescript', '6 * 7']]);
    await runAll(editor);
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor('the save', () => !editor.notebook.isDirty, 10_000);
    const saved = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(editor.notebook.uri))) as { cells: { outputs: { items: { data: unknown }[] }[] }[] };
    assert.equal(saved.cells[0]!.outputs[0]!.items[0]!.data, '42');
  });

  test('Export to PyTorch says why it is not available in the browser', async () => {
    let message = '';
    stub('showErrorMessage', (async (text: string) => {
      message = text;
      return undefined;
    }) as Window['showErrorMessage']);
    await vscode.commands.executeCommand('bnlab.exportToPyTorch');
    assert.match(message, /not available in the browser.*Python/);
  });
});
