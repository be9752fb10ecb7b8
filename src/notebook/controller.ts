/**
 * The notebook controller: queues cells, shows live progress, records order and timing, stops at the
 * first failure, and hands each cell to its notebook's kernel session (a worker thread). It computes nothing.
 */
import * as vscode from 'vscode';
import { TYPESCRIPT_LANGUAGE } from '../kernel/cell-runner';
import { EXPERIMENT_LANGUAGE } from '../kernel/experiment-cell';
import { KernelSession } from '../kernel/session';
import { EXTENSION_ID, NOTEBOOK_TYPE } from './constants';
import { RunDiagnostics } from './language/run-diagnostics';
import { kernelWorker, notebookDirectory } from './platform/host';
import { LiveOutputs, plotsOf } from './live-outputs';

export class BnlabController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private readonly sessions = new Map<vscode.NotebookDocument, KernelSession>();
  /** Execution order counts per notebook, like a kernel session per notebook. */
  private readonly executionOrders = new WeakMap<vscode.NotebookDocument, number>();
  /** Each notebook's requests run one after another, whoever made them. */
  private readonly queues = new WeakMap<vscode.NotebookDocument, Promise<void>>();
  /** Interrupting a notebook also cancels the cells waiting behind the running one. */
  private readonly generations = new WeakMap<vscode.NotebookDocument, number>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Notebooks this controller is selected for. */
  private readonly selected = new WeakSet<vscode.NotebookDocument>();
  /** A failed run's error, as a diagnostic on its cell. */
  private readonly runDiagnostics = new RunDiagnostics();

  get supportedLanguages(): readonly string[] {
    return this.controller.supportedLanguages ?? [];
  }

  constructor(private readonly extensionUri: vscode.Uri) {
    this.controller = vscode.notebooks.createNotebookController('bnlab-kernel', NOTEBOOK_TYPE, 'BatchNorm Lab');
    this.controller.supportedLanguages = [EXPERIMENT_LANGUAGE, TYPESCRIPT_LANGUAGE];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'Runs cells on the BatchNorm Lab engine, in a worker per notebook';
    this.controller.executeHandler = (cells, notebook) => this.enqueue(cells, notebook);
    this.controller.interruptHandler = (notebook) => this.interrupt(notebook);
    // The lab's notebooks need no kernel picking: this is their kernel.
    const prefer = (document: vscode.NotebookDocument) => {
      if (document.notebookType === NOTEBOOK_TYPE) this.controller.updateNotebookAffinity(document, vscode.NotebookControllerAffinity.Preferred);
    };
    vscode.workspace.notebookDocuments.forEach(prefer);
    this.disposables.push(
      this.controller.onDidChangeSelectedNotebooks(({ notebook, selected }) => (selected ? this.selected.add(notebook) : this.selected.delete(notebook))),
    );
    this.disposables.push(
      vscode.workspace.onDidOpenNotebookDocument(prefer),
      vscode.workspace.onDidCloseNotebookDocument((document) => {
        this.sessions.get(document)?.dispose();
        this.sessions.delete(document);
      }),
    );
  }

  /**
   * Runs a notebook's code cells (all, or `only` these) without VS Code's Run command, which asks for workspace trust before
   * running any cell. Used in Restricted Mode: experiment cells only name an experiment and its
   * parameters, so they run; TypeScript cells get the message that says why not and how to trust.
   */
  async runWithoutTrust(notebook: vscode.NotebookDocument, only?: vscode.NotebookCell[]): Promise<void> {
    await vscode.commands.executeCommand('notebook.selectKernel', { id: this.controller.id, extension: EXTENSION_ID });
    const cells = (only ?? notebook.getCells()).filter((cell) => cell.kind === vscode.NotebookCellKind.Code);
    await this.enqueue(cells, notebook);
  }

  /** Stops the running cell of a notebook and cancels the ones queued behind it. */
  interrupt(notebook: vscode.NotebookDocument): void {
    this.generations.set(notebook, (this.generations.get(notebook) ?? 0) + 1);
    this.sessions.get(notebook)?.interrupt();
  }

  /** Throws away a notebook's state (its worker); the next cell starts fresh, with the current settings. */
  async restart(notebook: vscode.NotebookDocument): Promise<void> {
    this.interrupt(notebook);
    const session = this.sessions.get(notebook);
    this.sessions.delete(notebook);
    await session?.restart();
    session?.dispose();
    this.executionOrders.delete(notebook);
  }

  private session(notebook: vscode.NotebookDocument): KernelSession {
    let session = this.sessions.get(notebook);
    if (!session) {
      const settings = vscode.workspace.getConfiguration('batchnormLab.kernel', notebook.uri);
      session = new KernelSession({
        ...kernelWorker(this.extensionUri),
        memoryLimitMb: settings.get<number>('memoryLimitMb'),
        // The kernel worker resolves 0 (automatic) against its own cores (src/kernel/pool-size.ts).
        parallelRuns: settings.get<number>('parallelRuns') ?? 0,
        isTrusted: () => vscode.workspace.isTrusted,
      });
      this.sessions.set(notebook, session);
    }
    return session;
  }

  /**
   * Re-runs one cell after a knob changed it: its old result stays in view, the old plots faint beneath the
   * new ones, until the new result lands. Runs without the trust prompt, like experiment cells in Restricted Mode.
   */
  async rerunKeepingResult(cell: vscode.NotebookCell, editor: vscode.NotebookEditor): Promise<void> {
    // A notebook opened with saved outputs has no kernel yet: a knob on its plot selects this one.
    if (!this.selected.has(cell.notebook)) {
      if (vscode.window.activeNotebookEditor !== editor) await vscode.window.showNotebookDocument(editor.notebook, { viewColumn: editor.viewColumn });
      await vscode.commands.executeCommand('notebook.selectKernel', { id: this.controller.id, extension: EXTENSION_ID });
    }
    return this.enqueue([cell], cell.notebook, { keepResult: true });
  }

  /** Whether a cell of this notebook is running or queued. */
  isRunning(notebook: vscode.NotebookDocument): boolean {
    return this.sessions.get(notebook)?.isRunning ?? false;
  }

  private enqueue(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument, options: RunOptions = {}): Promise<void> {
    // Creating the executions at once shows every queued cell as pending.
    const executions = cells.map((cell) => this.controller.createNotebookCellExecution(cell));
    const generation = this.generations.get(notebook) ?? 0;
    const queue = (this.queues.get(notebook) ?? Promise.resolve()).then(() => this.runInOrder(executions, notebook, generation, options));
    this.queues.set(notebook, queue);
    return queue;
  }

  /** After the first failure (or an interrupt) the rest are left unrun, not marked failed. */
  private async runInOrder(executions: vscode.NotebookCellExecution[], notebook: vscode.NotebookDocument, generation: number, options: RunOptions): Promise<void> {
    let stopped = false;
    for (const execution of executions) {
      stopped ||= (this.generations.get(notebook) ?? 0) !== generation || execution.token.isCancellationRequested;
      if (stopped) {
        execution.end(undefined);
        continue;
      }
      stopped = !(await this.runOne(execution, options));
    }
  }

  private async runOne(execution: vscode.NotebookCellExecution, options: RunOptions): Promise<boolean> {
    const cell = execution.cell;
    const order = (this.executionOrders.get(cell.notebook) ?? 0) + 1;
    this.executionOrders.set(cell.notebook, order);
    execution.executionOrder = order;
    execution.start(Date.now());
    const cancel = execution.token.onCancellationRequested(() => this.interrupt(cell.notebook));
    const kept = options.keepResult ? cell.outputs : [];
    const view = new LiveOutputs(execution, { kept, previous: plotsOf(kept) });
    let success = false;
    try {
      if (!options.keepResult) await execution.clearOutput();
      const result = await this.session(cell.notebook).run(
        { language: cell.document.languageId, source: cell.document.getText(), label: `Cell ${cell.index + 1}`, ...notebookDirectory(cell.notebook) },
        { onOutputs: (outputs) => view.setOutputs(outputs), onProgress: (progress) => view.setProgress(progress), onPreview: (plots) => view.setPlots(plots) },
      );
      await view.finish(result.outputs);
      success = result.success;
      this.runDiagnostics.report(cell, result.outputs);
    } catch (error) {
      await execution.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(error as Error)]));
    } finally {
      cancel.dispose();
      execution.end(success, Date.now());
    }
    return success;
  }

  dispose(): void {
    for (const session of this.sessions.values()) session.dispose();
    this.sessions.clear();
    this.disposables.forEach((d) => d.dispose());
    this.runDiagnostics.dispose();
    this.controller.dispose();
  }
}

interface RunOptions {
  /** Keep the cell's outputs in view until the new ones land (a re-run started by a knob). */
  keepResult?: boolean;
}
