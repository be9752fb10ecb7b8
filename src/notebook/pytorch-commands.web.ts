/**
 * The web build's PyTorch commands (scripts/build.mjs takes this file instead of ./pytorch-commands.ts).
 * Export runs the experiment in a worker thread and writes a script, its data and the engine's metrics
 * next to the notebook, to be run with Python on the same machine; a browser tab has neither Python nor
 * that folder, so both commands say so and point to the desktop, where they work.
 */
import * as vscode from 'vscode';
import type { BnlabController } from './controller';

const DESKTOP = 'Open the folder in VS Code on the desktop (or a remote with Python) to use it.';

export function registerPyTorchCommands(_controller: BnlabController, _extensionPath: string): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('bnlab.exportToPyTorch', () =>
      vscode.window.showErrorMessage(`BatchNorm Lab: Export to PyTorch is not available in the browser: the exported script runs with Python next to the notebook. ${DESKTOP}`),
    ),
    vscode.commands.registerCommand('bnlab.importPyTorchResults', () =>
      vscode.window.showErrorMessage(`BatchNorm Lab: Import PyTorch Results is not available in the browser: it compares runs of an exported script, which needs Python. ${DESKTOP}`),
    ),
  ];
}
