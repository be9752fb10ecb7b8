/** Command-palette commands, all under the "BatchNorm Lab" category (see package.json). */
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from './constants';
import type { BnlabController } from './controller';

/** From the notebook toolbar VS Code passes { notebookEditor: { notebookUri } }; from the palette, nothing. */
interface ToolbarContext {
  notebookEditor?: { notebookUri?: vscode.Uri };
}

function targetNotebook(context: ToolbarContext | undefined, purpose: string): vscode.NotebookDocument | undefined {
  const uri = context?.notebookEditor?.notebookUri ?? vscode.window.activeNotebookEditor?.notebook.uri;
  const notebook = vscode.workspace.notebookDocuments.find((doc) => doc.uri.toString() === uri?.toString() && doc.notebookType === NOTEBOOK_TYPE);
  if (!notebook) void vscode.window.showWarningMessage(`BatchNorm Lab: open a .bnnb notebook to ${purpose}.`);
  return notebook;
}

const STARTER_CELL = ['experiment: normalize-features', 'batchSize: 256', 'seed: 0'].join('\n');

export function registerCommands(controller: BnlabController): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('bnlab.newNotebook', async () => {
      const data = new vscode.NotebookData([
        new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, '# BatchNorm Lab\n\nRun the cell below to see a batch normalized.', 'markdown'),
        new vscode.NotebookCellData(vscode.NotebookCellKind.Code, STARTER_CELL, 'bnlab'),
      ]);
      const document = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
      await vscode.window.showNotebookDocument(document);
    }),
    vscode.commands.registerCommand('bnlab.restartKernel', async (context?: ToolbarContext) => {
      const notebook = targetNotebook(context, 'restart its kernel');
      if (!notebook) return;
      await controller.restart(notebook);
      vscode.window.setStatusBarMessage('$(debug-restart) BatchNorm Lab: kernel restarted, notebook state cleared', 4000);
    }),
    vscode.commands.registerCommand('bnlab.runExperimentCells', async (context?: ToolbarContext) => {
      const notebook = targetNotebook(context, 'run its experiment cells');
      if (notebook) await controller.runWithoutTrust(notebook);
    }),
  ];
}
