/** Pool workers as Node worker threads, each with the kernel worker's heap cap (resourceLimits). */
import { Worker } from 'node:worker_threads';
import type { StartPoolWorker } from '../pool';
import type { PoolWorkerData } from '../pool-protocol';

export function nodePoolWorker(workerPath: string, data: PoolWorkerData, memoryLimitMb: number): StartPoolWorker {
  return (events) => {
    const worker = new Worker(workerPath, {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb },
      // What a job prints goes to the kernel worker's streams, as stray output of the kernel worker does.
      stdout: false,
      stderr: false,
    });
    worker.on('message', events.message);
    worker.on('error', (error: Error & { code?: string }) => events.error({ message: error.message, outOfMemory: error.code === 'ERR_WORKER_OUT_OF_MEMORY' }));
    worker.on('exit', events.exit);
    return { postMessage: (message) => worker.postMessage(message), terminate: () => void worker.terminate() };
  };
}
