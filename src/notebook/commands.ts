/** Command-palette commands, all under the "BatchNorm Lab" category (see package.json). */
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from './constants';

const STARTER_CELL = ['experiment: normalize-features', 'batchSize: 256', 'seed: 0'].join('\n');

export function registerCommands(): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('bnlab.newNotebook', async () => {
      const data = new vscode.NotebookData([
        new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, '# BatchNorm Lab\n\nRun the cell below to see a batch normalized.', 'markdown'),
        new vscode.NotebookCellData(vscode.NotebookCellKind.Code, STARTER_CELL, 'bnlab'),
      ]);
      const document = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
      await vscode.window.showNotebookDocument(document);
    }),
  ];
}
