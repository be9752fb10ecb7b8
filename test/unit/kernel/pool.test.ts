import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import { DivergenceError } from '../../../src/experiments/divergence';
import { InterruptedError, quietContext, type ExperimentContext, type Progress } from '../../../src/experiments/experiment';
import { runAll, type JobPool } from '../../../src/experiments/runs';
import { InterruptFlag } from '../../../src/kernel/interrupt';
import { nodePoolWorker } from '../../../src/kernel/platform/node-pool-worker';
import { MemoryLimitError } from '../../../src/kernel/platform/types';
import { WorkerJobPool } from '../../../src/kernel/pool';
import { resolveParallelRuns } from '../../../src/kernel/pool-size';
import { NODE_WORKER_BUILD } from './build-worker';
import { doubling, failing, killing, spinOrFail, spinning, trainSmallMlp, type TrainInput } from './pool-jobs';

const root = path.resolve(__dirname, '../../..');
let dir: string;
let poolWorkerPath: string;
const pools: WorkerJobPool[] = [];

/** Bundles `imports` (paths from the repository's root) into one worker script in the test's folder. */
async function bundle(name: string, imports: string[]): Promise<string> {
  const outfile = path.join(dir, name);
  await esbuild.build({
    stdin: { contents: imports.map((file) => `import ${JSON.stringify(`./${file}`)};`).join('\n'), resolveDir: root, loader: 'ts' },
    outfile,
    ...NODE_WORKER_BUILD,
  });
  return outfile;
}

function pool(size: number, interrupt = new InterruptFlag(), memoryLimitMb = 512): WorkerJobPool {
  const p = new WorkerJobPool({ size, memoryLimitMb, start: nodePoolWorker(poolWorkerPath, { interruptBuffer: interrupt.buffer as SharedArrayBuffer }, memoryLimitMb) });
  pools.push(p);
  return p;
}

function withPool(jobPool: JobPool, interrupt = new InterruptFlag(), progress: (p: Progress) => void = () => {}): ExperimentContext {
  return { ...quietContext(), checkInterrupt: () => interrupt.throwIfSet(), progress, pool: jobPool };
}

