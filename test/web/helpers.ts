// What the web suites share: notebooks in the workspace (through workspace.fs), running cells, waiting.
import * as vscode from 'vscode';
import type { BnlabApi } from '../../src/extension';
import * as assert from './assert';

export const ERROR_MIME = 'application/vnd.code.notebook.error';
export const PLOT_MIME = 'application/vnd.bnlab.plot+json';
export const folder = (): vscode.Uri => vscode.workspace.workspaceFolders![0]!.uri;

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

export async function openAndShow(uri: vscode.Uri): Promise<vscode.NotebookEditor> {
  await vscode.commands.executeCommand('vscode.openWith', uri, 'bnlab-notebook');
  const editor = await waitFor(`the notebook editor of ${uri.path}`, () => vscode.window.visibleNotebookEditors.find((e) => e.notebook.uri.toString() === uri.toString()), 20_000);
  await vscode.commands.executeCommand('notebook.selectKernel', { id: 'bnlab-kernel', extension: 'bnlab.batchnorm-lab' });
  return editor;
}

/** Writes a notebook with the given code cells (language, source) into the workspace and opens it. */
export async function openCells(name: string, cells: [language: string, source: string][]): Promise<vscode.NotebookEditor> {
  const uri = vscode.Uri.joinPath(folder(), name);
  const notebook = { format: 'bnnb', version: 1, cells: cells.map(([language, source]) => ({ kind: 'code', language, source })) };
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(notebook)));
  return openAndShow(uri);
}

export function codeCells(editor: vscode.NotebookEditor): vscode.NotebookCell[] {
  return editor.notebook.getCells().filter((cell) => cell.kind === vscode.NotebookCellKind.Code);
}

/** Runs all cells and waits until this run has finished every code cell, or one of them has failed. */
export async function runAll(editor: vscode.NotebookEditor, timeoutMs = 30_000): Promise<void> {
  const cells = codeCells(editor);
  const startedAt = Date.now();
  const ranNow = (cell: vscode.NotebookCell) => (cell.executionSummary?.timing?.startTime ?? 0) >= startedAt && cell.executionSummary?.timing?.endTime !== undefined;
  await vscode.commands.executeCommand('notebook.execute', editor.notebook.uri);
  await waitFor('every code cell to finish, or one to fail', () => cells.every(ranNow) || cells.some((cell) => ranNow(cell) && cell.executionSummary?.success === false), timeoutMs);
}

/** Runs one cell and waits for it to end. */
export async function runCell(editor: vscode.NotebookEditor, cell: vscode.NotebookCell, timeoutMs = 30_000): Promise<void> {
  const startedAt = Date.now();
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: cell.index, end: cell.index + 1 }], document: editor.notebook.uri });
  await waitFor(`cell ${cell.index + 1} to finish`, () => (cell.executionSummary?.timing?.startTime ?? 0) >= startedAt && cell.executionSummary?.timing?.endTime !== undefined, timeoutMs);
}

export function itemsOf(cell: vscode.NotebookCell): vscode.NotebookCellOutputItem[] {
  return cell.outputs.flatMap((output) => output.items);
}

export function textOf(item: vscode.NotebookCellOutputItem): string {
  return new TextDecoder().decode(item.data);
}

export function outputText(cell: vscode.NotebookCell): string {
  return itemsOf(cell).map(textOf).join('');
}

export function errorOf(cell: vscode.NotebookCell): { name: string; message: string; stack: string } {
  const item = itemsOf(cell).find((i) => i.mime === ERROR_MIME);
  assert.ok(item, `cell ${cell.index + 1} has an error output: ${outputText(cell)}`);
  return JSON.parse(textOf(item)) as { name: string; message: string; stack: string };
}

/** Closes every editor without saving (a dirty notebook would ask to save). */
export async function closeAllWithoutSaving(): Promise<void> {
  for (const document of vscode.workspace.notebookDocuments.filter((d) => d.isDirty)) {
    await vscode.window.showNotebookDocument(document);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

type Window = typeof vscode.window;
const originals: Partial<Record<keyof Window, unknown>> = {};

/** Replaces a vscode.window function until restoreStubs(). */
export function stub<K extends keyof Window>(name: K, replacement: Window[K]): void {
  originals[name] ??= vscode.window[name];
  (vscode.window as unknown as Record<string, unknown>)[name] = replacement;
}

export function restoreStubs(): void {
  for (const [name, original] of Object.entries(originals)) (vscode.window as unknown as Record<string, unknown>)[name] = original;
  for (const name of Object.keys(originals)) delete originals[name as keyof Window];
}
