/** The notebook controller (kernel front): queues cells, records order and timing, stops at the first failure. */
import * as vscode from 'vscode';
import { EXPERIMENT_LANGUAGE, runCell } from './kernel';
import { NOTEBOOK_TYPE } from './constants';
import { toCellOutput } from './serializer';

export class BnlabController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  /** Execution order counts per notebook, like a kernel session per notebook. */
  private readonly executionOrders = new WeakMap<vscode.NotebookDocument, number>();
  /** Requests run one after another, whoever made them. */
  private queue: Promise<void> = Promise.resolve();
  /** Cancels the cells of the request in progress and the pending ones behind it. */
  private abort = new AbortController();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.controller = vscode.notebooks.createNotebookController('bnlab-kernel', NOTEBOOK_TYPE, 'BatchNorm Lab');
    this.controller.supportedLanguages = [EXPERIMENT_LANGUAGE];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'Runs experiment cells on the BatchNorm Lab engine';
    this.controller.executeHandler = (cells) => this.enqueue(cells);
    this.controller.interruptHandler = () => {
      this.abort.abort();
      this.abort = new AbortController();
    };
    // The lab's notebooks need no kernel picking: this is their kernel.
    const prefer = (document: vscode.NotebookDocument) => {
      if (document.notebookType === NOTEBOOK_TYPE) this.controller.updateNotebookAffinity(document, vscode.NotebookControllerAffinity.Preferred);
    };
    vscode.workspace.notebookDocuments.forEach(prefer);
    this.disposables.push(vscode.workspace.onDidOpenNotebookDocument(prefer));
  }

  private enqueue(cells: vscode.NotebookCell[]): Promise<void> {
    // Creating the executions at once shows every queued cell as pending.
    const executions = cells.map((cell) => this.controller.createNotebookCellExecution(cell));
    const signal = this.abort.signal;
    this.queue = this.queue.then(() => this.runInOrder(executions, signal));
    return this.queue;
  }

  /** After the first failure (or an interrupt) the rest are left unrun, not marked failed. */
  private async runInOrder(executions: vscode.NotebookCellExecution[], signal: AbortSignal): Promise<void> {
    let stopped = false;
    for (const execution of executions) {
      if (stopped || signal.aborted || execution.token.isCancellationRequested) {
        execution.end(undefined);
        continue;
      }
      stopped = !(await this.runOne(execution, signal));
    }
  }

  private async runOne(execution: vscode.NotebookCellExecution, signal: AbortSignal): Promise<boolean> {
    const cell = execution.cell;
    const order = (this.executionOrders.get(cell.notebook) ?? 0) + 1;
    this.executionOrders.set(cell.notebook, order);
    execution.executionOrder = order;
    execution.start(Date.now());
    let success = false;
    try {
      await execution.clearOutput();
      const run = await runCell({ language: cell.document.languageId, source: cell.document.getText(), signal });
      await execution.replaceOutput(run.outputs.map(toCellOutput));
      success = run.success;
    } catch (error) {
      await execution.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(error as Error)]));
    } finally {
      execution.end(success, Date.now());
    }
    return success;
  }

  dispose(): void {
    this.abort.abort();
    this.disposables.forEach((d) => d.dispose());
    this.controller.dispose();
  }
}
