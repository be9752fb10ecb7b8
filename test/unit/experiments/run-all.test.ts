import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { quietContext, type ExperimentContext, type Progress } from '../../../src/experiments/experiment';
import { defineJob, jobNamed, runAll, type JobPool } from '../../../src/experiments/runs';
import type { PlotPayload } from '../../../src/shared/payload';

/** A job with steps, partial results and a failure on demand. */
const countJob = defineJob<{ n: number; fail?: boolean }, number[]>('test/count', async (input, context) => {
  const out: number[] = [];
  for (let step = 1; step <= input.n; step++) {
    if (input.fail && step === 2) throw new RangeError(`run ${input.n} failed at step 2`);
    out.push(input.n * step);
    context.progress({ step, total: input.n, label: `n=${input.n}` });
    context.partial([...out]);
    await Promise.resolve();
  }
  return out;
});

/** A pool that runs jobs by name on deep copies, as worker threads would (structured clone both ways). */
function clonePool(size: number): JobPool & { started: number } {
  const pool = {
    size,
    started: 0,
    async run(name: string, input: unknown, hooks: { progress(p: Progress): void; partial(r: unknown): void }) {
      pool.started++;
      const job = jobNamed(name);
      const result = await job.run(structuredClone(input), { ...quietContext(), progress: (p) => hooks.progress(p), partial: (r) => hooks.partial(structuredClone(r)) });
      return structuredClone(result);
    },
  };
  return pool;
}

function watching(pool?: JobPool): { context: ExperimentContext; progress: Progress[]; previews: PlotPayload[][] } {
  const progress: Progress[] = [];
  const previews: PlotPayload[][] = [];
  const context: ExperimentContext = { ...quietContext(), progress: (p) => progress.push(p), preview: (build) => previews.push(build()), ...(pool ? { pool } : {}) };
  return { context, progress, previews };
}

const inputs = [{ n: 3 }, { n: 4 }, { n: 2 }];
const expected = [[3, 6, 9], [4, 8, 12, 16], [2, 4]];
const preview = (results: readonly (number[] | undefined)[], done: readonly boolean[]): PlotPayload[] => [
  { version: 1, plot: { kind: 'sweep', title: `${done.filter(Boolean).length} done`, x: { label: 'n' }, y: { label: 'sum' }, arms: [{ arm: 'a', points: results.map((r, i) => ({ x: i, values: r ?? [] })) }] } },
];

test('runAll gives the results in input order, serially and on a pool, the same either way', async () => {
  const serial = await runAll(watching().context, countJob, inputs);
  assert.deepEqual(serial, expected);
  const pool = clonePool(2);
  const pooled = await runAll(watching(pool).context, countJob, inputs);
  assert.deepEqual(pooled, expected);
  assert.equal(pool.started, 3, 'every job went through the pool');
});

test('progress adds up every run, and the total reaches the sum of the runs\' steps', async () => {
  for (const pool of [undefined, clonePool(2)]) {
    const { context, progress } = watching(pool);
    await runAll(context, countJob, inputs);
    const last = progress.at(-1)!;
    assert.equal(last.step, 9);
    assert.equal(last.total, 9);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.step >= progress[i - 1]!.step, 'progress never goes back');
  }
});

test('partial results feed the preview while runs go, and the last preview has every run done', async () => {
  for (const pool of [undefined, clonePool(3)]) {
    const { context, previews } = watching(pool);
    await runAll(context, countJob, inputs, { preview });
    assert.ok(previews.length >= 9, `${previews.length} previews`);
    const title = (p: PlotPayload[]) => p[0]!.plot.title;
    assert.equal(title(previews[0]!), '0 done');
    assert.equal(title(previews.at(-1)!), '3 done');
  }
});

test('a failing run fails runAll with that run\'s error, on a pool as serially', async () => {
  const failing = [{ n: 3 }, { n: 5, fail: true }, { n: 2 }];
  for (const pool of [undefined, clonePool(2)]) {
    await assert.rejects(runAll(watching(pool).context, countJob, failing), (e: Error) => e instanceof RangeError && e.message === 'run 5 failed at step 2');
  }
});

test('with a recorder the runs stay in this thread (it watches live objects)', async () => {
  const pool = clonePool(2);
  const { context } = watching(pool);
  await runAll({ ...context, recorder: { onRun: () => {} } as never }, countJob, inputs);
  assert.equal(pool.started, 0);
});

test('job names are unique', () => {
  assert.throws(() => defineJob('test/count', () => 0), /already registered/);
  assert.throws(() => jobNamed('test/none'), /No job named "test\/none"/);
});
