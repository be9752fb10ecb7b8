/**
 * The kernel worker's pool of workers for an experiment's independent runs (src/experiments/runs.ts):
 * up to `size` workers, started when a job first needs one and kept for the session, one job at a time
 * each; jobs wait in order for a free worker. A worker that dies (its heap limit, a crash) fails its job
 * with a message that says so and is replaced by the next job that needs one. How a worker is started
 * is the platform's (./platform/node-pool-worker.ts); this module only schedules.
 */
import type { JobHooks, JobPool } from '../experiments/runs';
import { MemoryLimitError } from './platform/types';
import { fromJobError, type FromPoolWorker, type ToPoolWorker } from './pool-protocol';

export interface PoolWorker {
  postMessage(message: ToPoolWorker): void;
  terminate(): void;
}

export interface PoolWorkerEvents {
  message(message: FromPoolWorker): void;
  /** The worker failed (an uncaught error, or its heap limit: `outOfMemory`); it is then gone. */
  error(error: { message: string; outOfMemory: boolean }): void;
  exit(code: number): void;
}

export type StartPoolWorker = (events: PoolWorkerEvents) => PoolWorker;

interface QueuedJob {
  jobId: number;
  name: string;
  input: unknown;
  hooks: JobHooks;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

interface Slot {
  worker: PoolWorker;
  job?: QueuedJob;
}

export interface WorkerJobPoolOptions {
  size: number;
  start: StartPoolWorker;
  /** Named in the message when a worker runs out of memory (each worker has the kernel worker's limit). */
  memoryLimitMb: number;
}

export class WorkerJobPool implements JobPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: QueuedJob[] = [];
  private nextJobId = 1;
  private terminated = false;

  constructor(private readonly options: WorkerJobPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`WorkerJobPool: size must be a positive integer, got ${options.size}`);
    this.size = options.size;
  }

  run(name: string, input: unknown, hooks: JobHooks): Promise<unknown> {
    if (this.terminated) return Promise.reject(new Error('The pool of workers was shut down.'));
    return new Promise((resolve, reject) => {
      this.queue.push({ jobId: this.nextJobId++, name, input, hooks, resolve, reject });
      this.dispatch();
    });
  }

  /** How many workers are running now (started lazily, so 0 before the first job). */
  get workerCount(): number {
    return this.slots.length;
  }

  /** Jobs running now. */
  get runningCount(): number {
    return this.slots.filter((slot) => slot.job).length;
  }

  /** Fails queued and running jobs; the workers running them are ended (the next jobs start fresh ones), idle ones kept. */
  cancel(): void {
    const error = new Error('Cancelled: another run of this experiment failed.');
    error.name = 'Cancelled';
    for (const job of this.queue.splice(0)) job.reject(error);
    for (const slot of this.slots.filter((s) => s.job)) {
      this.slots.splice(this.slots.indexOf(slot), 1);
      slot.worker.terminate();
      slot.job!.reject(error);
      slot.job = undefined;
    }
  }

  /** Ends every worker; queued and running jobs fail. */
  terminate(): void {
    this.terminated = true;
    const error = new Error('The pool of workers was shut down.');
    for (const job of this.queue.splice(0)) job.reject(error);
    for (const slot of this.slots.splice(0)) {
      slot.job?.reject(error);
      slot.worker.terminate();
    }
  }

  /** Gives queued jobs to idle workers, starting workers up to `size`. */
  private dispatch(): void {
    while (this.queue.length > 0 && !this.terminated) {
      const slot = this.slots.find((s) => !s.job) ?? (this.slots.length < this.size ? this.startSlot() : undefined);
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.postMessage({ type: 'run', jobId: job.jobId, name: job.name, input: job.input });
    }
  }

  private startSlot(): Slot {
    const slot = {} as Slot;
    slot.worker = this.options.start({
      message: (message) => this.onMessage(slot, message),
      error: ({ message, outOfMemory }) => this.onWorkerGone(slot, outOfMemory ? this.outOfMemory(slot) : workerFailed(slot, `failed: ${message}`)),
      exit: (code) => this.onWorkerGone(slot, workerFailed(slot, `exited unexpectedly (code ${code})`)),
    });
    this.slots.push(slot);
    return slot;
  }

  private onMessage(slot: Slot, message: FromPoolWorker): void {
    const job = slot.job;
    if (!job || message.jobId !== job.jobId) return;
    switch (message.type) {
      case 'progress':
        job.hooks.progress(message.progress);
        break;
      case 'partial':
        job.hooks.partial(message.result);
        break;
      case 'done':
      case 'failed':
        slot.job = undefined;
        if (message.type === 'done') job.resolve(message.result);
        else job.reject(fromJobError(message.error));
        this.dispatch();
        break;
    }
  }

  /** A worker is gone (Node reports `error` then `exit`: only the first counts): fail its job, free its place. */
  private onWorkerGone(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    slot.worker.terminate();
    slot.job?.reject(error);
    slot.job = undefined;
    this.dispatch();
  }

  private outOfMemory(slot: Slot): Error {
    return new MemoryLimitError(
      `A run of this experiment (job "${slot.job?.name ?? 'none'}") used more than a worker's memory limit (${this.options.memoryLimitMb} MB, setting "batchnormLab.kernel.memoryLimitMb"). ` +
        'Its worker was replaced; the notebook\'s state is kept. Use smaller batches or models, fewer parallel runs ("batchnormLab.kernel.parallelRuns"), or raise the limit.',
    );
  }
}

function workerFailed(slot: Slot, what: string): Error {
  const error = new Error(`The worker running a run of this experiment (job "${slot.job?.name ?? 'none'}") ${what}. It was replaced; the notebook's state is kept. Run the cell again.`);
  error.name = 'PoolWorkerFailed';
  return error;
}
