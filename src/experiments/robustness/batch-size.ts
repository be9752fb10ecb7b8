/**
 * batch-size: accuracy against the batch size (32 … 2) for no norm, BatchNorm, GroupNorm and LayerNorm,
 * with the learning rate scaled linearly with the batch and the same number of examples seen per run
 * (Wu & He 2018, "Group Normalization", Fig. 1: BatchNorm's error rises sharply at small batches, GroupNorm's
 * does not). BatchNorm is also evaluated with its statistics re-estimated after training, to separate the two
 * ways small batches hurt it: noisy batch statistics during training, and running averages that do not match.
 */
import { Generator, nn, noGrad, tensor } from '../../engine';
import type { PanelSpec, PlotPayload, SweepArm, TrainingCurvesPlot } from '../../shared/payload';
import { depthParam, downsampleParam, firstSeedParam, seedsParam, testSizeParam, trainSizeParam, widthParam } from '../common-params';
import { defineExperiment } from '../experiment';
import { checkMnistSizes, mnistSplit } from '../mnist';
import { drawable, finishedOnly } from '../live';
import { defineJob, runAll } from '../runs';
import { buildMlp, evaluate, NORM_NAMES, trainClassifier, type LabelledSet, type NormKind, type TrainResult } from '../training';
import { checkClaims, claimsTable, everySeed, type Claim } from '../claims';
import { accuracyResolution, effectNumbers, pairedEffect, verdictWords, type Effect } from '../effects';
import { keepUnits, pp } from '../numbers';
import { mean, percentSpread, round, seedList } from './common';

const ARMS: NormKind[] = ['none', 'batch', 'group', 'layer'];
const RE_ESTIMATED = 'BatchNorm, re-estimated stats';
const REFERENCE_BATCH = 32;

export interface Run {
  result: TrainResult;
  /** BatchNorm only: test accuracy with the running statistics re-estimated on the training set. */
  reEstimated?: number;
}

