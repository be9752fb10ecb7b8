/**
 * The host's handle on a notebook's worker, whatever runs it: a Node worker thread (./node-worker.ts) or a
 * Web Worker in the web extension host (src/notebook/platform/web-kernel-worker.ts). KernelSession only
 * talks to this.
 */
import type { FromWorker, ToWorker, WorkerData } from '../protocol';

export interface KernelWorker {
  postMessage(message: ToWorker): void;
  terminate(): void;
}

export interface KernelWorkerEvents {
  message(message: FromWorker): void;
  /** The worker failed (an uncaught error, or its heap limit: `outOfMemory`); it is then terminated. */
  error(error: { name: string; message: string; outOfMemory: boolean }): void;
  exit(code: number): void;
}

export type StartKernelWorker = (data: WorkerData, events: KernelWorkerEvents) => KernelWorker;
