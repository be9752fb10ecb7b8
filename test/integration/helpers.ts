// What the integration suites share: opening notebooks, running cells, waiting for VS Code.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BnlabApi } from '../../src/extension';

export const ERROR_MIME = 'application/vnd.code.notebook.error';
export const workspace = process.env.BNLAB_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

export async function api(): Promise<BnlabApi> {
  const extension = vscode.extensions.getExtension<BnlabApi>('bnlab.batchnorm-lab');
  assert.ok(extension, 'the extension is installed');
  return extension.activate();
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function openAndShow(file: string): Promise<vscode.NotebookEditor> {
  // vscode.openWith rather than window.showNotebookDocument: in this host the latter sometimes waits 30 s
  // for an editor that is already shown (after a notebook from outside the workspace was closed).
  const uri = vscode.Uri.file(file);
  await vscode.commands.executeCommand('vscode.openWith', uri, 'bnlab-notebook');
  const editor = await waitFor(`the notebook editor of ${file}`, () => vscode.window.visibleNotebookEditors.find((e) => e.notebook.uri.toString() === uri.toString()), 10_000);
  await vscode.commands.executeCommand('notebook.selectKernel', { id: 'bnlab-kernel', extension: 'bnlab.batchnorm-lab' });
  return editor;
}

/** Writes a notebook with the given code cells (language, lines) into the test workspace and opens it. */
export async function openCells(name: string, cells: [language: string, source: string][]): Promise<vscode.NotebookEditor> {
  const file = path.join(workspace, name);
  writeFileSync(file, JSON.stringify({ format: 'bnnb', version: 1, cells: cells.map(([language, source]) => ({ kind: 'code', language, source })) }));
  return openAndShow(file);
}

export function codeCells(editor: vscode.NotebookEditor): vscode.NotebookCell[] {
  return editor.notebook.getCells().filter((cell) => cell.kind === vscode.NotebookCellKind.Code);
}

/** Runs all cells and waits until this run has finished every code cell, or one of them has failed. */
export async function runAll(editor: vscode.NotebookEditor): Promise<void> {
  const cells = codeCells(editor);
  const startedAt = Date.now();
  const ranNow = (cell: vscode.NotebookCell) => (cell.executionSummary?.timing?.startTime ?? 0) >= startedAt && cell.executionSummary?.timing?.endTime !== undefined;
  await vscode.commands.executeCommand('notebook.execute', editor.notebook.uri);
  await waitFor('every code cell to finish, or one to fail', () => cells.every(ranNow) || cells.some((cell) => ranNow(cell) && cell.executionSummary?.success === false));
}

export function itemsOf(cell: vscode.NotebookCell): vscode.NotebookCellOutputItem[] {
  return cell.outputs.flatMap((output) => output.items);
}

export function textOf(item: vscode.NotebookCellOutputItem): string {
  return Buffer.from(item.data).toString();
}

export function errorOf(cell: vscode.NotebookCell): { name: string; message: string; stack: string } {
  const item = itemsOf(cell).find((i) => i.mime === ERROR_MIME);
  assert.ok(item, `cell ${cell.index + 1} has an error output: ${itemsOf(cell).map(textOf).join(' | ')}`);
  return JSON.parse(textOf(item)) as { name: string; message: string; stack: string };
}

/**
 * Closes every editor without saving: a dirty notebook would otherwise make "close" ask to save (a modal
 * that stalls the next test) and the tests must not write the workspace's files behind their own back.
 * Runs still going are stopped first: one that went on after the revert would dirty the notebook again,
 * and a later test's Save All would write it half-run.
 */
export async function closeAllWithoutSaving(): Promise<void> {
  const { controller } = await api();
  for (const document of vscode.workspace.notebookDocuments) {
    if (controller.isRunning(document)) controller.interrupt(document);
  }
  await waitFor('every run to stop', () => vscode.workspace.notebookDocuments.every((d) => !controller.isRunning(d)), 10_000);
  const revert = async (documents: vscode.NotebookDocument[]) => {
    for (const document of documents) {
      await vscode.window.showNotebookDocument(document);
      await vscode.commands.executeCommand('workbench.action.files.revert', document.uri);
    }
  };
  await revert(vscode.workspace.notebookDocuments.filter((d) => d.isDirty));
  // Then a file's notebook that is dirty still, again (an untitled one has no file to go back to: closing discards it).
  const dirtyFiles = () => vscode.workspace.notebookDocuments.filter((d) => d.isDirty && !d.isUntitled);
  for (let attempt = 0; attempt < 2 && dirtyFiles().length > 0; attempt++) await revert(dirtyFiles());
  const stillDirty = dirtyFiles().map((d) => path.basename(d.uri.fsPath));
  assert.deepEqual(stillDirty, [], 'every notebook was reverted');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
