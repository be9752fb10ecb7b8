/** A thread that starts a job pool and runs two jobs on it, for pool.test.ts's orphan-thread check. */
import { parentPort, workerData } from 'node:worker_threads';
import { quietContext } from '../../../src/experiments/experiment';
import { runAll } from '../../../src/experiments/runs';
import { nodePoolWorker } from '../../../src/kernel/platform/node-pool-worker';
import { WorkerJobPool } from '../../../src/kernel/pool';
import { doubling } from './pool-jobs';

const { poolWorkerPath } = workerData as { poolWorkerPath: string };
const pool = new WorkerJobPool({ size: 2, memoryLimitMb: 256, start: nodePoolWorker(poolWorkerPath, {}, 256) });
void runAll({ ...quietContext(), pool }, doubling, [{ value: 1, steps: 1 }, { value: 2, steps: 1 }]).then((results) => parentPort!.postMessage(results));
