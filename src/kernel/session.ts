/**
 * A notebook's kernel session, on the host side: one worker thread per notebook, one cell at a time.
 * The host never computes; it forwards cells, collects streamed outputs and progress, and keeps the
 * promises it made: every run settles, whether the cell finishes, throws, is interrupted, never yields
 * (the worker is then terminated after a grace period and a fresh one started) or runs out of memory.
 *
 * No `vscode` here: the controller and the headless runner share it. Workers are started through
 * ./platform/kernel-worker.ts: Node worker threads by default, Web Workers in the web extension host.
 */
import type { Progress } from '../experiments/experiment';
import type { BnnbOutput } from '../shared/bnnb-format';
import type { PlotPayload } from '../shared/payload';
import { TYPESCRIPT_LANGUAGE } from './cell-runner';
import { InterruptFlag } from './interrupt';
import type { KernelWorker, StartKernelWorker } from './platform/kernel-worker';
import { nodeKernelWorker } from './platform/node-worker';
import { appendOutput, errorOutput } from './outputs';
import type { CellRequest, FromWorker, ToWorker, WorkerData } from './protocol';

export interface SessionOptions {
  /** Path of the bundled Node worker (dist/kernel-worker.js); used unless `startWorker` is given. */
  workerPath?: string;
  /** Starts the worker another way (the web extension host's Web Worker). */
  startWorker?: StartKernelWorker;
  /** Heap limit of the worker, in MB. */
  memoryLimitMb?: number;
  /** Workers for an experiment's independent runs (1: in the kernel's own thread; 0 or absent: one per core but one). */
  parallelRuns?: number;
  /** How long an interrupted cell has to stop by itself before its worker is terminated. */
  interruptGraceMs?: number;
  /** Whether the workspace is trusted: TypeScript cells run code, so they only run when it is. */
  isTrusted?: () => boolean;
}

export interface RunListener {
  /** Called with all outputs so far (streamed ones merged) whenever they change. */
  onOutputs?(outputs: BnnbOutput[]): void;
  onProgress?(progress: Progress): void;
  /** The running experiment's live plots (a few a second at most); the run's outputs replace them. */
  onPreview?(plots: PlotPayload[]): void;
}

export interface RunResult {
  success: boolean;
  outputs: BnnbOutput[];
}

interface ActiveRun {
  runId: number;
  outputs: BnnbOutput[];
  listener: RunListener;
  settle(result: RunResult): void;
  graceTimer?: ReturnType<typeof setTimeout>;
}

export const DEFAULT_MEMORY_LIMIT_MB = 2048;
export const DEFAULT_INTERRUPT_GRACE_MS = 1000;

export class KernelSession {
  private worker: KernelWorker | undefined;
  private readonly interruptFlag = new InterruptFlag();
  private active: ActiveRun | undefined;
  private nextRunId = 1;
  private disposed = false;

  constructor(private readonly options: SessionOptions) {}

  /** Runs one cell. Calls must not overlap: the controller queues them. */
  run(cell: CellRequest, listener: RunListener = {}): Promise<RunResult> {
    if (this.disposed) return Promise.resolve(failure('KernelDisposed', 'The kernel was shut down.'));
    if (this.active) throw new Error('KernelSession.run: a cell is already running');
    if (cell.language === TYPESCRIPT_LANGUAGE && this.options.isTrusted && !this.options.isTrusted()) {
      return Promise.resolve(
        failure(
          'RestrictedMode',
          'This TypeScript cell runs code, and this workspace is in Restricted Mode, so it was not run. ' +
            'Experiment (bnlab) cells still run. To run code cells, trust the folder: "Manage Workspace Trust" in the Command Palette, then "Trust".',
        ),
      );
    }
    const worker = this.ensureWorker();
    const runId = this.nextRunId++;
    return new Promise<RunResult>((resolve) => {
      this.active = {
        runId,
        outputs: [],
        listener,
        settle: (result) => {
          const active = this.active;
          if (active?.runId !== runId) return;
          clearTimeout(active.graceTimer);
          this.active = undefined;
          resolve(result);
        },
      };
      this.post(worker, { type: 'run', runId, cell });
    });
  }

