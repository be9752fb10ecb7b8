import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Generator, nn, randn, sum } from '../../../../src/engine';
import { catalog } from '../../../../src/experiments/catalog';
import { ExperimentCellError, parseExperimentCell } from '../../../../src/experiments/cell';
import type { ExperimentContext } from '../../../../src/experiments/experiment';
import { NoisyBatchNorm } from '../../../../src/experiments/robustness/noisy-batchnorm-module';
import { runExperimentCell } from '../../../../src/kernel/experiment-cell';
import type { PercentileBandsPlot, PlotPayload, PlotSpec, SmallMultiplesPlot, SweepPlot, TrainingCurvesPlot } from '../../../../src/shared/payload';
import { PLOT_MIME } from '../../../../src/shared/payload';
import { testContext } from '../context';

let context: ExperimentContext;
before(async () => {
  context = await testContext();
});

async function run(source: string): Promise<{ plots: PlotSpec[]; markdown: string }> {
  const outputs = await runExperimentCell(source, context);
  // The plots, then the summary on its own.
  const plots = outputs.filter((o) => o.items[0]!.mime === PLOT_MIME).map((o) => (o.items[0]!.data as PlotPayload).plot);
  assert.deepEqual(outputs.at(-1)!.items.map((item) => item.mime), ['text/markdown']);
  const markdown = outputs[0]!.items.find((item) => item.mime === 'text/markdown')!.data as string;
  // Outputs are summaries: every number finite, and small.
  const json = JSON.stringify(outputs);
  assert.ok(!json.includes('null'), 'no NaN or infinity in the payloads');
  assert.ok(json.length < 100_000, `outputs are ${json.length} characters`);
  return { plots, markdown };
}

function cellError(source: string): ExperimentCellError {
  try {
    parseExperimentCell(source, catalog);
  } catch (error) {
    assert.ok(error instanceof ExperimentCellError, String(error));
    return error;
  }
  assert.fail('expected an ExperimentCellError');
}

const meanOf = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

describe('robustness experiments: parameters', () => {
  it('are registered in the catalog', () => {
    for (const id of ['init-sensitivity', 'batch-size', 'noisy-batchnorm', 'loss-landscape']) assert.ok(catalog.has(id), id);
  });

  it('a wrong value names the key, the line and what is allowed', () => {
    let error = cellError('experiment: init-sensitivity\nseeds: 2\nactivation: softplus\n');
    assert.equal(error.line, 3);
    assert.equal(error.key, 'activation');
    assert.match(error.message, /^Line 3, column \d+: "activation" must be one of "relu", "sigmoid", "tanh"; got "softplus"/);

    error = cellError('experiment: batch-size\nminBatch: 1\n');
    assert.equal(error.line, 2);
    assert.match(error.message, /"minBatch" must be an integer from 2 to 256; got 1/);

    error = cellError('experiment: noisy-batchnorm\nmaxScale: 0.5\n');
    assert.match(error.message, /^Line 2, .*"maxScale" must be a number from 1 to 100; got 0\.5/);

    error = cellError('experiment: loss-landscape\n# probe\nstepMin: 0\n');
    assert.equal(error.line, 3);
    assert.match(error.message, /"stepMin" must be a number greater than 0 and at most 100; got 0/);
  });

  it('defaults are filled in, with a full-length option allowed by the ranges', () => {
    const { params } = parseExperimentCell('experiment: init-sensitivity\nsteps: 50000\n', catalog);
    assert.equal(params.steps, 50000);
    assert.equal(params.stdMin, 1e-3);
    assert.equal(params.stdMax, 10);
    assert.equal(params.seeds, 3);
    assert.equal(parseExperimentCell('experiment: batch-size', catalog).params.maxBatch, 32);
  });

  it('a parameter combination that cannot work is refused with a message', async () => {
    await assert.rejects(run('experiment: batch-size\nwidth: 60\ngroups: 8'), /groups \(8\) must divide width \(60\)/);
    await assert.rejects(run('experiment: init-sensitivity\nstdMin: 1\nstdMax: 0.1'), /stdMax \(0\.1\) must be larger than stdMin \(1\)/);
  });
});

