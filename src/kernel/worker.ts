/**
 * Entry of a notebook's worker thread in Node (bundled to dist/kernel-worker.js). It holds the engine and
 * the notebook's state; worker-loop.ts serves the host's messages. The web build's entry is worker-web.ts.
 */
import './platform/node-relaxed-simd'; // first: before the engine compiles its WebAssembly
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { CellRunner } from './cell-runner';
import { fileDatasets } from './datasets';
import { InterruptFlag } from './interrupt';
import { nodePlatform } from './platform/node';
import { nodePoolWorker } from './platform/node-pool-worker';
import { WorkerJobPool } from './pool';
import { resolveParallelRuns } from './pool-size';
import type { FromWorker, WorkerData } from './protocol';
import { serveCells } from './worker-loop';

const port = parentPort!;
const { interruptBuffer, memoryLimitMb, parallelRuns } = workerData as WorkerData;
const interrupt = new InterruptFlag(interruptBuffer);
// Pool workers start with the first parallel runs and end with this worker (Node stops a thread's sub-workers with it).
const poolSize = resolveParallelRuns(parallelRuns, availableParallelism());
const pool =
  poolSize > 1
    ? new WorkerJobPool({ size: poolSize, memoryLimitMb, start: nodePoolWorker(path.join(__dirname, 'pool-worker.js'), interruptBuffer ? { interruptBuffer } : {}, memoryLimitMb) })
    : undefined;
const platform = { ...nodePlatform, jobPool: () => pool };
const runner = new CellRunner(interrupt, fileDatasets(path.join(__dirname, 'data')), platform);
port.on('message', serveCells(runner, interrupt, (message: FromWorker) => port.postMessage(message)));
