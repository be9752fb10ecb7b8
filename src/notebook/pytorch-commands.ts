/**
 * "Export Experiment to PyTorch…" and "Import PyTorch Results…" (category "BatchNorm Lab", see package.json).
 *
 * Export runs the experiment cell once in the engine, in a worker thread (dist/export-worker.js, built from
 * src/kernel/export-worker.ts) so that the extension host stays responsive, and writes `<stem>.py`,
 * `<stem>.engine.json` and `<stem>_data/` next to the notebook. Import adds a `pytorch-comparison` cell that
 * plots the engine's metrics file against the ones the exported script wrote, and runs it.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { parse as parseYaml } from 'yaml';
import { catalog } from '../experiments/catalog';
import { parseExperimentCell } from '../experiments/cell';
import type { ExportJob, ExportMessage } from '../kernel/export-worker';
import { parseMetrics, type MetricsFile } from '../shared/metrics-file';
import { EXPERIMENT_LANGUAGE } from '../kernel/experiment-cell';
import { NOTEBOOK_TYPE } from './constants';
import { targetNotebook, type ToolbarContext } from './target';
import type { BnlabController } from './controller';

const COMPARISON_EXPERIMENT = 'pytorch-comparison';
/**
 * A global context key: the URIs of every experiment cell of the open lab notebooks, as an object's keys.
 * VS Code 1.100 has no context key for a cell's language, so the cell menus test
 * `notebookCellResource in bnlab.experimentCells` (the "in" operator accepts an object).
 */
const EXPERIMENT_CELLS_KEY = 'bnlab.experimentCells';


export function registerPyTorchCommands(controller: BnlabController, extensionPath: string): vscode.Disposable[] {
  const workers = new Set<Worker>();
  return [
    vscode.commands.registerCommand('bnlab.exportToPyTorch', (argument?: unknown) => exportToPyTorch(argument, extensionPath, workers)),
    vscode.commands.registerCommand('bnlab.importPyTorchResults', (context?: ToolbarContext) => importPyTorchResults(context, controller)),
    trackExperimentCells(),
    // A running export ends with the extension: never leave a worker behind.
    { dispose: () => workers.forEach((worker) => void worker.terminate()) },
  ];
}

// ---------------------------------------------------------------------------------------------------
// Export

interface OptionItem extends vscode.QuickPickItem {
  option: 'weights' | 'distributed' | 'syncBn';
}

async function exportToPyTorch(argument: unknown, extensionPath: string, workers: Set<Worker>): Promise<void> {
  let cell = cellOf(argument);
  const notebook = cell?.notebook ?? targetNotebook(undefined, 'export one of its experiment cells');
  if (!notebook) return;
  if (!savedOnDisk(notebook, 'export an experiment: the script goes next to it')) return;

  cell ??= await pickExperimentCell(notebook);
  if (!cell) return;
  const number = cell.index + 1;
  if (cell.kind !== vscode.NotebookCellKind.Code || cell.document.languageId !== EXPERIMENT_LANGUAGE) {
    void vscode.window.showErrorMessage(`BatchNorm Lab: cell ${number} is not an experiment (bnlab) cell; only experiment cells can be exported to PyTorch.`);
    return;
  }
  const source = cell.document.getText();
  let experimentId: string;
  try {
    const { experiment } = parseExperimentCell(source, catalog);
    experimentId = experiment.id;
    if (!experiment.exportable) {
      void vscode.window.showErrorMessage(
        `BatchNorm Lab: experiment "${experiment.id}" (cell ${number}) cannot be exported to PyTorch. Exportable experiments: ${exportableExperiments().join(', ')}.`,
      );
      return;
    }
  } catch (error) {
    void vscode.window.showErrorMessage(`BatchNorm Lab: cell ${number} cannot be exported: ${(error as Error).message}`);
    return;
  }

  const options = await pickExportOptions();
  if (!options) return;
  if (options.syncBn && !options.distributed) {
    void vscode.window.showErrorMessage('BatchNorm Lab: SyncBatchNorm applies to distributed scripts (one process has no other batch to synchronize with): pick "Distributed" too, or leave SyncBatchNorm out.');
    return;
  }

  const notebookPath = notebook.uri.fsPath;
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(path.join(path.dirname(notebookPath), `${defaultStem(notebookPath, number)}.py`)),
    filters: { Python: ['py'] },
    title: `Export Cell ${number} (${experimentId}) to PyTorch`,
    saveLabel: 'Export',
  });
  if (!target) return;
  if (target.scheme !== 'file') {
    void vscode.window.showErrorMessage('BatchNorm Lab: the PyTorch script can only be written to a folder on this machine.');
    return;
  }
  const directory = path.dirname(target.fsPath);
  const stem = path.basename(target.fsPath).replace(/\.py$/i, '');
  const script = path.join(directory, `${stem}.py`);
  const job: ExportJob = { source, stem, origin: `${path.basename(notebookPath)}, cell ${number}`, directory, ...options };

  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `BatchNorm Lab: exporting cell ${number} to PyTorch`, cancellable: true },
    (progress, token) => runExportWorker(path.join(extensionPath, 'dist', 'export-worker.js'), job, number, progress, token, workers, notebook.uri),
  );
  switch (outcome.type) {
    case 'cancelled':
      void vscode.window.showInformationMessage(`BatchNorm Lab: export of cell ${number} cancelled; the script was not written.`);
      return;
    case 'error':
      void vscode.window.showErrorMessage(`BatchNorm Lab: export of cell ${number} failed: ${outcome.message}`);
      return;
  }
  const runs = outcome.runs.length;
  const action = await vscode.window.showInformationMessage(`BatchNorm Lab: exported ${runs} run${runs === 1 ? '' : 's'} to ${script}`, 'Open Script', 'Copy Run Command');
  if (action === 'Open Script') {
    await vscode.window.showTextDocument(vscode.Uri.file(script));
  } else if (action === 'Copy Run Command') {
    const command = options.distributed ? `torchrun --standalone --nproc_per_node=2 ${shellQuote(script)}` : `python3 ${shellQuote(script)}`;
    await vscode.env.clipboard.writeText(command);
    vscode.window.setStatusBarMessage(`$(clippy) Copied: ${command}`, 4000);
  }
}