describe('NoisyBatchNorm', () => {
  it('scales and shifts each feature by fresh random amounts every training step, within the documented law', () => {
    const norm = new NoisyBatchNorm(16, { maxScale: 3, maxShift: 1.5, generator: new Generator(1) });
    const x = randn([64, 16], { generator: new Generator(2) });
    const first = norm.forward(x);
    const scale = norm.lastScale!.slice();
    const shift = norm.lastShift!.slice();
    for (let j = 0; j < 16; j++) {
      const column = Array.from({ length: 64 }, (_, i) => first.data[i * 16 + j]!);
      const m = meanOf(column);
      const sd = Math.sqrt(meanOf(column.map((v) => (v - m) ** 2)));
      assert.ok(scale[j]! >= 1 && scale[j]! <= 3, `scale ${scale[j]}`);
      assert.ok(Math.abs(shift[j]!) <= 1.5, `shift ${shift[j]}`);
      // BN gives mean 0 and std 1 (γ = 1, β = 0); the noise makes them m and s.
      assert.ok(Math.abs(m - shift[j]!) < 1e-4, `feature ${j}: mean ${m} vs shift ${shift[j]}`);
      assert.ok(Math.abs(sd - scale[j]!) < 1e-3 * scale[j]!, `feature ${j}: std ${sd} vs scale ${scale[j]}`);
    }
    norm.forward(x);
    assert.notDeepEqual(norm.lastScale, scale, 'new noise each step');
    // The same seed gives the same noise.
    const again = new NoisyBatchNorm(16, { maxScale: 3, maxShift: 1.5, generator: new Generator(1) });
    assert.deepEqual(again.forward(x).data, first.data);
  });

  it('passes gradients to the BatchNorm parameters, and uses the expected noise in eval mode', () => {
    const norm = new NoisyBatchNorm(4, { maxScale: 2, maxShift: 1, generator: new Generator(3) });
    const x = randn([8, 4], { generator: new Generator(4) });
    sum(norm.forward(x)).backward();
    assert.ok(norm.bn.weight!.grad, 'γ has a gradient');
    assert.equal(norm.parameters().length, 2);
    norm.eval();
    const plain = new nn.BatchNorm1d(4);
    plain.loadStateDict(norm.bn.stateDict());
    plain.eval();
    const expected = plain.forward(x).data.map((v) => v * 1.5);
    const got = norm.forward(x).data;
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-5));
  });
});

