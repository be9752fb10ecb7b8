/**
 * The pool through the kernel as a user runs it: a KernelSession, its worker (dist/kernel-worker.js) and
 * pool workers (dist/pool-worker.js) built from source into one folder with data/mnist.bin.gz.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { nodeKernelWorker } from '../../../src/kernel/platform/node-worker';
import { KernelSession, type RunResult } from '../../../src/kernel/session';
import { NODE_WORKER_BUILD } from './build-worker';

let dir: string;
const sessions: KernelSession[] = [];

const ICS_CELL = ['experiment: internal-covariate-shift', 'steps: 120', 'seeds: 2', 'testSize: 500', 'checkpoints: 5', 'seed: 3'].join('\n');

/** A session whose worker gets `parallelRuns` (WorkerData.parallelRuns, as the setting would give it). */
function session(parallelRuns: number): KernelSession {
  const start = nodeKernelWorker(path.join(dir, 'kernel-worker.js'));
  const s = new KernelSession({ startWorker: (data, events) => start({ ...data, parallelRuns }, events) });
  sessions.push(s);
  return s;
}

async function threadCount(): Promise<number> {
  return (await readdir('/proc/self/task')).length;
}

/** Runs the cell and reports the most threads this process had meanwhile. */
async function runCell(s: KernelSession): Promise<{ result: RunResult; peakThreads: number }> {
  let peakThreads = await threadCount();
  const sampler = setInterval(() => void threadCount().then((n) => (peakThreads = Math.max(peakThreads, n))), 50);
  try {
    const result = await s.run({ language: 'bnlab', source: ICS_CELL, label: 'Cell 1' });
    return { result, peakThreads };
  } finally {
    clearInterval(sampler);
  }
}

describe('parallel runs through the kernel (KernelSession → kernel worker → pool)', () => {
  let serial: { result: RunResult; peakThreads: number };
  let parallel: { result: RunResult; peakThreads: number };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bnlab-pool-session-'));
    await esbuild.build({
      entryPoints: { 'kernel-worker': 'src/kernel/worker.ts', 'pool-worker': 'src/kernel/pool-worker.ts' },
      outdir: dir,
      ...NODE_WORKER_BUILD,
    });
    const { buildMnist } = (await import(pathToFileURL(path.resolve('scripts/build-mnist.mjs')).href)) as { buildMnist(o: { out: string }): Promise<unknown> };
    await mkdir(path.join(dir, 'data'));
    await buildMnist({ out: path.join(dir, 'data', 'mnist.bin.gz') });
    const baseline = await threadCount();
    serial = await runCell(session(1));
    parallel = await runCell(session(2));
    serial.peakThreads -= baseline;
    parallel.peakThreads -= baseline;
  });
  after(() => sessions.forEach((s) => s.dispose()));

  it('shows the same outputs with a pool of 2 as in the kernel\'s own thread', () => {
    assert.equal(serial.result.success, true, JSON.stringify(serial.result.outputs).slice(0, 500));
    assert.equal(parallel.result.success, true, JSON.stringify(parallel.result.outputs).slice(0, 500));
    assert.deepEqual(parallel.result.outputs, serial.result.outputs);
  });

  it('runs the cell\'s runs on the pool workers', () => {
    assert.ok(parallel.peakThreads >= serial.peakThreads + 2, `threads beyond the test's own: ${serial.peakThreads} serially, ${parallel.peakThreads} with the pool`);
  });
});
