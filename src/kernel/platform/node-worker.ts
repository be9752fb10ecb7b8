/** Notebook workers as Node worker threads, with the heap capped by resourceLimits. */
import { Worker } from 'node:worker_threads';
import type { StartKernelWorker } from './kernel-worker';

export function nodeKernelWorker(workerPath: string): StartKernelWorker {
  return (data, events) => {
    const worker = new Worker(workerPath, {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: data.memoryLimitMb },
      // The cells' output is captured in the worker; what escapes (a timer logging after its cell) goes to the host's log.
      stdout: false,
      stderr: false,
    });
    worker.on('message', events.message);
    worker.on('error', (error: Error & { code?: string }) => events.error({ name: error.name, message: error.message, outOfMemory: error.code === 'ERR_WORKER_OUT_OF_MEMORY' }));
    worker.on('exit', events.exit);
    return { postMessage: (message) => worker.postMessage(message), terminate: () => void worker.terminate() };
  };
}