export const batchSize = defineExperiment({
  id: 'batch-size',
  exportable: true,
  title: 'BatchNorm degrades at small batches; GroupNorm and LayerNorm do not',
  description:
    'Trains the same MLP on MNIST with no norm, BatchNorm, GroupNorm and LayerNorm (after each hidden Linear) at batch sizes ' +
    'from 32 down to 2, with the learning rate scaled linearly with the batch (lr = baseLr · B / 32) and the same number of ' +
    'examples seen at every batch size, for several seeds, and plots the final test accuracy against the batch size ' +
    '(Wu & He 2018, Fig. 1). BatchNorm is also evaluated with its statistics re-estimated after training.',
  params: {
    maxBatch: { kind: 'integer', default: 32, min: 4, max: 512, description: 'Largest batch size; the sweep halves it down to minBatch.' },
    minBatch: { kind: 'integer', default: 2, min: 2, max: 256, description: 'Smallest batch size (BatchNorm in training mode needs at least 2).' },
    baseLr: { kind: 'number', default: 0.1, min: 0, max: 10, exclusiveMin: true, description: 'Learning rate at batch 32; lr = baseLr · B / 32 (SGD, momentum 0.9), as in Wu & He.' },
    epochs: { kind: 'number', default: 1, min: 0.05, max: 100, description: 'Passes over the training set per run, the same at every batch size (steps = epochs · trainSize / B).' },
    width: widthParam(64, 'Units per hidden layer.'),
    depth: depthParam(2, 'Number of hidden layers (Linear → norm → ReLU).'),
    groups: { kind: 'integer', default: 8, min: 1, max: 512, description: 'GroupNorm groups (must divide width; Wu & He use 32 groups of channels).' },
    downsample: downsampleParam('Average the 28×28 digits over 2×2 blocks (14×14 inputs): four times faster.'),
    trainSize: trainSizeParam(8000, 'Training examples.', 512),
    testSize: testSizeParam(2000, 'Held-out test examples.'),
    seeds: seedsParam(3, 'Runs per point (seeds seed, seed + 1, …), to show the spread.', 10),
    seed: firstSeedParam('First seed (data split, initial weights, batch order).'),
  },
  knobs: ['minBatch', 'baseLr', 'groups', 'seeds', 'epochs'],
  async run(p, context) {
    if (p.minBatch > p.maxBatch) throw new Error(`minBatch (${p.minBatch}) must be at most maxBatch (${p.maxBatch})`);
    if (p.width % p.groups !== 0) throw new Error(`groups (${p.groups}) must divide width (${p.width})`);
    checkMnistSizes(p.trainSize, p.testSize);
    const batches: number[] = [];
    for (let b = p.maxBatch; b >= p.minBatch; b = Math.floor(b / 2)) batches.unshift(b);
    const seeds = seedList(p.seed, p.seeds);
    const examples = Math.round(p.epochs * p.trainSize);
    const curveBatches = [batches.at(-1)!, batches[0]!];
    const inputs: RunInput[] = seeds.flatMap((seed, si) =>
      ARMS.flatMap((norm) => batches.map((b, bi) => ({ p, norm, b, bi, seed, showCurves: si === 0 && curveBatches.includes(b), steps: Math.max(1, Math.round(examples / b)) }))),
    );
    // runs[arm][batch][seed], from the jobs' results in input order (undefined: not started yet).
    const nest = (flat: readonly (Run | undefined)[]): (Run | undefined)[][][] => ARMS.map((_, ai) => batches.map((_, bi) => seeds.map((_, si) => flat[(si * ARMS.length + ai) * batches.length + bi])));
    const flat = await runAll(context, runJob, inputs, {
      total: (input) => input.steps,
      // The sweep shows each run once it has finished; the curves grow as they train.
      preview: (sofar, done) => drawable([sweepPlot(p, batches, nest(finishedOnly(sofar, done)), examples), curvesPlot(p, curveBatches, batches, nest(sofar), seeds[0]!)]),
    });
    const runs = nest(flat) as Run[][][];
    return {
      plots: [sweepPlot(p, batches, runs, examples), curvesPlot(p, curveBatches, batches, runs, seeds[0]!)],
      markdown: summary(p, batches, runs, examples),
      claims: checkClaims(batchSizeClaims, { batches, runs, testSize: p.testSize }),
    };
  },
});

interface SizeParams {
  baseLr: number;
  depth: number;
  width: number;
  groups: number;
  downsample: boolean;
  trainSize: number;
  testSize: number;
  seeds: number;
  seed: number;
}

interface RunInput {
  p: SizeParams;
  norm: NormKind;
  /** The batch size and its index in the sweep (the index seeds the run, with the seed). */
  b: number;
  bi: number;
  seed: number;
  steps: number;
  /** Whether this run's curves are drawn (then it evaluates along the way). */
  showCurves: boolean;
}

/** One norm, batch size and seed; it reads the split of `p.seed` itself, so that any worker can run it. */
const runJob = defineJob<RunInput, Run>('batch-size/run', async ({ p, norm, b, bi, seed, steps, showCurves }, context) => {
  const split = await mnistSplit(context, { trainSize: p.trainSize, testSize: p.testSize, seed: p.seed, downsample: p.downsample });
  const generator = new Generator(seed * 1000 + bi);
  const hidden = Array.from({ length: p.depth }, () => p.width);
  const model = buildMlp({ inputs: split.inputs, hidden, outputs: 10, activation: 'relu', norm, groups: p.groups, generator, recorder: context.recorder });
  const lr = (p.baseLr * b) / REFERENCE_BATCH;
  const result = trainClassifier({
    model,
    train: split.train,
    test: split.test,
    steps,
    batchSize: b,
    optimizer: { kind: 'sgd', lr, momentum: 0.9 },
    generator,
    context,
    label: `${NORM_NAMES[norm]}, batch ${b}, lr ${Number(lr.toPrecision(3))}, seed ${seed}`,
    evalEvery: showCurves ? Math.max(1, Math.floor(steps / 25)) : steps,
    onRecord: (sofar) => context.partial({ result: sofar }),
  });
  const run: Run = { result };
  if (norm === 'batch' && !result.diverged) run.reEstimated = reEstimateAndEvaluate(model, split.train, split.test);
  return run;
});

