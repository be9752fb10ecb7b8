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
});