type ExportOutcome = { type: 'done'; written: string[]; runs: string[] } | { type: 'error'; message: string } | { type: 'cancelled' };

/** Runs the export worker; every way it ends (done, error, crash, exit, cancel) settles once and ends the worker. */
function runExportWorker(
  workerPath: string,
  job: ExportJob,
  number: number,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  token: vscode.CancellationToken,
  workers: Set<Worker>,
  resource: vscode.Uri,
): Promise<ExportOutcome> {
  if (token.isCancellationRequested) return Promise.resolve({ type: 'cancelled' });
  const memoryLimitMb = vscode.workspace.getConfiguration('batchnormLab.kernel', resource).get<number>('memoryLimitMb');
  const worker = new Worker(workerPath, { workerData: job, ...(memoryLimitMb ? { resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb } } : {}) });
  workers.add(worker);
  progress.report({ message: `Running cell ${number} in the engine to record its runs…` });
  let shown = 0; // percent of the bar drawn so far
  return new Promise<ExportOutcome>((resolve) => {
    let settled = false;
    const cancel = token.onCancellationRequested(() => settle({ type: 'cancelled' }));
    function settle(outcome: ExportOutcome): void {
      if (settled) return;
      settled = true;
      cancel.dispose();
      workers.delete(worker);
      void worker.terminate();
      resolve(outcome);
    }
    worker.on('message', (message: ExportMessage) => {
      if (settled) return;
      if (message.type === 'progress') {
        const percent = message.total > 0 ? Math.min(100, (100 * message.step) / message.total) : 0;
        const increment = Math.max(0, percent - shown);
        shown = Math.max(shown, percent);
        progress.report({ message: `Running cell ${number} in the engine to record its runs: ${message.step}/${message.total}${message.label ? ` · ${message.label}` : ''}`, increment });
      } else {
        settle(message);
      }
    });
    worker.on('error', (error) =>
      settle({ type: 'error', message: (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? `the export ran out of memory (batchnormLab.kernel.memoryLimitMb is ${memoryLimitMb} MB)` : error.message }),
    );
    worker.on('exit', (code) => settle({ type: 'error', message: `the export worker stopped (exit code ${code}) before it finished` }));
  });
}

async function pickExperimentCell(notebook: vscode.NotebookDocument): Promise<vscode.NotebookCell | undefined> {
  const cells = notebook.getCells().filter(isExperimentCell);
  if (cells.length === 0) {
    void vscode.window.showErrorMessage('BatchNorm Lab: this notebook has no experiment (bnlab) cells to export.');
    return undefined;
  }
  const items = cells.map((cell) => {
    let id: string;
    let description: string | undefined;
    try {
      const { experiment } = parseExperimentCell(cell.document.getText(), catalog);
      id = experiment.id;
      if (!experiment.exportable) description = 'not exportable';
    } catch {
      id = /^experiment:\s*(\S+)/m.exec(cell.document.getText())?.[1] ?? '(no experiment)';
      description = 'not a valid experiment cell';
    }
    return { label: `Cell ${cell.index + 1}: ${id}`, description, cell };
  });
  const picked = await vscode.window.showQuickPick(items, { title: 'BatchNorm Lab: Export Experiment to PyTorch', placeHolder: 'Which experiment cell?' });
  return picked?.cell;
}

