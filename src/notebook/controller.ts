/**
 * The notebook controller: queues cells, shows live progress, records order and timing, stops at the
 * first failure, and hands each cell to its notebook's kernel session (a worker thread). It computes nothing.
 */
import * as vscode from 'vscode';
import type { Progress } from '../experiments/experiment';
import { TYPESCRIPT_LANGUAGE } from '../kernel/cell-runner';
import { EXPERIMENT_LANGUAGE } from '../kernel/experiment-cell';
import { markdownOutput } from '../kernel/outputs';
import { ProgressClock } from '../kernel/progress-text';
import { KernelSession } from '../kernel/session';
import type { BnnbOutput } from '../shared/bnnb-format';
import { EXTENSION_ID, NOTEBOOK_TYPE } from './constants';
import { RunDiagnostics } from './language/run-diagnostics';
import { kernelWorker, notebookDirectory } from './platform/host';
import { toCellOutput } from './serializer';

/** Outputs of a running cell are redrawn at most this often. */
const REDRAW_INTERVAL_MS = 250;

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
        isTrusted: () => vscode.workspace.isTrusted,
      });
      this.sessions.set(notebook, session);
    }
    return session;
  }

  private enqueue(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    // Creating the executions at once shows every queued cell as pending.
    const executions = cells.map((cell) => this.controller.createNotebookCellExecution(cell));
    const generation = this.generations.get(notebook) ?? 0;
    const queue = (this.queues.get(notebook) ?? Promise.resolve()).then(() => this.runInOrder(executions, notebook, generation));
    this.queues.set(notebook, queue);
    return queue;
  }

  /** After the first failure (or an interrupt) the rest are left unrun, not marked failed. */
  private async runInOrder(executions: vscode.NotebookCellExecution[], notebook: vscode.NotebookDocument, generation: number): Promise<void> {
    let stopped = false;
    for (const execution of executions) {
      stopped ||= (this.generations.get(notebook) ?? 0) !== generation || execution.token.isCancellationRequested;
      if (stopped) {
        execution.end(undefined);
        continue;
      }
      stopped = !(await this.runOne(execution));
    }
  }

  private async runOne(execution: vscode.NotebookCellExecution): Promise<boolean> {
    const cell = execution.cell;
    const order = (this.executionOrders.get(cell.notebook) ?? 0) + 1;
    this.executionOrders.set(cell.notebook, order);
    execution.executionOrder = order;
    execution.start(Date.now());
    const cancel = execution.token.onCancellationRequested(() => this.interrupt(cell.notebook));
    const view = new LiveOutputs(execution);
    let success = false;
    try {
      await execution.clearOutput();
      const result = await this.session(cell.notebook).run(
        { language: cell.document.languageId, source: cell.document.getText(), label: `Cell ${cell.index + 1}`, ...notebookDirectory(cell.notebook) },
        { onOutputs: (outputs) => view.setOutputs(outputs), onProgress: (progress) => view.setProgress(progress) },
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

/** A running cell's outputs: streamed outputs, then a live progress line, redrawn a few times a second. */
class LiveOutputs {
  private outputs: BnnbOutput[] = [];
  private progress: string | undefined;
  private readonly clock = new ProgressClock();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private drawing: Promise<void> = Promise.resolve();
  private finished = false;

  constructor(private readonly execution: vscode.NotebookCellExecution) {}

  setOutputs(outputs: BnnbOutput[]): void {
    this.outputs = outputs;
    this.schedule();
  }

  setProgress(progress: Progress): void {
    this.progress = this.clock.describe(progress);
    this.schedule();
  }

  /** Replaces everything, progress included, with the final outputs. */
  async finish(outputs: BnnbOutput[]): Promise<void> {
    this.finished = true;
    clearTimeout(this.timer);
    await this.drawing;
    await this.execution.replaceOutput(outputs.map(toCellOutput));
  }

  private schedule(): void {
    if (this.timer || this.finished) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.finished) return;
      const shown = this.progress ? [...this.outputs, markdownOutput(`Running: ${this.progress}`)] : this.outputs;
      this.drawing = this.drawing.then(() => this.execution.replaceOutput(shown.map(toCellOutput))).then(undefined, () => undefined);
    }, REDRAW_INTERVAL_MS);
  }
}
