// Command-palette commands in a real VS Code. Quick picks and dialogs are answered by stubbing
// vscode.window, which the extension shares with its tests.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAllWithoutSaving, codeCells, itemsOf, openAndShow, runAll, waitFor, workspace } from './helpers';

type Window = typeof vscode.window;
const originals: Partial<Record<keyof Window, unknown>> = {};

/** Replaces a vscode.window function for one test. */
function stub<K extends keyof Window>(name: K, replacement: Window[K]): void {
  originals[name] ??= vscode.window[name];
  (vscode.window as unknown as Record<string, unknown>)[name] = replacement;
}

suite('commands', () => {
  suiteSetup(async () => {
    await api();
  });

  teardown(async () => {
    for (const [name, original] of Object.entries(originals)) (vscode.window as unknown as Record<string, unknown>)[name] = original;
    await closeAllWithoutSaving();
  });

  test('the commands are contributed under the "BatchNorm Lab" category', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['bnlab.newNotebook', 'bnlab.openSample', 'bnlab.runExperiment', 'bnlab.exportReport', 'bnlab.restartKernel', 'bnlab.runExperimentCells']) {
      assert.ok(commands.includes(id), `${id} is registered`);
    }
    const manifest = vscode.extensions.getExtension('bnlab.batchnorm-lab')!.packageJSON as { contributes: { commands: { category: string }[] } };
    assert.ok(manifest.contributes.commands.every((command) => command.category === 'BatchNorm Lab'));
  });

  test('Run Experiment… picks an experiment, changes a parameter, opens a notebook and runs it', async () => {
    const answers: string[] = [];
    stub('showQuickPick', (async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => {
      const list = await items;
      const step = answers.length;
      // 1: the experiment; 2: the batchSize parameter; 3: Run.
      const wanted = step === 0 ? list.find((i) => i.description === 'normalize-features') : step === 1 ? list.find((i) => i.label.startsWith('batchSize:')) : list.find((i) => i.label.includes('Run'));
      answers.push(wanted?.label ?? '(none)');
      return wanted;
    }) as unknown as Window['showQuickPick']);
    let validation: unknown;
    stub('showInputBox', (async (options?: vscode.InputBoxOptions) => {
      validation = options?.validateInput?.('1');
      return '64';
    }) as Window['showInputBox']);

    await vscode.commands.executeCommand('bnlab.runExperiment');
    assert.match(String(await (validation as Promise<unknown>)), /Must be an integer from 2 to 65536; got 1/, 'the input box checks values as a cell would');
    const editor = await waitFor('the new notebook', () => vscode.window.activeNotebookEditor);
    const [cell] = codeCells(editor);
    assert.match(cell!.document.getText(), /^experiment: normalize-features\n(.*\n)*batchSize: 64$/m);
    await waitFor('the cell to run', () => cell!.executionSummary?.success === true, 30_000);
    assert.equal(itemsOf(cell!)[0]!.mime, 'application/vnd.bnlab.plot+json');
    assert.deepEqual(answers.slice(0, 2), ['What BatchNorm does to features on different scales', 'batchSize: 256']);
  });

  test("Open Sample… opens the user's own copy of a sample, with its saved plots", async () => {
    stub('showQuickPick', (async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => (await items).find((i) => i.description === '01-what-batchnorm-does.bnnb')) as unknown as Window['showQuickPick']);
    await vscode.commands.executeCommand('bnlab.openSample');
    const editor = await waitFor('the sample', () => vscode.window.activeNotebookEditor);
    const extensionDir = vscode.extensions.getExtension('bnlab.batchnorm-lab')!.extensionUri.fsPath;
    assert.ok(!editor.notebook.uri.fsPath.startsWith(extensionDir), `a copy, not the shipped file: ${editor.notebook.uri.fsPath}`);
    assert.equal(path.basename(editor.notebook.uri.fsPath), '01-what-batchnorm-does.bnnb');
    const cell = codeCells(editor).find((c) => c.document.getText().includes('experiment: normalize-features'));
    assert.ok(cell && cell.outputs.length > 0, 'the sample opens with its outputs');
  });

  test("Open Sample… copies the files a sample's cells read (sample 11's metrics), so its comparison cell runs", async function () {
    this.timeout(120_000);
    stub('showQuickPick', (async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => (await items).find((i) => i.description === '11-take-it-to-pytorch.bnnb')) as unknown as Window['showQuickPick']);
    await vscode.commands.executeCommand('bnlab.openSample');
    const editor = await waitFor('the sample', () => (vscode.window.activeNotebookEditor?.notebook.uri.fsPath.endsWith('11-take-it-to-pytorch.bnnb') ? vscode.window.activeNotebookEditor : undefined), 60_000);
    const folder = path.join(path.dirname(editor.notebook.uri.fsPath), '11-take-it-to-pytorch');
    assert.ok(existsSync(path.join(folder, 'ics.engine.json')) && existsSync(path.join(folder, 'ics.pytorch-2proc-syncbn.json')), `the metrics files are copied next to the notebook: ${folder}`);
    const cell = codeCells(editor).find((c) => c.document.getText().includes('experiment: pytorch-comparison'))!;
    const saved = cell.executionSummary?.timing?.endTime ?? 0; // the run saved with the sample
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: cell.index, end: cell.index + 1 }], document: editor.notebook.uri });
    await waitFor('the comparison cell to run again', () => (cell.executionSummary?.timing?.endTime ?? 0) > saved, 60_000);
    assert.equal(cell.executionSummary?.success, true, itemsOf(cell).map((item) => new TextDecoder().decode(item.data)).join(' | '));
    assert.equal(itemsOf(cell)[0]!.mime, 'application/vnd.bnlab.plot+json');
  });

  test('Export Report as HTML writes a self-contained report of the notebook as shown', async () => {
    const editor = await openAndShow(path.join(workspace, 'samples', '01-what-batchnorm-does.bnnb'));
    await runAll(editor);
    const target = path.join(workspace, 'exported-report.html');
    stub('showSaveDialog', (async () => vscode.Uri.file(target)) as Window['showSaveDialog']);
    stub('showInformationMessage', (async () => undefined) as Window['showInformationMessage']);
    await vscode.commands.executeCommand('bnlab.exportReport');
    await waitFor('the report', () => existsSync(target), 10_000);
    const html = readFileSync(target, 'utf8');
    assert.ok(html.includes('<div class="plot" data-cell="2"><script type="application/json">{"version":1'), 'the plot payload is in the report');
    assert.ok(html.includes('What batch normalization does'));
  });
});