async function pickExportOptions(): Promise<{ weights: boolean; distributed: boolean; syncBn: boolean } | undefined> {
  const items: OptionItem[] = [
    { label: "Export the engine's initial weights", description: '--weights', detail: 'PyTorch starts from exactly the same weights, so the two runs can match step for step.', picked: true, option: 'weights' },
    { label: 'Distributed: a torchrun script with DistributedDataParallel', description: '--distributed', detail: 'Also runs in one process with python3.', picked: true, option: 'distributed' },
    { label: 'SyncBatchNorm on by default', description: '--sync-bn', detail: 'Only with Distributed: batch statistics over the global batch instead of each process\'s share.', picked: false, option: 'syncBn' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'BatchNorm Lab: Export Experiment to PyTorch', placeHolder: 'Options of the script (Enter to accept)', canPickMany: true });
  if (!picked) return undefined;
  const has = (option: OptionItem['option']) => picked.some((item) => item.option === option);
  return { weights: has('weights'), distributed: has('distributed'), syncBn: has('syncBn') };
}

/** `<notebook name>-cell<n>`, with characters other than letters, digits, "_", "-" and "." replaced. */
function defaultStem(notebookPath: string, number: number): string {
  return `${path.basename(notebookPath, path.extname(notebookPath))}-cell${number}`.replace(/[^\w.-]/g, '_');
}

function exportableExperiments(): string[] {
  return [...catalog.values()].filter((experiment) => experiment.exportable).map((experiment) => experiment.id);
}

function shellQuote(file: string): string {
  return /^[\w./-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------------------------------------------
// Import

async function importPyTorchResults(context: ToolbarContext | undefined, controller: BnlabController): Promise<void> {
  const notebook = targetNotebook(context, 'import PyTorch results into it');
  if (!notebook) return;
  if (!savedOnDisk(notebook, 'import metrics files: the comparison cell reads them relative to its folder')) return;
  const folder = path.dirname(notebook.uri.fsPath);
  const chosen = await vscode.window.showOpenDialog({
    canSelectMany: true,
    canSelectFiles: true,
    canSelectFolders: false,
    defaultUri: vscode.Uri.file(folder),
    filters: { 'BatchNorm Lab metrics': ['json'] },
    openLabel: 'Import',
    title: 'Import PyTorch Results (the export\'s .engine.json and the script\'s .pytorch-*.json)',
  });
  if (!chosen || chosen.length === 0) return;

  const maxFiles = maxComparisonFiles();
  if (chosen.length > maxFiles) {
    void vscode.window.showErrorMessage(`BatchNorm Lab: a comparison plots at most ${maxFiles} metrics files; ${chosen.length} were chosen.`);
    return;
  }
  const files: { relative: string; metrics: MetricsFile }[] = [];
  for (const uri of chosen) {
    const relative = path.relative(folder, uri.fsPath).split(path.sep).join('/');
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch (error) {
      void vscode.window.showErrorMessage(`BatchNorm Lab: cannot read ${relative}: ${(error as Error).message}`);
      return;
    }
    try {
      // Its errors start with the file's name: "<file>: not a BatchNorm Lab metrics file (…)".
      files.push({ relative, metrics: parseMetrics(text, relative) });
    } catch (error) {
      void vscode.window.showErrorMessage(`BatchNorm Lab: cannot import ${(error as Error).message}`);
      return;
    }
  }
  // The first file is the comparison's reference: the engine's own runs, when one was chosen.
  files.sort((a, b) => Number(b.metrics.source === 'engine') - Number(a.metrics.source === 'engine'));
  const source = `experiment: ${COMPARISON_EXPERIMENT}\nfiles: [${files.map((f) => yamlPath(f.relative)).join(', ')}]\n`;

  const editor = vscode.window.visibleNotebookEditors.find((e) => e.notebook === notebook);
  const active = editor?.selection;
  const index = active && !active.isEmpty ? Math.min(active.end, notebook.cellCount) : notebook.cellCount;
  const edit = new vscode.WorkspaceEdit();
  edit.set(notebook.uri, [vscode.NotebookEdit.insertCells(index, [new vscode.NotebookCellData(vscode.NotebookCellKind.Code, source, EXPERIMENT_LANGUAGE)])]);
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage('BatchNorm Lab: could not add the comparison cell to the notebook.');
    return;
  }
  const range = new vscode.NotebookRange(index, index + 1);
  if (editor) {
    editor.selection = range;
    editor.revealRange(range, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
  }
  if (vscode.workspace.isTrusted) {
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: index, end: index + 1 }], document: notebook.uri });
  } else {
    // VS Code's Run asks for workspace trust first; experiment cells run without it.
    await controller.runWithoutTrust(notebook, [notebook.cellAt(index)]);
  }
}