describe('robustness experiments: small runs', () => {
  it('init-sensitivity: a log sweep with both arms; BatchNorm trains from a tiny scale, no norm does not', async () => {
    const { plots, markdown } = await run('experiment: init-sensitivity\nsteps: 150\npoints: 3\nseeds: 1\ntrainSize: 2000\ntestSize: 500');
    const sweep = plots[0] as SweepPlot;
    assert.equal(sweep.kind, 'sweep');
    assert.equal(sweep.x.scale, 'log');
    assert.deepEqual(sweep.arms.map((a) => a.arm), ['no norm', 'BatchNorm']);
    for (const arm of sweep.arms) assert.deepEqual(arm.points.map((pt) => Number(pt.x.toPrecision(3))), [0.001, 0.1, 10]);
    const [none, batch] = sweep.arms;
    const at = (arm: typeof none, k: number): number => meanOf(arm!.points[k]!.values);
    assert.ok(at(batch, 0) > at(none, 0) + 30, `at std 1e-3: BatchNorm ${at(batch, 0)} %, no norm ${at(none, 0)} %`);
    // The largest scale makes the network without norm diverge or stay near chance.
    const last = none!.points[2]!;
    assert.ok((last.diverged ?? 0) > 0 || meanOf(last.values) < 20, JSON.stringify(last));
    const grid = plots[1] as SmallMultiplesPlot;
    assert.equal(grid.kind, 'small-multiples');
    assert.equal(grid.panels.length, 3);
    assert.match(markdown, /\| init std \| no norm \| BatchNorm \|/);
    assert.match(markdown, /BatchNorm widens the range of initial scales/);
  });

  it('batch-size: every arm at every batch size; BatchNorm is worst at batch 2', async () => {
    const { plots, markdown } = await run('experiment: batch-size\nmaxBatch: 8\nepochs: 0.5\nseeds: 1\ntrainSize: 2000\ntestSize: 500');
    const sweep = plots[0] as SweepPlot;
    assert.equal(sweep.kind, 'sweep');
    assert.deepEqual(sweep.arms.map((a) => a.arm), ['no norm', 'BatchNorm', 'GroupNorm', 'LayerNorm', 'BatchNorm, re-estimated stats']);
    for (const arm of sweep.arms) assert.deepEqual(arm.points.map((pt) => pt.x), [2, 4, 8]);
    const atTwo = Object.fromEntries(sweep.arms.map((a) => [a.arm, meanOf(a.points[0]!.values)]));
    assert.ok(atTwo.BatchNorm! < atTwo.GroupNorm! - 10 && atTwo.BatchNorm! < atTwo.LayerNorm! - 10, JSON.stringify(atTwo));
    const curves = plots[1] as SmallMultiplesPlot;
    assert.deepEqual(curves.panels.map((p) => p.title.split(' (')[0]), ['batch 8', 'batch 2']);
    const panel = curves.panels[0] as TrainingCurvesPlot;
    assert.equal(panel.x.label, 'examples seen');
    assert.match(markdown, /From batch 8 to batch 2, BatchNorm changes by /);
    assert.match(markdown, /\| 2 \| 0\.00625 \|/, 'lr = 0.1 · 2 / 32');
  });

  it('noisy-batchnorm: curves for three arms; noisy BN shifts its layer inputs far more than the others', async () => {
    const { plots, markdown } = await run('experiment: noisy-batchnorm\nsteps: 150\nseeds: 1\ntrainSize: 2000\ntestSize: 500');
    const curves = plots[0] as TrainingCurvesPlot;
    assert.equal(curves.kind, 'training-curves');
    assert.deepEqual([...new Set(curves.curves.map((c) => c.arm))], ['no norm', 'BatchNorm', 'noisy BN']);
    const bands = plots[1] as PercentileBandsPlot;
    assert.equal(bands.kind, 'percentile-bands');
    assert.deepEqual(bands.percentiles, [15, 50, 85]);
    // The median of the probed unit jumps from record to record with noisy BN, and not with BatchNorm.
    const jumpiness = (arm: string): number => {
      const median = bands.arms.find((a) => a.arm === arm)!.values[1]!;
      return meanOf(median.slice(1).map((v, k) => Math.abs(v - median[k]!)));
    };
    assert.ok(jumpiness('noisy BN') > 5 * jumpiness('BatchNorm'), `noisy ${jumpiness('noisy BN')}, BN ${jumpiness('BatchNorm')}`);
    assert.ok(jumpiness('noisy BN') > 5 * jumpiness('no norm'), `noisy ${jumpiness('noisy BN')}, no norm ${jumpiness('no norm')}`);
    assert.match(markdown, /\| noisy BN \| [\d.]+ \(/);
  });

  it('loss-landscape: bands over step sizes at checkpoints; the loss varies less along the gradient with BatchNorm', async () => {
    const { plots, markdown } = await run('experiment: loss-landscape\nsteps: 300\ncheckpoints: 3\nstepCount: 3\nseeds: 1\ntrainSize: 2000\ntestSize: 500');
    assert.deepEqual(plots.map((p) => p.kind), ['percentile-bands', 'percentile-bands', 'training-curves']);
    const loss = plots[0] as PercentileBandsPlot;
    assert.deepEqual(loss.percentiles, [0, 50, 100]);
    assert.deepEqual(loss.arms.map((a) => a.arm), ['no norm', 'BatchNorm']);
    for (const arm of loss.arms) {
      assert.deepEqual(arm.steps, [0, 100, 200, 300]);
      for (let k = 0; k < arm.steps.length; k++) assert.ok(arm.values[0]![k]! <= arm.values[1]![k]! && arm.values[1]![k]! <= arm.values[2]![k]!);
    }
    const width = (arm: number): number => meanOf(loss.arms[arm]!.values[2]!.slice(1).map((hi, k) => hi - loss.arms[arm]!.values[0]![k + 1]!));
    assert.ok(width(1) < width(0), `loss range: BatchNorm ${width(1)}, no norm ${width(0)}`);
    assert.match(markdown, /\| BatchNorm \| [\d.e+-]+ \|/);
  });
});
