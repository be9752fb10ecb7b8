/**
 * Entry of a pool worker (bundled to dist/pool-worker.js), started by the kernel worker's job pool
 * (pool.ts). It imports the experiment catalog, which registers every job, and reads the same datasets
 * as the kernel worker from the data folder beside it.
 */
import './platform/node-relaxed-simd'; // first: before the engine compiles its WebAssembly
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import '../experiments/catalog';
import { fileDatasets } from './datasets';
import { InterruptFlag } from './interrupt';
import type { PoolWorkerData, ToPoolWorker } from './pool-protocol';
import { servePoolJobs } from './pool-worker-loop';

const port = parentPort!;
const { interruptBuffer } = workerData as PoolWorkerData;
const serve = servePoolJobs({
  interrupt: new InterruptFlag(interruptBuffer),
  datasets: fileDatasets(path.join(__dirname, 'data')),
  post: (message) => port.postMessage(message),
});
port.on('message', (message: ToPoolWorker) => serve(message));
