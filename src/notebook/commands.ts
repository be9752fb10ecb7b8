/** Command-palette commands, all under the "BatchNorm Lab" category (see package.json). */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { renderReport } from '../cli/report';
import { NOTEBOOK_TYPE } from './constants';
import { targetNotebook, type ToolbarContext } from './target';
import type { BnlabController } from './controller';
import { experimentCellSource, pickExperiment } from './experiment-picker';
import { registerPyTorchCommands } from './pytorch-commands';
import { fromNotebookData } from './serializer';
import { parseBnnb } from './format';



const STARTER_CELL = ['experiment: normalize-features', 'batchSize: 256', 'seed: 0'].join('\n');

async function openUntitled(cells: vscode.NotebookCellData[]): Promise<vscode.NotebookEditor> {
  const document = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData(cells));
  return vscode.window.showNotebookDocument(document);
}

export function registerCommands(controller: BnlabController, extensionPath: string, storageUri: vscode.Uri): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('bnlab.newNotebook', async () => {
      await openUntitled([
        new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, '# BatchNorm Lab\n\nRun the cell below to see a batch normalized.', 'markdown'),
        new vscode.NotebookCellData(vscode.NotebookCellKind.Code, STARTER_CELL, 'bnlab'),
      ]);
    }),

    vscode.commands.registerCommand('bnlab.openSample', async () => {
      const dir = path.join(extensionPath, 'samples');
      const files = (await fs.readdir(dir)).filter((name) => name.endsWith('.bnnb')).sort();
      const items = await Promise.all(
        files.map(async (file) => {
          const notebook = parseBnnb(await fs.readFile(path.join(dir, file), 'utf8'));
          const heading = notebook.cells.find((cell) => cell.kind === 'markdown')?.source.match(/^#\s+(.+)$/m)?.[1];
          return { label: heading ?? file, description: file, file };
        }),
      );
      const picked = await vscode.window.showQuickPick(items, { title: 'BatchNorm Lab: Open Sample', placeHolder: 'Pick a sample notebook', matchOnDescription: true });
      if (!picked) return;
      // The user's own copy, in the extension's storage, so that edits and runs never touch the shipped
      // sample; an existing copy is kept (it may hold the user's changes). Save As puts it elsewhere.
      const copies = vscode.Uri.joinPath(storageUri, 'samples');
      const copy = vscode.Uri.joinPath(copies, picked.file);
      await vscode.workspace.fs.createDirectory(copies);
      const exists = await vscode.workspace.fs.stat(copy).then(() => true, () => false);
      if (!exists) await vscode.workspace.fs.copy(vscode.Uri.file(path.join(dir, picked.file)), copy);
      // A folder with the sample's name holds files its cells read (e.g. sample 11's PyTorch metrics).
      const folder = picked.file.replace(/\.bnnb$/, '');
      const sampleFiles = vscode.Uri.file(path.join(dir, folder));
      const filesCopy = vscode.Uri.joinPath(copies, folder);
      const hasFiles = await vscode.workspace.fs.stat(sampleFiles).then(() => true, () => false);
      if (hasFiles && !(await vscode.workspace.fs.stat(filesCopy).then(() => true, () => false))) await vscode.workspace.fs.copy(sampleFiles, filesCopy);
      await vscode.commands.executeCommand('vscode.openWith', copy, NOTEBOOK_TYPE);
    }),

    vscode.commands.registerCommand('bnlab.runExperiment', async () => {
      const choice = await pickExperiment();
      if (!choice) return;
      const { experiment, values } = choice;
      const editor = await openUntitled([
        new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, `# ${experiment.title}\n\n${experiment.description}`, 'markdown'),
        new vscode.NotebookCellData(vscode.NotebookCellKind.Code, experimentCellSource(experiment, values), 'bnlab'),
      ]);
      await controller.runWithoutTrust(editor.notebook);
    }),

    vscode.commands.registerCommand('bnlab.exportReport', async (context?: ToolbarContext) => {
      const notebook = targetNotebook(context, 'export it as a report');
      if (!notebook) return;
      const base = notebook.isUntitled ? 'report' : path.basename(notebook.uri.fsPath, '.bnnb');
      const defaultUri = notebook.isUntitled ? undefined : vscode.Uri.file(path.join(path.dirname(notebook.uri.fsPath), `${base}.html`));
      const target = await vscode.window.showSaveDialog({ defaultUri, filters: { 'HTML report': ['html'] }, title: 'Export BatchNorm Lab Report' });
      if (!target) return;
      const data = new vscode.NotebookData(notebook.getCells().map(cellData));
      data.metadata = notebook.metadata;
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(renderReport(fromNotebookData(data), `${base}.bnnb`)));
      const open = await vscode.window.showInformationMessage(`BatchNorm Lab: report written to ${target.fsPath}`, 'Open in Browser');
      if (open) await vscode.env.openExternal(target);
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

    ...registerPyTorchCommands(controller, extensionPath),
  ];
}

function cellData(cell: vscode.NotebookCell): vscode.NotebookCellData {
  const data = new vscode.NotebookCellData(cell.kind, cell.document.getText(), cell.document.languageId);
  data.outputs = [...cell.outputs];
  data.executionSummary = cell.executionSummary;
  data.metadata = cell.metadata;
  return data;
}
