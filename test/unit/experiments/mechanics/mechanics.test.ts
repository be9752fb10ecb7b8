import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { catalog } from '../../../../src/experiments/catalog';
import { ExperimentCellError, parseExperimentCell } from '../../../../src/experiments/cell';
import type { ExperimentContext, ExperimentResult } from '../../../../src/experiments/experiment';
import { compare, verdict } from '../../../../src/experiments/mechanics/common';
import type { HeatmapPlot, PlotPayload, SmallMultiplesPlot, SweepPlot, TrainingCurvesPlot } from '../../../../src/shared/payload';
import { testContext } from '../context';

let context: ExperimentContext & { progressSeen: unknown[] };
before(async () => {
  context = await testContext();
});

async function run(source: string): Promise<ExperimentResult> {
  const { experiment, params } = parseExperimentCell(source, catalog);
  return experiment.run(params, context);
}

function cellError(source: string): ExperimentCellError {
  try {
    parseExperimentCell(source, catalog);
  } catch (error) {
    assert.ok(error instanceof ExperimentCellError, String(error));
    return error;
  }
  assert.fail(`expected an error for ${JSON.stringify(source)}`);
}

function kinds(plots: PlotPayload[]): string[] {
  return plots.map((p) => p.plot.kind);
}

/** Every number in the payload is finite and it stays small. */
function checkPayload(plots: PlotPayload[]): void {
  const json = JSON.stringify(plots);
  assert.ok(!json.includes('null'), 'no non-finite numbers');
  assert.ok(json.length < 100_000, `payload ${json.length} bytes`);
}

const sweepMean = (plot: SweepPlot, arm: string, x: number): number => {
  const values = plot.arms.find((a) => a.arm === arm)!.points.find((p) => p.x === x)!.values;
  return values.reduce((a, b) => a + b, 0) / values.length;
};

describe('mechanics experiments: parameters', () => {
  it('registers every experiment of the group in the catalog', () => {
    for (const id of ['regularization', 'inference-statistics', 'batch-renorm', 'gamma-beta-placement', 'normalization-axes']) assert.ok(catalog.has(id), id);
  });

  it('names the key, the line and what is allowed for a wrong value', () => {
    let e = cellError('experiment: regularization\nseeds: 0\n');
    assert.equal(e.line, 2);
    assert.equal(e.key, 'seeds');
    assert.match(e.message, /"seeds" must be an integer from 1 to 20; got 0/);
    e = cellError('experiment: gamma-beta-placement\n\nactivation: softplus\n');
    assert.equal(e.line, 3);
    assert.match(e.message, /"activation" must be one of "sigmoid", "tanh", "relu"; got "softplus"/);
    e = cellError('experiment: batch-renorm\nclassesPerBatch: 10\n');
    assert.match(e.message, /"classesPerBatch" must be an integer from 1 to 9; got 10/);
    e = cellError('experiment: batch-renorm\nrMax: 0.5\n');
    assert.match(e.message, /"rMax" must be a number from 1 to 100; got 0.5/);
    e = cellError('experiment: normalization-axes\nfactor: 0\n');
    assert.match(e.message, /"factor" must be a number greater than 0/);
    e = cellError('experiment: inference-statistics\ntestSize: 100\n');
    assert.match(e.message, /"testSize" must be an integer from 1024 to 2000; got 100/);
  });

  it('offers a full-length option through the steps range', () => {
    assert.equal(parseExperimentCell('experiment: regularization\nsteps: 50000', catalog).params.steps, 50000);
    assert.equal(parseExperimentCell('experiment: batch-renorm\nsteps: 100000', catalog).params.steps, 100000);
  });

  it('says honestly whether a difference exceeds the seed noise and the test set’s sampling error', () => {
    assert.match(verdict(compare([0.80, 0.81, 0.82], [0.90, 0.91, 0.92])), /^a clear difference: all 3 seeds agree in sign, and the 95\s% interval excludes 0$/);
    // Paired by seed, +2, +2, +1 points is consistent; on 2,000 test digits it is within the sampling error.
    assert.match(verdict(compare([0.80, 0.85, 0.90], [0.82, 0.87, 0.91])), /^a clear difference/);
    assert.match(verdict(compare([0.80, 0.85, 0.90], [0.82, 0.87, 0.91], 2000)), /within the noise: smaller than the test set’s sampling error/);
    assert.match(verdict(compare([0.80, 0.85, 0.90], [0.82, 0.83, 0.91])), /within the seed noise: the sign changes/);
    assert.match(verdict(compare([0.8], [0.9])), /one seed has no spread/);
  });
});