function bits(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** Threads of this process (Linux). */
function threadCount(): number {
  return readdirSync('/proc/self/task').length;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
  return condition();
}

describe('job pool (parallel runs of an experiment)', () => {
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bnlab-pool-'));
    // The shipped pool worker (catalog and all) plus the test's jobs.
    poolWorkerPath = await bundle('pool-worker.js', ['test/unit/kernel/pool-jobs.ts', 'src/kernel/pool-worker.ts']);
  });
  after(() => pools.forEach((p) => p.terminate()));

  it('gives the same results as a serial run, bit for bit', async () => {
    const inputs: TrainInput[] = [0, 1, 2].flatMap((seed) => (['none', 'batch'] as const).map((norm) => ({ seed, norm, steps: 60 })));
    const serial = await runAll(quietContext(), trainSmallMlp, inputs);
    const jobPool = pool(2);
    const partials: number[] = [];
    const parallel = await runAll(withPool(jobPool), trainSmallMlp, inputs, {
      preview: (results) => {
        partials.push(results.filter((r) => r !== undefined).length);
        return [];
      },
    });
    assert.equal(jobPool.workerCount, 2, 'two workers ran the jobs');
    assert.equal(parallel.length, inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      assert.ok(bits(parallel[i]!.parameters).equals(bits(serial[i]!.parameters)), `run ${i}: the trained parameters differ`);
      assert.deepEqual(parallel[i]!.result, serial[i]!.result, `run ${i}: the curves differ`);
    }
    assert.ok(serial[0]!.result.loss.at(-1)! < serial[0]!.result.loss[0]!, 'the network learned something');
  });

  it('fails runAll with the failing run\'s error: its name and message, and the classes of the lab\'s own errors', async () => {
    const jobPool = pool(2);
    await assert.rejects(runAll(withPool(jobPool), failing, [{ kind: 'plain', at: 1 }, { kind: 'plain', at: 2 }]), (error: Error) => {
      assert.equal(error.name, 'BrokenRunError');
      assert.match(error.message, /^run [12] broke$/);
      return true;
    });
    const serialError = await runAll(quietContext(), failing, [{ kind: 'divergence', at: 7 }]).then(
      () => assert.fail('the serial run fails'),
      (e: unknown) => e as Error,
    );
    await assert.rejects(runAll(withPool(jobPool), failing, [{ kind: 'divergence', at: 7 }, { kind: 'divergence', at: 7 }]), (error: Error) => {
      assert.ok(error instanceof DivergenceError, `a DivergenceError, got ${error.name}`);
      assert.equal(error.message, serialError.message);
      assert.equal(error.step, 7);
      return true;
    });
  });

  it('ends the sibling runs when one fails, so the next cell finds the pool free', async () => {
    const jobPool = pool(2);
    const startedAt = Date.now();
    const inputs = [{ seconds: 30 }, { seconds: 30, failAfterMs: 500 }, { seconds: 30 }];
    await assert.rejects(runAll(withPool(jobPool), spinOrFail, inputs), (error: Error) => error instanceof RangeError && error.message === 'this run failed');
    assert.equal(jobPool.runningCount, 0, 'no sibling left running');
    assert.deepEqual(await runAll(withPool(jobPool), doubling, [{ value: 1, steps: 1 }, { value: 2, steps: 1 }]), [2, 4]);
    assert.ok(Date.now() - startedAt < 20_000, 'the spinning runs did not run their 30 s');
  });

  it('stops running jobs within a second of an interrupt, and runs the next cell\'s jobs', async () => {
    const interrupt = new InterruptFlag();
    const jobPool = pool(2, interrupt);
    const running = runAll(withPool(jobPool, interrupt), spinning, [{ seconds: 30 }, { seconds: 30 }, { seconds: 30 }]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const interruptedAt = Date.now();
    interrupt.set();
    await assert.rejects(running, InterruptedError);
    const latency = Date.now() - interruptedAt;
    assert.ok(latency < 1000, `stopped after ${latency} ms`);
    interrupt.clear();
    assert.deepEqual(await runAll(withPool(jobPool, interrupt), doubling, [{ value: 1, steps: 1 }, { value: 2, steps: 1 }]), [2, 4]);
  });

  it('adds up the runs\' progress, and keeps the input order of the results', async () => {
    const seen: Progress[] = [];
    const inputs = [5, 6, 7, 8, 9].map((value) => ({ value, steps: 200 }));
    const results = await runAll(withPool(pool(2), undefined, (p) => seen.push(p)), doubling, inputs);
    assert.deepEqual(results, [10, 12, 14, 16, 18]);
    assert.deepEqual(seen.at(-1), { step: 1000, total: 1000 }, 'the last progress covers every run');
    assert.ok(seen.every((p) => p.step <= p.total));
    assert.ok(seen.length < 100, `progress is throttled in the pool workers (${seen.length} updates for 1000 steps)`);
  });

  it('fails the job of a worker that runs out of memory or exits, and replaces the worker', async () => {
    const jobPool = pool(2, undefined, 64);
    await assert.rejects(runAll(withPool(jobPool), killing, [{ how: 'heap' }, { how: 'heap' }]), (error: Error) => {
      assert.ok(error instanceof MemoryLimitError, `a MemoryLimitError, got ${error.name}: ${error.message}`);
      assert.match(error.message, /job "test:killing".*64 MB.*batchnormLab\.kernel\.memoryLimitMb/);
      return true;
    });
    await assert.rejects(runAll(withPool(jobPool), killing, [{ how: 'exit' }, { how: 'exit' }]), /job "test:killing"\) exited unexpectedly \(code 3\)/);
    assert.deepEqual(await runAll(withPool(jobPool), doubling, [{ value: 3, steps: 1 }, { value: 4, steps: 1 }]), [6, 8], 'fresh workers run the next jobs');
    assert.equal(jobPool.workerCount, 2);
  });

  it('ends its workers with the thread that started them (no orphan threads)', async () => {
    const host = await bundle('pool-host.js', ['test/unit/kernel/pool-host.ts']);
    const baseline = threadCount();
    const worker = new Worker(host, { workerData: { poolWorkerPath } });
    const ready = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    assert.deepEqual(ready, [2, 4]);
    const during = threadCount();
    assert.ok(during >= baseline + 3, `the host and its two pool workers run (${baseline} threads before, ${during} during)`);
    await worker.terminate();
    assert.ok(await until(() => threadCount() <= baseline, 5000), `${threadCount()} threads after the host ended, ${baseline} before`);
  });

  it('resolves the setting: 0 or absent is one per core but one, at least 1', () => {
    assert.equal(resolveParallelRuns(undefined, 8), 7);
    assert.equal(resolveParallelRuns(0, 8), 7);
    assert.equal(resolveParallelRuns(0, 2), 1);
    assert.equal(resolveParallelRuns(0, 1), 1);
    assert.equal(resolveParallelRuns(3, 2), 3);
    assert.equal(resolveParallelRuns(1, 8), 1);
  });
});