  /**
   * Stops the running cell: experiments and `progress()` calls stop at their next step, an awaiting cell
   * at once. A cell that does neither within the grace period loses its worker, and the notebook its state.
   */
  interrupt(): void {
    const active = this.active;
    if (!active || !this.worker) return;
    this.interruptFlag.set();
    this.post(this.worker, { type: 'interrupt', runId: active.runId });
    active.graceTimer ??= setTimeout(() => {
      const seconds = (this.options.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS) / 1000;
      this.killWorker(
        'InterruptedError',
        `Interrupted: the cell did not stop within ${seconds} s (it never paused between steps), so its worker was stopped. ` +
          "The notebook's state was lost: run the cells above again to rebuild it.",
      );
    }, this.options.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS);
  }

  /** Throws away the notebook's state: the running cell (if any) fails, and the next cell gets a fresh worker. */
  async restart(): Promise<void> {
    this.killWorker('KernelRestarted', "The kernel was restarted while this cell ran: the notebook's state was lost.");
  }

  get isRunning(): boolean {
    return this.active !== undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.killWorker('KernelDisposed', 'The kernel was shut down (the notebook was closed).');
  }

  private ensureWorker(): KernelWorker {
    if (this.worker) return this.worker;
    const start = this.options.startWorker ?? nodeKernelWorker(this.requireWorkerPath());
    const data: WorkerData = {
      // Without shared memory (a web page that is not cross-origin isolated) the interrupt travels as a message only.
      ...(this.interruptFlag.shared ? { interruptBuffer: this.interruptFlag.buffer as SharedArrayBuffer } : {}),
      memoryLimitMb: this.options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB,
      parallelRuns: this.options.parallelRuns ?? 0,
    };
    const worker: KernelWorker = start(data, {
      message: (message) => this.onMessage(worker, message),
      error: (error) => this.onWorkerError(worker, error),
      exit: (code) => {
        if (this.worker !== worker) return;
        this.worker = undefined;
        this.active?.settle(failure('KernelDied', `The notebook's worker exited unexpectedly (code ${code}); its state was lost. Run the cells above again.`, this.active.outputs));
      },
    });
    this.worker = worker;
    return worker;
  }

  private requireWorkerPath(): string {
    if (!this.options.workerPath) throw new Error('KernelSession: give workerPath or startWorker');
    return this.options.workerPath;
  }

  private onMessage(worker: KernelWorker, message: FromWorker): void {
    const active = this.active;
    if (worker !== this.worker || !active || message.runId !== active.runId) return;
    switch (message.type) {
      case 'output':
        appendOutput(active.outputs, message.output);
        active.listener.onOutputs?.(active.outputs);
        break;
      case 'progress':
        active.listener.onProgress?.(message.progress);
        break;
      case 'preview':
        active.listener.onPreview?.(message.plots);
        break;
      case 'done':
        for (const output of message.outputs) appendOutput(active.outputs, output);
        active.settle({ success: message.success, outputs: active.outputs });
        break;
    }
  }

  private onWorkerError(worker: KernelWorker, error: { name: string; message: string; outOfMemory: boolean }): void {
    if (worker !== this.worker) return;
    const limit = this.options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB;
    const outOfMemory = error.outOfMemory;
    this.killWorker(
      outOfMemory ? 'OutOfMemory' : error.name,
      outOfMemory
        ? `The cell used more than the kernel's memory limit (${limit} MB, setting "batchnormLab.kernel.memoryLimitMb"). ` +
            "Its worker was stopped and the notebook's state was lost; VS Code is unaffected. Use smaller batches or models, or raise the limit."
        : `The notebook's worker failed: ${error.message}. Its state was lost.`,
    );
  }

  /** Ends the worker (if any) and fails the running cell (if any) with the given reason. */
  private killWorker(name: string, message: string): void {
    const worker = this.worker;
    this.worker = undefined;
    this.interruptFlag.clear();
    const active = this.active;
    active?.settle(failure(name, message, active.outputs));
    worker?.terminate();
  }

  private post(worker: KernelWorker, message: ToWorker): void {
    worker.postMessage(message);
  }
}

function failure(name: string, message: string, before: BnnbOutput[] = []): RunResult {
  const outputs = [...before];
  appendOutput(outputs, errorOutput(name, message));
  return { success: false, outputs };
}