/** A path as a YAML flow-sequence item: plain when it reads back as itself, else double-quoted. */
function yamlPath(relative: string): string {
  if (/^[\w.][\w./-]*$/.test(relative)) {
    try {
      const [back] = parseYaml(`[${relative}]`) as unknown[];
      if (back === relative) return relative;
    } catch {
      // quoted below
    }
  }
  return JSON.stringify(relative);
}

function maxComparisonFiles(): number {
  const spec = catalog.get(COMPARISON_EXPERIMENT)?.params.files;
  return spec && spec.kind === 'files' ? spec.maxItems : 8;
}

// ---------------------------------------------------------------------------------------------------
// Shared


/** Whether the notebook is a file on disk; if not, says to save it first. */
function savedOnDisk(notebook: vscode.NotebookDocument, why: string): boolean {
  if (notebook.isUntitled) {
    void vscode.window.showErrorMessage(`BatchNorm Lab: save the notebook first, to ${why}.`);
    return false;
  }
  if (notebook.uri.scheme !== 'file') {
    void vscode.window.showErrorMessage(`BatchNorm Lab: this notebook is not in a folder on this machine (${notebook.uri.scheme}:); save a copy to a local folder to ${why}.`);
    return false;
  }
  return true;
}

/**
 * The cell a command was invoked on. From the cell toolbar's menu VS Code passes the cell; from a cell's
 * right-click menu, `{ from: 'cellContainer' }` (then the selected cell, if the extension host knows it:
 * it may see no selection, nor an active editor, while the menu is open); from the Command Palette,
 * nothing. Without a cell the command asks which one.
 */
function cellOf(argument: unknown): vscode.NotebookCell | undefined {
  if (isNotebookCell(argument)) return argument;
  if (argument === undefined) return undefined;
  const shown = vscode.window.visibleNotebookEditors.filter((e) => e.notebook.notebookType === NOTEBOOK_TYPE);
  const editor = vscode.window.activeNotebookEditor ?? (shown.length === 1 ? shown[0] : undefined);
  // `selection` is typed as always there, but it is undefined when the editor has no selections.
  const selection = editor?.selections[0];
  if (!editor || editor.notebook.notebookType !== NOTEBOOK_TYPE || !selection || selection.isEmpty) return undefined;
  const cell = editor.notebook.cellAt(selection.start);
  return isExperimentCell(cell) ? cell : undefined;
}

function isNotebookCell(value: unknown): value is vscode.NotebookCell {
  return typeof value === 'object' && value !== null && 'document' in value && 'notebook' in value && 'index' in value;
}

function isExperimentCell(cell: vscode.NotebookCell): boolean {
  return cell.kind === vscode.NotebookCellKind.Code && cell.document.languageId === EXPERIMENT_LANGUAGE;
}

/** Keeps {@link EXPERIMENT_CELLS_KEY} up to date as notebooks open, close and change, and cells change language. */
function trackExperimentCells(): vscode.Disposable {
  let scheduled: ReturnType<typeof setTimeout> | undefined;
  const update = () => {
    scheduled = undefined;
    const cells: Record<string, true> = {};
    for (const notebook of vscode.workspace.notebookDocuments) {
      if (notebook.notebookType !== NOTEBOOK_TYPE) continue;
      for (const cell of notebook.getCells()) if (isExperimentCell(cell)) cells[cell.document.uri.toString()] = true;
    }
    void vscode.commands.executeCommand('setContext', EXPERIMENT_CELLS_KEY, cells);
  };
  const schedule = () => (scheduled ??= setTimeout(update, 50));
  const isCell = (document: vscode.TextDocument) => document.uri.scheme === 'vscode-notebook-cell';
  update();
  const subscriptions = [
    vscode.workspace.onDidOpenNotebookDocument((notebook) => notebook.notebookType === NOTEBOOK_TYPE && schedule()),
    vscode.workspace.onDidCloseNotebookDocument((notebook) => notebook.notebookType === NOTEBOOK_TYPE && schedule()),
    vscode.workspace.onDidChangeNotebookDocument((event) => event.notebook.notebookType === NOTEBOOK_TYPE && event.contentChanges.length > 0 && schedule()),
    // A cell that changes language is closed and opened again as a document of the new language.
    vscode.workspace.onDidOpenTextDocument((document) => isCell(document) && schedule()),
  ];
  return {
    dispose: () => {
      clearTimeout(scheduled);
      subscriptions.forEach((subscription) => subscription.dispose());
    },
  };
}