describe('mechanics experiments: small runs', () => {
  it('normalization-axes: the sets, the means and the invariances of Ba et al.’s Table 1', async () => {
    const { plots, markdown } = await run('experiment: normalization-axes');
    assert.deepEqual(kinds(plots), ['small-multiples', 'small-multiples']);
    checkPayload(plots);
    const sets = plots[0]!.plot as SmallMultiplesPlot;
    assert.deepEqual(sets.panels.map((p) => p.title), ['BatchNorm', 'LayerNorm', 'InstanceNorm', 'GroupNorm']);
    const [bn, ln, inorm, gn] = sets.panels as HeatmapPlot[];
    const count = (h: HeatmapPlot, v: number): number => h.z.flat().filter((x) => x === v).length;
    assert.equal(count(bn!, 1), 6, 'BatchNorm: one channel across the 6 examples');
    assert.equal(count(ln!, 1), 8, 'LayerNorm: one example across the 8 channels');
    assert.equal(count(inorm!, 1), 1, 'InstanceNorm: one example and channel');
    assert.equal(count(gn!, 1), 4, 'GroupNorm: one example, a group of 4 channels');
    const means = (plots[1]!.plot as SmallMultiplesPlot).panels as HeatmapPlot[];
    assert.ok(means[0]!.z.every((row) => row.every((v) => v === row[0])), 'BatchNorm: one mean per channel (row)');
    assert.ok(means[1]!.z.every((row) => row.every((v, n) => v === means[1]!.z[0]![n])), 'LayerNorm: one mean per example (column)');
    assert.match(markdown, /Every entry agrees with what the sets imply/);
    // The table's rows, as computed: weight vector re-scaling leaves BN and IN, not LN and GN.
    assert.match(markdown, /weight vector re-scaling\) \| ✓ [^|]+ \| ✗ [^|]+ \| ✓ [^|]+ \| ✗ [^|]+ \|/);
    assert.match(markdown, /single training case re-scaling\) \| ✗ [^|]+ \| ✓ [^|]+ \| ✓ [^|]+ \| ✓ [^|]+ \|/);
    assert.match(markdown, /dataset re-centering\) \| ✓ [^|]+ \| ✗ [^|]+ \| ✓ [^|]+ \| ✗ [^|]+ \|/);
  });

  it('normalization-axes: GroupNorm with one group has LayerNorm’s sets', async () => {
    const { plots } = await run('experiment: normalization-axes\ngroups: 1\nchannels: 4\nexamples: 3');
    const [, ln, , gn] = (plots[0]!.plot as SmallMultiplesPlot).panels as HeatmapPlot[];
    assert.deepEqual(gn!.z, ln!.z);
    await assert.rejects(run('experiment: normalization-axes\ngroups: 3\nchannels: 8'), /divisible by groups/);
  });

  it('inference-statistics: batch statistics of tiny test batches cost accuracy, eval mode does not depend on batch size', async () => {
    const { plots, markdown } = await run('experiment: inference-statistics\ntrainSize: 2000\nsteps: 150\nseeds: 1\nhidden: 32');
    assert.deepEqual(kinds(plots), ['sweep', 'sweep']);
    checkPayload(plots);
    const sweep = plots[0]!.plot as SweepPlot;
    assert.equal(sweep.x.scale, 'log');
    const evalArm = sweep.arms[0]!;
    assert.ok(evalArm.points.every((p) => p.values[0] === evalArm.points[0]!.values[0]), 'eval mode is flat');
    const trainArm = sweep.arms[1]!.arm;
    assert.ok(sweepMean(sweep, trainArm, 2) < sweepMean(sweep, trainArm, 1024) - 10, 'batches of 2 lose more than 10 points');
    assert.ok(Math.abs(sweepMean(sweep, trainArm, 1024) - evalArm.points[0]!.values[0]!) < 3, 'large batches are close to eval mode');
    const dev = plots[1]!.plot as SweepPlot;
    assert.ok(sweepMean(dev, dev.arms[0]!.arm, 2) > 2 * sweepMean(dev, dev.arms[0]!.arm, 256), '|μ_B − μ| shrinks with the batch');
    assert.match(markdown, /\| 2 \| [\d,]+ \| [\d.]+\s%/);
  });

  it('batch-renorm: 2-class batches hurt BatchNorm at inference more than Batch Renorm', async () => {
    const { plots, markdown } = await run('experiment: batch-renorm\ntrainSize: 3000\ntestSize: 1000\nsteps: 250\nseeds: 1\nhidden: 48');
    assert.deepEqual(kinds(plots), ['small-multiples', 'sweep']);
    checkPayload(plots);
    const panels = (plots[0]!.plot as SmallMultiplesPlot).panels as TrainingCurvesPlot[];
    assert.deepEqual(panels.map((p) => p.title), ['i.i.d. batches', '2-class batches']);
    const sweep = plots[1]!.plot as SweepPlot;
    assert.deepEqual(sweep.arms.map((a) => a.arm), ['BatchNorm', 'Batch Renorm']);
    const bnDrop = sweepMean(sweep, 'BatchNorm', 10) - sweepMean(sweep, 'BatchNorm', 2);
    const brnDrop = sweepMean(sweep, 'Batch Renorm', 10) - sweepMean(sweep, 'Batch Renorm', 2);
    assert.ok(bnDrop > brnDrop, `BatchNorm loses ${bnDrop.toFixed(1)} points, Batch Renorm ${brnDrop.toFixed(1)}`);
    assert.match(markdown, /\| BatchNorm \| [\d.]+\s% \| [\d.]+\s% \|/);
  });

  it('regularization: four arms, train and test curves, the gap with its spread, and an honest verdict', async () => {
    const { plots, markdown } = await run('experiment: regularization\ntrainSize: 300\ntestSize: 500\nsteps: 60\nseeds: 2\nhidden: 32\nbatchSize: 30');
    assert.deepEqual(kinds(plots), ['training-curves', 'sweep', 'sweep']);
    checkPayload(plots);
    const curves = plots[0]!.plot as TrainingCurvesPlot;
    assert.deepEqual([...new Set(curves.curves.map((c) => c.arm))], ['no norm', 'BatchNorm', 'dropout', 'BN + dropout']);
    assert.ok(curves.curves.some((c) => c.split === 'test') && curves.curves.some((c) => c.split === 'train'));
    const gap = plots[1]!.plot as SweepPlot;
    assert.ok(gap.arms.every((a) => a.points.length > 2 && a.points.every((p) => p.values.length === 2)), 'every seed at every point');
    assert.match(markdown, /BatchNorm changes the test accuracy by [+−]?[\d.]+\spp \(2 seeds: [^)]+\) against no normalization, (a clear difference|within the)/);
  });

  it('gamma-beta-placement: four arms, γ and β of the affine arms, γ over training', async () => {
    const { plots, markdown } = await run('experiment: gamma-beta-placement\ntrainSize: 1000\ntestSize: 500\nsteps: 60\nseeds: 1\nhidden: 16\nlayers: 1');
    assert.deepEqual(kinds(plots), ['training-curves', 'sweep', 'distribution-comparison', 'heatmap']);
    checkPayload(plots);
    const arms = [...new Set((plots[0]!.plot as TrainingCurvesPlot).curves.map((c) => c.arm))];
    assert.equal(arms.length, 4);
    const dist = plots[2]!.plot;
    assert.ok(dist.kind === 'distribution-comparison');
    assert.deepEqual(dist.rows.map((r) => r.label), ['BN before activation, layer 1', 'BN after activation, layer 1']);
    assert.equal(dist.rows[0]!.distributions[0]!.moments.count, 16);
    const heat = plots[3]!.plot as HeatmapPlot;
    assert.equal(heat.z.length, 16);
    assert.ok(heat.z.every((row) => row[0] === 1), 'γ starts at 1');
    assert.ok(heat.z.some((row) => row.at(-1) !== 1), 'and moves');
    assert.match(markdown, /\| BN before activation, no γ\/β \| [\d.]+\s%/);
  });
});