/** Final test accuracy against the batch size, per norm, and BatchNorm with re-estimated statistics (runs not finished are left out). */
function sweepPlot(p: SizeParams, batches: number[], runs: (Run | undefined)[][][], examples: number): PlotPayload {
  const point = (all: (Run | undefined)[], b: number, value: (r: Run) => number | undefined): SweepArm['points'][number] => {
    const rs = all.filter((r): r is Run => r !== undefined);
    const finished = rs.filter((r) => !r.result.diverged).map(value).filter((v): v is number => v !== undefined);
    const diverged = rs.filter((r) => r.result.diverged).length;
    return { x: b, values: finished.map((v) => round(100 * v)), ...(diverged ? { diverged, reason: 'loss or activations became NaN/∞' } : {}) };
  };
  const arms: SweepArm[] = ARMS.map((norm, ai) => ({
    arm: NORM_NAMES[norm],
    points: batches.map((b, bi) => point(runs[ai]![bi]!, b, (r) => r.result.finalTestAccuracy)),
  }));
  const bnIndex = ARMS.indexOf('batch');
  arms.push({ arm: RE_ESTIMATED, points: batches.map((b, bi) => point(runs[bnIndex]![bi]!, b, (r) => r.reEstimated)) });
  return {
    version: 1,
    plot: {
      kind: 'sweep',
      title: `Test accuracy against batch size, lr = ${p.baseLr} · B / 32, ${formatCount(examples)} examples seen per run (MLP ${p.depth}×${p.width}, norm after each Linear)`,
      notes:
        `Batch sizes ${batches.join(', ')} on a log axis. Mean over ${p.seeds} seed(s), bars: min–max. “${RE_ESTIMATED}”: the same BatchNorm networks evaluated after re-estimating the running mean and variance ` +
        'over the training set in batches of 1,000: the part of the gap it closes is the train/test mismatch of the running statistics.',
      x: { label: 'batch size', scale: 'log' },
      y: { label: 'test accuracy', unit: '%' },
      spread: 'min-max',
      arms,
    },
  };
}

/** Test accuracy against examples seen, at the smallest and the largest batch, for the first seed. */
function curvesPlot(p: SizeParams, curveBatches: number[], batches: number[], runs: (Run | undefined)[][][], firstSeed: number): PlotPayload {
  const panels: PanelSpec[] = curveBatches.map((b) => {
    const bi = batches.indexOf(b);
    const curves: TrainingCurvesPlot['curves'] = [];
    const divergences: NonNullable<TrainingCurvesPlot['divergences']> = [];
    ARMS.forEach((norm, ai) => {
      const r = runs[ai]![bi]![0]?.result;
      if (!r) return;
      if (r.steps.length) curves.push({ arm: NORM_NAMES[norm], metric: 'accuracy', split: 'test', steps: r.steps.map((s) => s * b), values: r.testAccuracy.map((a) => round(100 * a)) });
      if (r.diverged) divergences.push({ arm: NORM_NAMES[norm], step: r.diverged.step * b, reason: r.diverged.reason });
    });
    return {
      kind: 'training-curves',
      title: `batch ${b} (lr ${Number(((p.baseLr * b) / REFERENCE_BATCH).toPrecision(3))})`,
      x: { label: 'examples seen' },
      metrics: [{ id: 'accuracy', label: 'test accuracy', unit: '%' }],
      curves,
      ...(divergences.length ? { divergences } : {}),
    };
  });
  return {
    version: 1,
    plot: {
      kind: 'small-multiples',
      title: `Test accuracy during training at the smallest and the largest batch (seed ${firstSeed})`,
      notes: 'Evaluated in eval mode: BatchNorm uses its running statistics, GroupNorm and LayerNorm normalize each example on its own.',
      columns: 2,
      shareY: true,
      panels,
    },
  };
}

