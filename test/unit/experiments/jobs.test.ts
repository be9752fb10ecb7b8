/**
 * The experiments' runs as pool jobs: each converted experiment gives the same result, bit for bit, when
 * its jobs run in this thread and when a pool runs them by name on deep-cloned inputs and results (as
 * worker threads do); jobs take and return plain data; live plots grow before the end and are drawable;
 * knobs name real parameters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalog } from '../../../src/experiments/catalog';
import type { ExperimentContext, Progress } from '../../../src/experiments/experiment';
import { jobNamed, type JobPool } from '../../../src/experiments/runs';
import { runExperimentCell } from '../../../src/kernel/experiment-cell';
import type { PlotPayload } from '../../../src/shared/payload';
import { validatePayload } from '../../../renderers/validate';
import { testContext } from './context';

/** Small cells of every experiment whose runs are jobs. */
const cells: Record<string, string> = {
  'internal-covariate-shift': 'steps: 100\nseeds: 2\nhidden: 16\ntestSize: 300\ncheckpoints: 5\nseed: 3',
  'feature-scales-training': 'steps: 60\nseeds: 2\ntrainSize: 200\ntestSize: 100\nseed: 1',
  'learning-rate-sweep': 'lrMin: 0.01\nlrMax: 1\npointsPerDecade: 1\nsteps: 30\nseeds: 2\ndepth: 2\nwidth: 16\ntestSize: 200',
  'batch-size': 'maxBatch: 16\nminBatch: 8\nepochs: 0.05\nwidth: 16\ngroups: 4\ntrainSize: 1000\ntestSize: 200\nseeds: 2',
  'init-sensitivity': 'points: 3\nsteps: 30\nwidth: 16\ndepth: 2\ntrainSize: 500\ntestSize: 200\nseeds: 2',
  'loss-landscape': 'stepCount: 3\ncheckpoints: 3\nsteps: 30\nwidth: 16\ndepth: 2\ntrainSize: 1000\ntestSize: 200\nseeds: 2',
  'noisy-batchnorm': 'steps: 30\nwidth: 16\ndepth: 2\ntrainSize: 1000\ntestSize: 200\nseeds: 2',
  'batch-renorm': 'trainSize: 500\ntestSize: 200\nsteps: 40\nhidden: 16\nseeds: 2',
  'gamma-beta-placement': 'trainSize: 500\ntestSize: 200\nsteps: 40\nhidden: 16\nseeds: 2',
  'inference-statistics': 'trainSize: 500\ntestSize: 1024\nsteps: 40\nhidden: 16\nseeds: 2',
  regularization: 'trainSize: 200\ntestSize: 200\nsteps: 40\nhidden: 16\nseeds: 2',
};

/** Throws unless `value` is plain structured-cloneable data: numbers, strings, booleans, arrays, typed arrays, plain objects. */
function assertPlain(value: unknown, path: string): void {
  if (value === null || value === undefined || ['number', 'string', 'boolean'].includes(typeof value)) return;
  if (ArrayBuffer.isView(value)) return;
  assert.equal(typeof value, 'object', `${path} is a ${typeof value}`);
  const proto = Object.getPrototypeOf(value) as unknown;
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertPlain(v, `${path}[${i}]`));
    return;
  }
  assert.equal(proto, Object.prototype, `${path} is an instance of ${(value as object).constructor?.name}, not a plain object`);
  for (const [k, v] of Object.entries(value)) assertPlain(v, `${path}.${k}`);
}

/** A pool as worker threads are: it finds the job by name and sees only clones of inputs, partial and final results. */
function clonePool(context: ExperimentContext, seen: { names: Set<string>; jobs: number }): JobPool {
  return {
    size: 2,
    async run(name, input, hooks) {
      assertPlain(input, `${name} input`);
      seen.names.add(name);
      seen.jobs++;
      const job = jobNamed(name);
      const jobContext = {
        checkInterrupt: () => context.checkInterrupt(),
        datasets: context.datasets,
        progress: hooks.progress,
        partial: (r: unknown) => {
          assertPlain(r, `${name} partial result`);
          hooks.partial(structuredClone(r));
        },
      };
      const result = await job.run(structuredClone(input), jobContext);
      assertPlain(result, `${name} result`);
      return structuredClone(result);
    },
  };
}

/** How many numbers a plot holds: a measure of how far a live plot has grown. */
function dataPoints(payloads: readonly PlotPayload[]): number {
  let count = 0;
  const walk = (value: unknown): void => {
    if (typeof value === 'number') count++;
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  payloads.forEach((p) => walk(p.plot));
  return count;
}

async function run(id: string, withPool: boolean): Promise<{ outputs: unknown; previews: PlotPayload[][]; seen: { names: Set<string>; jobs: number }; progress: Progress[] }> {
  const context = await testContext();
  const previews: PlotPayload[][] = [];
  const seen = { names: new Set<string>(), jobs: 0 };
  context.preview = (build) => previews.push(build());
  if (withPool) context.pool = clonePool(context, seen);
  const outputs = await runExperimentCell(`experiment: ${id}\n${cells[id]!}`, context);
  return { outputs, previews, seen, progress: context.progressSeen };
}

describe('experiment runs as pool jobs', () => {
  for (const id of Object.keys(cells)) {
    it(`${id}: the same result serially and on a pool of cloned jobs, with live plots that grow`, async () => {
      const serial = await run(id, false);
      const pooled = await run(id, true);
      assert.deepStrictEqual(pooled.outputs, serial.outputs, 'pool and serial results differ');
      assert.ok(pooled.seen.jobs >= 2, `${pooled.seen.jobs} jobs ran on the pool`);
      for (const name of pooled.seen.names) assert.ok(name.startsWith(`${id}/`), `job ${name} is not named after its experiment`);

      for (const { progress } of [serial, pooled]) {
        // Every job's steps are counted from the start: the total never changes and the last step reaches it.
        const totals = new Set(progress.map((p) => p.total));
        assert.equal(totals.size, 1, `the progress total changed: ${[...totals].join(', ')}`);
        assert.equal(progress.at(-1)!.step, progress.at(-1)!.total);
      }
      for (const { previews } of [serial, pooled]) {
        assert.ok(previews.length >= 2, `${previews.length} previews`);
        for (const preview of previews) for (const payload of preview) assert.ok(validatePayload(payload).ok, `an undrawable live plot: ${JSON.stringify(validatePayload(payload))}`);
        const sizes = previews.map(dataPoints);
        const finalPlots = (serial.outputs as { items: { mime: string; data: unknown }[] }[]).flatMap((o) => o.items.filter((i) => i.mime.includes('plot')).map((i) => i.data as PlotPayload));
        assert.ok(sizes[0]! < dataPoints(finalPlots), `the first preview (${sizes[0]} numbers) is not smaller than the result (${dataPoints(finalPlots)})`);
        assert.ok(new Set(sizes).size >= 2, `the live plots did not grow: ${sizes.join(', ')}`);
      }
    });
  }
});

describe('experiment knobs', () => {
  it('every experiment names 2–5 knobs, each a parameter of its own', () => {
    for (const experiment of catalog.values()) {
      if (experiment.id === 'pytorch-comparison') continue;
      const knobs = experiment.knobs ?? [];
      assert.ok(knobs.length >= 2 && knobs.length <= 5, `${experiment.id}: ${knobs.length} knobs`);
      assert.equal(new Set(knobs).size, knobs.length, `${experiment.id}: a knob named twice`);
      for (const key of knobs) assert.ok(key in experiment.params, `${experiment.id}: knob "${key}" is not a parameter`);
    }
  });
});
