/** The web build's stand-in for ./node-worker.ts: there are no worker threads, the host passes `startWorker`. */
import type { StartKernelWorker } from './kernel-worker';

export function nodeKernelWorker(_workerPath: string): StartKernelWorker {
  throw new Error('KernelSession: worker threads do not exist in the browser; pass the web worker starter (startWorker)');
}