/**
 * "Precise BN": replaces each BatchNorm layer's running statistics by averages over the training set,
 * computed in batches of 1,000 with the trained weights, then measures test accuracy in eval mode.
 * The model's running statistics are restored afterwards.
 */
function reEstimateAndEvaluate(model: nn.Module, train: LabelledSet, test: LabelledSet): number {
  const norms = model.modules().filter((m): m is nn.BatchNorm1d => m instanceof nn.BatchNorm1d);
  const saved = norms.map((m) => ({ mean: m.runningMean!.data.slice(), variance: m.runningVar!.data.slice(), tracked: m.numBatchesTracked, momentum: m.momentum }));
  // A cumulative average over the chunks (PyTorch's momentum=None); `momentum` is readonly only to users.
  for (const m of norms) {
    m.resetRunningStats();
    (m as { momentum: number | null }).momentum = null;
  }
  const n = train.x.shape[0]!;
  const features = train.x.data.length / n;
  const chunk = 1000;
  model.train();
  noGrad(() => {
    for (let start = 0; start + chunk <= n; start += chunk) {
      model.forward(tensor(train.x.data.slice(start * features, (start + chunk) * features), [chunk, features]));
    }
  });
  const accuracy = evaluate(model, test);
  norms.forEach((m, i) => {
    m.runningMean!.data.set(saved[i]!.mean);
    m.runningVar!.data.set(saved[i]!.variance);
    m.numBatchesTracked = saved[i]!.tracked;
    (m as { momentum: number | null }).momentum = saved[i]!.momentum;
  });
  return accuracy;
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export interface BatchSizeResults {
  /** Ascending batch sizes. */
  batches: number[];
  /** runs[arm][batch][seed], arms in the order of ARMS. */
  runs: Run[][][];
  testSize: number;
}

/** Final accuracy per seed at batch index `bi`; a diverged run counts as chance (10 %), so that seeds stay paired. */
function bySeed(results: BatchSizeResults, norm: NormKind, bi: number): number[] {
  return results.runs[ARMS.indexOf(norm)]![bi]!.map((r) => (r.result.diverged ? 0.1 : r.result.finalTestAccuracy));
}

/** The change of an arm's accuracy from the largest batch to batch index `bi`, paired by seed. */
export function changeFromLargest(results: BatchSizeResults, norm: NormKind, bi: number): Effect {
  const large = bySeed(results, norm, results.batches.length - 1);
  const here = bySeed(results, norm, bi);
  return pairedEffect(large, here, { direction: -1, resolution: accuracyResolution(mean(large), mean(here), results.testSize) });
}

/** The range (max − min) of an arm's mean accuracy over the batch sizes. */
function meanRange(results: BatchSizeResults, norm: NormKind): { range: number; low: number; high: number } {
  const means = results.batches.map((_, bi) => mean(bySeed(results, norm, bi)));
  const low = Math.min(...means);
  const high = Math.max(...means);
  return { range: high - low, low, high };
}

export const batchSizeClaims: Claim<BatchSizeResults>[] = [
  {
    claim: 'BatchNorm degrades at small batches (Wu & He 2018, Fig. 1): its accuracy at the largest batch minus at the smallest is ≥ 15 points in every seed',
    check: (r) => {
      if (r.batches.length < 2) return { measured: 'one batch size only', holds: undefined };
      const e = changeFromLargest(r, 'batch', 0);
      const every = everySeed(e.diffs, (d) => -d >= 0.15);
      return { measured: `batch ${r.batches.at(-1)} → ${r.batches[0]}: ${effectNumbers(e)}; a loss ≥ 15 pp in ${every.words}`, holds: every.holds };
    },
  },
  {
    claim: 'GroupNorm and LayerNorm do not (Wu & He 2018, Fig. 1): their mean accuracy over seeds stays within 5 points across every batch size of the sweep',
    check: (r) => {
      if (r.batches.length < 2) return { measured: 'one batch size only', holds: undefined };
      const words = (['group', 'layer'] as const).map((norm) => {
        const m = meanRange(r, norm);
        return { ok: m.range <= 0.05, text: `${NORM_NAMES[norm]} ${(100 * m.low).toFixed(1)}–${(100 * m.high).toFixed(1)} % (range ${(100 * m.range).toFixed(1)} pp)` };
      });
      const bn = meanRange(r, 'batch');
      return { measured: `${words.map((w) => w.text).join('; ')}; BatchNorm's for comparison ${(100 * bn.range).toFixed(1)} pp`, holds: words.every((w) => w.ok) };
    },
  },
];

/** "+1.2 pp (−0.3 to +2.0), within the seed noise": a table cell for the change from the largest batch. */
function changeCell(e: Effect): string {
  if (e.diffs.length === 0) return '–';
  const range = e.diffs.length > 1 ? ` (${pp(e.min)} to ${pp(e.max)})` : '';
  const word = { clear: 'a clear loss', opposite: 'a clear gain', noise: 'within the noise' }[e.verdict];
  return keepUnits(`${pp(e.mean)}${range}, ${word}`);
}

export function summary(p: { seeds: number; baseLr: number; epochs: number; testSize: number }, batches: number[], runs: Run[][][], examples: number): string {
  const accuracies = (rs: Run[], value: (r: Run) => number | undefined): number[] =>
    rs.filter((r) => !r.result.diverged).map(value).filter((v): v is number => v !== undefined);
  const final = (r: Run): number => r.result.finalTestAccuracy;
  const results: BatchSizeResults = { batches, runs, testSize: p.testSize };
  const small = 0;
  const large = batches.length - 1;
  const bSmall = batches[small]!;
  const bLarge = batches[large]!;
  const lines = [
    `**Final test accuracy** after ${formatCount(examples)} examples (${p.epochs} epoch${p.epochs === 1 ? '' : 's'}) at every batch size, lr = ${p.baseLr} · B / 32, mean over seeds with the range:`,
    '',
    `| batch | lr | ${ARMS.map((a) => NORM_NAMES[a]).join(' | ')} | ${RE_ESTIMATED} |`,
    `|---:|---:|${ARMS.map(() => '---:').join('|')}|---:|`,
    ...batches.map(
      (b, bi) =>
        `| ${b} | ${Number(((p.baseLr * b) / REFERENCE_BATCH).toPrecision(3))} | ${ARMS.map((_, ai) => cell(runs[ai]![bi]!, final, p.seeds)).join(' | ')} | ${cell(runs[ARMS.indexOf('batch')]![bi]!, (r) => r.reEstimated, p.seeds)} |`,
    ),
    '',
  ];
  if (batches.length > 1) {
    lines.push(
      `**Change from batch ${bLarge}**, paired by seed (mean, with the range over seeds; a diverged run counts as 10 %). “Clear” means every seed agrees in sign, the mean is beyond the test set’s sampling error and, with 3 seeds or more, the 95 % t-interval of the mean paired difference excludes 0:`,
      '',
      `| batch | ${ARMS.map((a) => NORM_NAMES[a]).join(' | ')} |`,
      `|---:|${ARMS.map(() => '---|').join('')}`,
      ...batches.slice(0, -1).map((b, bi) => `| ${b} | ${ARMS.map((norm) => changeCell(changeFromLargest(results, norm, bi))).join(' | ')} |`),
      '',
    );
  }
  const bnLoss = changeFromLargest(results, 'batch', small);
  const others = (['group', 'layer'] as const).map((norm) => {
    const changes = batches.slice(0, -1).map((b, bi) => ({ b, e: changeFromLargest(results, norm, bi) }));
    const worst = changes.reduce<(typeof changes)[number] | undefined>((w, c) => (w === undefined || Math.abs(c.e.mean) > Math.abs(w.e.mean) ? c : w), undefined);
    return { norm, changes, worst, range: meanRange(results, norm) };
  });
  const bnSmall = mean(accuracies(runs[ARMS.indexOf('batch')]![small]!, final));
  const bnLarge = mean(accuracies(runs[ARMS.indexOf('batch')]![large]!, final));
  const bnSmallRe = mean(accuracies(runs[ARMS.indexOf('batch')]![small]!, (r) => r.reEstimated));
  const pts = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)} %`);
  if (batches.length > 1) {
    const otherWords = others.map(({ norm, changes, worst, range }) => {
      const clearLosses = changes.filter((c) => c.e.verdict === 'clear').map((c) => c.b);
      return (
        `${NORM_NAMES[norm]}’s mean ranges over ${(100 * range.range).toFixed(1)} points across the ${batches.length} batch sizes (largest change from batch ${bLarge}: ${pp(worst!.e.mean)} at batch ${worst!.b}, ${verdictWords(worst!.e)})` +
        (clearLosses.length > 0 ? `, with a clear loss at batch ${clearLosses.join(', ')}` : ', and no clear loss at any batch size')
      );
    });
    const bnClear = bnLoss.verdict === 'clear';
    const othersSteady = others.every((o) => o.changes.every((c) => c.e.verdict !== 'clear'));
    lines.push(
      `From batch ${bLarge} to batch ${bSmall}, BatchNorm changes by ${effectNumbers(bnLoss)}, ${verdictWords(bnLoss)}. ${otherWords.join('; ')}.`,
      '',
      bnClear && othersSteady
        ? `As Wu & He (2018, Fig. 1) report for ResNet-50 on ImageNet (BatchNorm’s error rises from 23.6 % at batch 32 to 34.7 % at batch 2, GroupNorm’s stays at 24.1 %), BatchNorm loses accuracy at small batches, while GroupNorm and LayerNorm, which normalize each example on its own, show no clear loss at any batch size here.`
        : bnClear
          ? `BatchNorm loses accuracy at small batches, as Wu & He (2018, Fig. 1) report; here GroupNorm or LayerNorm also lose clearly at some batch size (above), which Wu & He do not see for GroupNorm (24.1 % error at every batch size).`
          : `**Not as the literature says:** here BatchNorm’s loss at batch ${bSmall} is not a clear effect. Wu & He (2018, Fig. 1) report BatchNorm’s ImageNet error rising from 23.6 % at batch 32 to 34.7 % at batch 2, and GroupNorm’s staying at 24.1 %.`,
    );
  }
  if (!Number.isNaN(bnSmallRe)) {
    lines.push(
      '',
      `Re-estimating BatchNorm’s statistics after training moves its batch-${bSmall} accuracy from ${pts(bnSmall)} to ${pts(bnSmallRe)}: ` +
        (bnSmallRe - bnSmall > 0.02
          ? 'part of the loss is the mismatch between the running averages (of noisy small-batch statistics) and the statistics the network meets at test time; '
          : 'the running averages are not the main problem; ') +
        (bnSmallRe < bnLarge - 0.02
          ? `the rest (${pts(bnSmallRe)} against ${pts(bnLarge)} at batch ${bLarge}) is what the network learned from training with noisy statistics${bSmall === 2 ? ' (with 2 examples, each normalized feature is just ±1)' : ''}.`
          : 'with re-estimated statistics it is about as good as at large batches.'),
    );
  }
  lines.push('', claimsTable(checkClaims(batchSizeClaims, results)));
  return lines.join('\n');
}

function cell(rs: Run[], value: (r: Run) => number | undefined, seeds: number): string {
  const finished = rs.filter((r) => !r.result.diverged).map(value).filter((v): v is number => v !== undefined);
  const diverged = rs.filter((r) => r.result.diverged).length;
  if (finished.length === 0) return diverged ? `diverged (${diverged}/${seeds})` : '–';
  return keepUnits(percentSpread(finished, seeds).replace(/ \(\d+ seeds: /, ' (') + (diverged ? `, ${diverged} diverged` : ''));
}
