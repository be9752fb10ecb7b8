// Restricted Mode (an untrusted workspace): experiment cells run, TypeScript cells are refused with a reason.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import * as path from 'node:path';
import { api, codeCells, errorOf, itemsOf, waitFor, workspace } from './helpers';
import { writeFileSync } from 'node:fs';
import { screenshot } from './index';

suite('Restricted Mode', () => {
  test('the workspace is untrusted and the extension is active in it', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the runner opens the folder untrusted');
    const extension = vscode.extensions.getExtension('bnlab.batchnorm-lab');
    await extension!.activate();
    assert.equal(extension!.isActive, true);
  });

  test('experiment cells run; TypeScript cells do not, and say how to trust the folder', async () => {
    // VS Code's own Run asks for workspace trust first (a modal); the lab's Run Experiments button does not.
    const file = path.join(workspace, 'restricted.bnnb');
    const cells = [
      { kind: 'code', language: 'bnlab', source: 'experiment: normalize-features\nbatchSize: 32' },
      { kind: 'code', language: 'typescript', source: 'console.log("code")' },
    ];
    writeFileSync(file, JSON.stringify({ format: 'bnnb', version: 1, cells }));
    const editor = await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(vscode.Uri.file(file)));
    await vscode.commands.executeCommand('bnlab.runExperimentCells');
    await waitFor('both cells to be run', () => codeCells(editor).every((cell) => cell.executionSummary?.timing?.endTime !== undefined), 30_000);
    const { rendererReports } = await api();
    await waitFor('the plot to be drawn', () => rendererReports.received.some((r) => r.type === 'rendered'), 20_000);
    await screenshot('restricted-mode');
    const [experiment, code] = codeCells(editor);
    assert.equal(experiment!.executionSummary?.success, true);
    assert.deepEqual(itemsOf(experiment!).map((item) => item.mime), ['application/vnd.bnlab.plot+json', 'text/markdown', 'text/markdown']);
    assert.equal(code!.executionSummary?.success, false, 'the TypeScript cell is not run');
    const error = errorOf(code!);
    assert.equal(error.name, 'RestrictedMode');
    assert.match(error.message, /Restricted Mode.*Manage Workspace Trust/);
  });

  test('experiment cells get their squiggles, completions and quick fixes (they run no code)', async () => {
    const file = path.join(workspace, 'restricted-language.bnnb');
    writeFileSync(file, JSON.stringify({ format: 'bnnb', version: 1, cells: [{ kind: 'code', language: 'bnlab', source: 'experiment: batch-size\nminBatch: 1\n' }] }));
    const editor = await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(vscode.Uri.file(file)));
    const [cell] = codeCells(editor);
    const [diagnostic] = await waitFor('the squiggle on minBatch', () => { const d = vscode.languages.getDiagnostics(cell!.document.uri); return d.length > 0 ? d : undefined; }, 10_000);
    assert.match(diagnostic!.message, /^"minBatch" must be an integer from 2 to 256; got 1/);
    assert.equal(diagnostic!.range.start.line, 1);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', cell!.document.uri, new vscode.Position(2, 0));
    const labels = list.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
    assert.ok(labels.includes('maxBatch') && labels.includes('baseLr'), labels.join(', '));
    assert.ok(!labels.includes('minBatch'), 'a key already written is not offered');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', cell!.document.uri, new vscode.Range(0, 0, 0, 1));
    assert.ok(actions.some((a) => a.title.startsWith('Add the')), actions.map((a) => a.title).join(', '));
  });

  test('a knob on an experiment plot edits the cell and re-runs it without asking for trust', async () => {
    const file = path.join(workspace, 'restricted-knob.bnnb');
    writeFileSync(file, JSON.stringify({ format: 'bnnb', version: 1, cells: [{ kind: 'code', language: 'bnlab', source: 'experiment: normalize-features\nbatchSize: 32 # small\n' }] }));
    const editor = await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(vscode.Uri.file(file)));
    const [cell] = codeCells(editor);
    await vscode.commands.executeCommand('bnlab.runExperimentCells');
    await waitFor('the cell to run', () => cell!.executionSummary?.timing?.endTime !== undefined, 30_000);
    const { knobs, rendererReports } = await api();
    const outputId = (cell!.outputs[0] as { id?: string }).id;
    await waitFor('the plot to be drawn', () => rendererReports.received.some((r) => r.outputId === outputId && r.type === 'rendered'), 20_000);
    const ranBefore = cell!.executionSummary?.timing?.endTime ?? 0;
    assert.ok(await knobs.drive(editor, 'batchSize', 64, outputId));
    await waitFor('the cell to say batchSize: 64', () => cell!.document.getText() === 'experiment: normalize-features\nbatchSize: 64 # small\n', 10_000);
    await waitFor('the cell to run again', () => (cell!.executionSummary?.timing?.endTime ?? 0) > ranBefore, 20_000);
    assert.equal(cell!.executionSummary?.success, true);
    const plot = JSON.parse(Buffer.from(itemsOf(cell!)[0]!.data).toString()) as { knobs?: { key: string; value: unknown }[] };
    assert.equal(plot.knobs?.find((k) => k.key === 'batchSize')?.value, 64);
  });
});
