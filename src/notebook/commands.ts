/** Command-palette commands, all under the "BatchNorm Lab" category (see package.json). */
import * as vscode from 'vscode';
import { renderReport } from '../kernel/report';
import { NOTEBOOK_TYPE } from './constants';
import { targetNotebook, type ToolbarContext } from './target';
import type { BnlabController } from './controller';
import { experimentCellSource, pickExperiment } from './experiment-picker';
import { registerPyTorchCommands } from './pytorch-commands';
import { fromNotebookData } from './serializer';
import { parseBnnb } from '../shared/bnnb-format';



const STARTER_CELL = ['experiment: normalize-features', 'batchSize: 256', 'seed: 0'].join('\n');

async function openUntitled(cells: vscode.NotebookCellData[]): Promise<vscode.NotebookEditor> {
  const document = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData(cells));
  return vscode.window.showNotebookDocument(document);
}

/** Files are read and written with vscode.workspace.fs only, so that every command works on the web too. */
export function registerCommands(controller: BnlabController, extensionUri: vscode.Uri, storageUri: vscode.Uri): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('bnlab.newNotebook', async () => {
      await openUntitled([
        new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, '# BatchNorm Lab\n\nRun the cell below to see a batch normalized.', 'markdown'),
        new vscode.NotebookCellData(vscode.NotebookCellKind.Code, STARTER_CELL, 'bnlab'),
      ]);
    }),

    vscode.commands.registerCommand('bnlab.openSample', async () => {
      const dir = vscode.Uri.joinPath(extensionUri, 'samples');
      const files = (await vscode.workspace.fs.readDirectory(dir)).map(([name]) => name).filter((name) => name.endsWith('.bnnb')).sort();
      const items = await Promise.all(
        files.map(async (file) => {
          const notebook = parseBnnb(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, file))));
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
      if (!exists) await copyTree(vscode.Uri.joinPath(dir, picked.file), copy);
      // A folder with the sample's name holds files its cells read (e.g. sample 11's PyTorch metrics).
      const folder = picked.file.replace(/\.bnnb$/, '');
      const sampleFiles = vscode.Uri.joinPath(dir, folder);
      const filesCopy = vscode.Uri.joinPath(copies, folder);
      const hasFiles = await vscode.workspace.fs.stat(sampleFiles).then(() => true, () => false);
      if (hasFiles && !(await vscode.workspace.fs.stat(filesCopy).then(() => true, () => false))) await copyTree(sampleFiles, filesCopy);
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
      const base = notebook.isUntitled ? 'report' : baseName(notebook.uri).replace(/\.bnnb$/, '');
      const defaultUri = notebook.isUntitled ? undefined : vscode.Uri.joinPath(notebook.uri, '..', `${base}.html`);
      const target = await vscode.window.showSaveDialog({ defaultUri, filters: { 'HTML report': ['html'] }, title: 'Export BatchNorm Lab Report' });
      if (!target) return;
      const data = new vscode.NotebookData(notebook.getCells().map(cellData));
      data.metadata = notebook.metadata;
      // plotly (dist/plotly.js), then the report page's script, as the CLI reads them (src/cli/report-script.ts).
      const read = async (...parts: string[]) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'dist', ...parts)));
      const script = `${await read('plotly.js')};\n${await read('report-assets', 'report.js')}`;
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(renderReport(fromNotebookData(data), `${base}.bnnb`, script)));
      const where = target.scheme === 'file' ? target.fsPath : target.toString(true);
      const open = await vscode.window.showInformationMessage(`BatchNorm Lab: report written to ${where}`, 'Open in Browser');
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

    ...registerPyTorchCommands(controller, extensionUri.fsPath),
  ];
}

/** A file, or a folder with everything in it; read and written (not copied) so that it crosses file systems. */
async function copyTree(from: vscode.Uri, to: vscode.Uri): Promise<void> {
  const { type } = await vscode.workspace.fs.stat(from);
  if (type & vscode.FileType.Directory) {
    await vscode.workspace.fs.createDirectory(to);
    for (const [name] of await vscode.workspace.fs.readDirectory(from)) await copyTree(vscode.Uri.joinPath(from, name), vscode.Uri.joinPath(to, name));
  } else {
    await vscode.workspace.fs.writeFile(to, await vscode.workspace.fs.readFile(from));
  }
}

function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

function cellData(cell: vscode.NotebookCell): vscode.NotebookCellData {
  const data = new vscode.NotebookCellData(cell.kind, cell.document.getText(), cell.document.languageId);
  data.outputs = [...cell.outputs];
  data.executionSummary = cell.executionSummary;
  data.metadata = cell.metadata;
  return data;
}
