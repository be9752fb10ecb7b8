/** Which notebook a command acts on: the toolbar's, else the active editor's (with a word if there is none). */
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from './constants';

/** From the notebook toolbar VS Code passes { notebookEditor: { notebookUri } }; from the palette, nothing. */
export interface ToolbarContext {
  notebookEditor?: { notebookUri?: vscode.Uri };
}

export function targetNotebook(context: ToolbarContext | undefined, purpose: string): vscode.NotebookDocument | undefined {
  const uri = context?.notebookEditor?.notebookUri ?? vscode.window.activeNotebookEditor?.notebook.uri;
  const notebook = vscode.workspace.notebookDocuments.find((doc) => doc.uri.toString() === uri?.toString() && doc.notebookType === NOTEBOOK_TYPE);
  if (!notebook) void vscode.window.showWarningMessage(`BatchNorm Lab: open a .bnnb notebook to ${purpose}.`);
  return notebook;
}
