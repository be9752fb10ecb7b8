/**
 * inference-statistics: at inference BatchNorm uses the population statistics it estimated during
 * training (running averages, eval mode), not the statistics of the test batch (Ioffe & Szegedy 2015,
 * §3.1; Ioffe 2017, §1). A BatchNorm MLP is trained on MNIST, then tested both ways, for test batches of
 * 2 to 1,024 digits: with small test batches, batch statistics are noisy and the accuracy falls.
 */
import { Generator, nn, noGrad, type Tensor } from '../../engine';
import { batchSizeParam, lrParam, stepsParam, testSizeParam, trainSizeParam } from '../common-params';
import { defineExperiment } from '../experiment';
import { drawable, reported } from '../live';
import { checkMnistSizes, mnistSplit } from '../mnist';
import { defineJob, runAll } from '../runs';
import { buildMlp, trainClassifier, type LabelledSet } from '../training';
import { checkClaims, claimsTable, everySeed, type Claim } from '../claims';
import { accuracyResolution, effectNumbers, pairedEffect } from '../effects';
import { ppAgainst, seedList } from '../numbers';
import { evaluate, mean, minMax, pct, pctWithRange, pp, rows, seedParam, seedsParam } from './common';
import type { PlotPayload, SweepArm } from '../../shared/payload';

export const TEST_BATCH_SIZES = [2, 4, 8, 16, 32, 64, 128, 256, 1024];
/** Train mode counts as matching eval mode within this many points (as a fraction). */
const CLOSE = 0.005;
const EVAL_ARM = 'eval mode: running statistics';
const TRAIN_ARM = 'train mode: test-batch statistics';

export const inferenceStatistics = defineExperiment({
  id: 'inference-statistics',
  exportable: true,
  title: 'Inference uses the training statistics: running averages vs test-batch statistics',
  description:
    'Trains a BatchNorm MLP on MNIST, then measures its test accuracy in eval mode (normalizing with the running averages ' +
    'estimated during training, as at inference) and in train mode (normalizing each test batch with its own statistics), ' +
    'for test batches of 2 to 1,024 digits. Small test batches give noisy statistics: the accuracy falls, and the output for ' +
    'a digit depends on which other digits share its batch.',
  params: {
    trainSize: trainSizeParam(8000, 'Training digits; the rest (up to testSize) are held out.'),
    testSize: testSizeParam(2000, 'Held-out digits, cut into test batches.', { min: 1024, max: 2000 }),
    steps: stepsParam(800, 'SGD steps of training (momentum 0.9).', { min: 20 }),
    batchSize: batchSizeParam(50, 'Training minibatch size.', { min: 4 }),
    hidden: { kind: 'integer', default: 100, min: 8, max: 1024, description: 'Units in each of the two hidden layers (each followed by BatchNorm, then ReLU).' },
    lr: lrParam(0.05, 'SGD learning rate.'),
    seeds: seedsParam(3),
    seed: seedParam(),
  },
  knobs: ['steps', 'batchSize', 'lr', 'seeds'],
  async run(params, context) {
    checkMnistSizes(params.trainSize, params.testSize);
    const inputs: SeedInput[] = seedList(params.seed, params.seeds).map((seed) => ({ params, seed }));
    // The sweeps grow as each trained model is tested at one batch size after another.
    const results = await runAll(context, seedJob, inputs, { total: () => params.steps, preview: (sofar) => drawable(plots(gather(reported(sofar)))) });
    const diverged = results.flatMap((r, s) => (r.diverged ? [`seed ${inputs[s]!.seed}: ${r.diverged}`] : []));
    const measured = gather(results);
    if (measured.evalAcc.length === 0) return { plots: [], markdown: `Every seed diverged during training (${diverged.join('; ')}). Try a smaller lr.` };
    const summed: InferenceResults = { ...measured, used: TEST_BATCH_SIZES.map((b) => Math.floor(params.testSize / b) * b) };
    return { plots: plots(measured), markdown: summary(summed, diverged, params), claims: checkClaims(inferenceClaims, summed) };
  },
});

interface InferenceParams {
  trainSize: number;
  testSize: number;
  steps: number;
  batchSize: number;
  hidden: number;
  lr: number;
}

interface SeedInput {
  params: InferenceParams;
  seed: number;
}

/** One trained model tested both ways at every test batch size (or the reason it diverged). */
interface SeedResult {
  diverged?: string;
  evalAcc?: number;
  trainModeAcc?: number[];
  evalSameAcc?: number[];
  meanShift?: number[];
  stdRatio?: number[];
}

/** Trains one seed's model on the split of its seed, then tests it; a job of its own, so that any worker can run it. */
const seedJob = defineJob<SeedInput, SeedResult>('inference-statistics/seed', async ({ params, seed }, context) => {
  const { train: trainSet, test: testSet } = await mnistSplit(context, { trainSize: params.trainSize, testSize: params.testSize, seed });
  const generator = new Generator(seed);
  const model = buildMlp({ inputs: 784, hidden: [params.hidden, params.hidden], outputs: 10, activation: 'relu', norm: 'batch', generator, recorder: context.recorder });
  const result = trainClassifier({
    model,
    train: trainSet,
    test: testSet,
    steps: params.steps,
    batchSize: params.batchSize,
    optimizer: { kind: 'sgd', lr: params.lr, momentum: 0.9 },
    generator,
    context,
    label: `BatchNorm, seed ${seed} (training)`,
    evalEvery: Math.max(1, Math.floor(params.steps / 4)),
  });
  if (result.diverged) return { diverged: result.diverged.reason };
  const out: Required<Omit<SeedResult, 'diverged'>> = { evalAcc: evaluate(model, testSet), trainModeAcc: [], evalSameAcc: [], meanShift: [], stdRatio: [] };
  for (const b of TEST_BATCH_SIZES) {
    context.checkInterrupt();
    const probe = trainModeProbe(model, testSet, b, new Generator(seed + 7919));
    out.trainModeAcc.push(probe.accuracy);
    out.evalSameAcc.push(evaluate(model, rows(testSet, probe.used)));
    out.meanShift.push(probe.meanShift);
    out.stdRatio.push(probe.stdDeviation);
    // The job's steps are its training steps: testing keeps the count at the end and says what it does.
    context.progress({ step: params.steps, total: params.steps, label: `testing in train mode, seed ${seed}`, metrics: { 'test batch size': b, accuracy: probe.accuracy } });
    context.partial(out);
  }
  return out;
});

/** The seeds that trained, as lists per test batch size (seeds that diverged, or not yet tested at a size, are left out). */
function gather(results: readonly SeedResult[]): Omit<InferenceResults, 'used'> & { stdRatio: number[][] } {
  const ok = results.filter((r): r is Required<Omit<SeedResult, 'diverged'>> => r.evalAcc !== undefined);
  const perSize = (values: (r: Required<Omit<SeedResult, 'diverged'>>) => number[]): number[][] => TEST_BATCH_SIZES.map((_, i) => ok.map((r) => values(r)[i]).filter((v): v is number => v !== undefined));
  return {
    evalAcc: ok.map((r) => r.evalAcc),
    trainModeAcc: perSize((r) => r.trainModeAcc),
    evalSameAcc: perSize((r) => r.evalSameAcc),
    meanShift: perSize((r) => r.meanShift),
    stdRatio: perSize((r) => r.stdRatio),
  };
}

/** Accuracy in eval and train mode against the test batch size, and how far batch statistics stray. */
function plots({ evalAcc, trainModeAcc, meanShift, stdRatio }: { evalAcc: number[]; trainModeAcc: number[][]; meanShift: number[][]; stdRatio: number[][] }): PlotPayload[] {
  if (evalAcc.length === 0) return [];
  const arms: SweepArm[] = [
    { arm: EVAL_ARM, points: TEST_BATCH_SIZES.map((x) => ({ x, values: evalAcc.map((v) => 100 * v) })) },
    { arm: TRAIN_ARM, points: TEST_BATCH_SIZES.map((x, i) => ({ x, values: trainModeAcc[i]!.map((v) => 100 * v) })) },
  ];
  const plots: PlotPayload[] = [
    {
      version: 1,
      plot: {
        kind: 'sweep',
        title: 'Test accuracy of one trained BatchNorm MLP, normalized with running averages or with each test batch’s own statistics',
        notes: `Mean and range over ${evalAcc.length} trained model${evalAcc.length > 1 ? 's' : ''} (seeds). Eval mode does not depend on the test batch size; train mode does.`,
        x: { label: 'test batch size', scale: 'log' },
        y: { label: 'test accuracy', unit: '%' },
        spread: 'min-max',
        spreadStyle: 'band',
        arms,
      },
    },
    {
      version: 1,
      plot: {
        kind: 'sweep',
        title: 'How far a test batch’s statistics are from the running averages (first BatchNorm layer, mean over units and batches)',
        notes: '|μ_B − μ| / σ is Batch Renorm’s |d|, |σ_B / σ − 1| is |r − 1| (Ioffe 2017): both shrink like 1/√(batch size).',
        x: { label: 'test batch size', scale: 'log' },
        y: { label: 'deviation from the running statistics', unit: 'σ', scale: 'log' },
        spread: 'min-max',
        spreadStyle: 'band',
        arms: [
          { arm: '|μ_B − μ| / σ', points: TEST_BATCH_SIZES.map((x, i) => ({ x, values: meanShift[i]! })) },
          { arm: '|σ_B / σ − 1|', points: TEST_BATCH_SIZES.map((x, i) => ({ x, values: stdRatio[i]! })) },
        ],
      },
    },
  ];
  return plots;
}

interface Probe {
  accuracy: number;
  /** The test rows the batches used (floor(n / b) batches of b). */
  used: Int32Array;
  /** Mean over batches and units of |μ_B − μ| / σ at the first BatchNorm layer. */
  meanShift: number;
  /** Mean over batches and units of |σ_B / σ − 1| there. */
  stdDeviation: number;
}

/**
 * Accuracy with every BatchNorm layer in train mode (batch statistics) over the test set cut into
 * batches of `b` in a random order; the running statistics are restored afterwards.
 */
function trainModeProbe(model: nn.Module, set: LabelledSet, b: number, generator: Generator): Probe {
  const norms = model.modules().filter((m): m is nn.BatchNorm1d => m instanceof nn.BatchNorm1d);
  const saved = norms.map((m) => ({ mean: Float32Array.from(m.runningMean!.data), variance: Float32Array.from(m.runningVar!.data), tracked: m.numBatchesTracked }));
  const first = firstBlock(model);
  const n = set.x.shape[0]!;
  const order = generator.randperm(n);
  const batches = Math.floor(n / b);
  let correct = 0;
  let shift = 0;
  let ratio = 0;
  let count = 0;
  const runMean = Float64Array.from(norms[0]!.runningMean!.data);
  const runStd = Float64Array.from(norms[0]!.runningVar!.data, (v) => Math.sqrt(v + norms[0]!.eps));
  noGrad(() => {
    model.train();
    for (let k = 0; k < batches; k++) {
      const batch = rows(set, order.subarray(k * b, (k + 1) * b));
      const logits = model.forward(batch.x);
      const classes = logits.shape[1]!;
      for (let i = 0; i < b; i++) {
        let best = 0;
        for (let c = 1; c < classes; c++) if (logits.data[i * classes + c]! > logits.data[i * classes + best]!) best = c;
        if (best === batch.y.data[i]) correct++;
      }
      // The first BatchNorm layer's input for this batch: its batch statistics against the running ones.
      const pre = first.forward(batch.x);
      const units = pre.shape[1]!;
      for (let u = 0; u < units; u++) {
        let sum = 0;
        for (let i = 0; i < b; i++) sum += pre.data[i * units + u]!;
        const mu = sum / b;
        let sq = 0;
        for (let i = 0; i < b; i++) sq += (pre.data[i * units + u]! - mu) ** 2;
        const sd = Math.sqrt(sq / b + norms[0]!.eps);
        shift += Math.abs(mu - runMean[u]!) / runStd[u]!;
        ratio += Math.abs(sd / runStd[u]! - 1);
        count++;
      }
    }
    model.eval();
  });
  norms.forEach((m, i) => {
    m.runningMean!.data.set(saved[i]!.mean);
    m.runningVar!.data.set(saved[i]!.variance);
    m.numBatchesTracked = saved[i]!.tracked;
  });
  model.train();
  return { accuracy: correct / (batches * b), used: Int32Array.from(order.subarray(0, batches * b)), meanShift: shift / count, stdDeviation: ratio / count };
}

/** The layer in front of the first BatchNorm (the first Linear of the MLP). */
function firstBlock(model: nn.Module): { forward: (x: Tensor) => Tensor } {
  const layers = model instanceof nn.Sequential ? model.children() : [];
  const index = layers.findIndex((m) => m instanceof nn.BatchNorm1d);
  if (index < 1) throw new Error('expected a Sequential MLP with a BatchNorm layer after a Linear layer');
  return { forward: (x) => layers.slice(0, index).reduce((h, layer) => layer.forward(h), x) };
}

/** What the summary and the claims read; per batch size (TEST_BATCH_SIZES), per seed. */
export interface InferenceResults {
  /** Eval mode on the whole test set, per seed. */
  evalAcc: number[];
  trainModeAcc: number[][];
  /** Eval mode on the same digits train mode saw at that batch size. */
  evalSameAcc: number[][];
  meanShift: number[][];
  /** Digits used at each batch size. */
  used: number[];
}

/** Train mode − eval mode on the same digits, per seed, at batch index i. */
function diffsAt(r: InferenceResults, i: number): number[] {
  return r.trainModeAcc[i]!.map((v, s) => v - r.evalSameAcc[i]![s]!);
}

/**
 * The smallest test batch from which on train mode is within `close` of eval mode for every seed at
 * every larger batch size too (not only at the first one that passes).
 */
export function closeFrom(r: InferenceResults, close: number): number | undefined {
  let from: number | undefined;
  for (let i = TEST_BATCH_SIZES.length - 1; i >= 0; i--) {
    if (!diffsAt(r, i).every((d) => Math.abs(d) <= close)) break;
    from = TEST_BATCH_SIZES[i];
  }
  return from;
}

export const inferenceClaims: Claim<InferenceResults>[] = [
  {
    claim: 'Inference needs population statistics (Ioffe & Szegedy 2015, §3.1): with test batches of 2, train mode is ≥ 20 points below eval mode in every seed',
    check: (r) => {
      const e = pairedEffect(r.evalSameAcc[0]!, r.trainModeAcc[0]!, { direction: -1 });
      const every = everySeed(e.diffs, (d) => d <= -0.2);
      return { measured: `train − eval mode at batch ${TEST_BATCH_SIZES[0]}: ${effectNumbers(e)}; ≤ −20 pp in ${every.words}`, holds: every.holds };
    },
  },
  {
    claim: 'Large batches’ statistics approach the population’s: at the largest test batch, train mode is within the test set’s sampling error of eval mode (on the same digits) in every seed',
    check: (r) => {
      const i = TEST_BATCH_SIZES.length - 1;
      const e = pairedEffect(r.evalSameAcc[i]!, r.trainModeAcc[i]!);
      const resolution = accuracyResolution(mean(r.evalSameAcc[i]!), mean(r.trainModeAcc[i]!), r.used[i]!);
      const every = everySeed(e.diffs, (d) => Math.abs(d) <= resolution);
      return {
        measured: `batch ${TEST_BATCH_SIZES[i]} (${r.used[i]} digits): ${effectNumbers(e, (x) => ppAgainst(x, [resolution], 2))}; within ±${pp(resolution, 2).replace('+', '')} in ${every.words}`,
        holds: every.holds,
      };
    },
  },
  {
    claim: 'A test batch’s statistics deviate less from the running averages the larger it is (Ioffe 2017): mean |μ_B − μ| / σ falls at every larger batch size',
    check: (r) => {
      const shifts = r.meanShift.map((values) => mean(values));
      const falls = shifts.every((v, i) => i === 0 || v < shifts[i - 1]!);
      return { measured: shifts.map((v, i) => `${TEST_BATCH_SIZES[i]}: ${v.toFixed(3)}`).join(', '), holds: falls };
    },
  },
];

export function summary(r: InferenceResults, diverged: string[], params: { seeds: number }): string {
  const index = (b: number): number => TEST_BATCH_SIZES.indexOf(b);
  const at = (b: number): number[] => r.trainModeAcc[index(b)]!;
  const cost = (b: number): string => pp(-mean(diffsAt(r, index(b)))).replace('+', '');
  const closeEnough = closeFrom(r, CLOSE);
  const partial = TEST_BATCH_SIZES.filter((_, i) => r.used[i]! < r.used[0]!);
  const lines = [
    `**Eval mode** (running averages, as at inference): test accuracy ${pctWithRange(r.evalAcc)}, the same whatever the test batch size.`,
    '',
    '| test batch size | digits used | train mode (test-batch statistics) | train − eval mode on the same digits | mean \\|μ_B − μ\\| / σ, first layer |',
    '|---:|---:|---:|---:|---:|',
    ...TEST_BATCH_SIZES.map((b, i) => {
      const diff = diffsAt(r, i);
      const [lo, hi] = minMax(diff);
      const f = (x: number): string => ppAgainst(x, [CLOSE]);
      const diffText = params.seeds > 1 ? `${f(mean(diff))} (${f(lo)} to ${f(hi)})` : f(mean(diff));
      return `| ${b} | ${r.used[i]!.toLocaleString('en-US')} | ${pctWithRange(at(b))} | ${diffText} | ${mean(r.meanShift[i]!).toFixed(3)} |`;
    }),
    '',
    `With test batches of 2, normalizing with the batch’s own statistics costs ${cost(2)} of accuracy ` +
      `(${pct(mean(at(2)))} instead of ${pct(mean(r.evalSameAcc[index(2)]!))} in eval mode on the same digits); with 8, ${cost(8)}. ` +
      (closeEnough === undefined
        ? `Even at the largest test batches, train mode is more than ${pp(CLOSE).replace('+', '')} from eval mode for some seed (at ${TEST_BATCH_SIZES[TEST_BATCH_SIZES.length - 1]}: ${ppAgainst(mean(diffsAt(r, TEST_BATCH_SIZES.length - 1)), [CLOSE])} on average).`
        : `From batches of ${closeEnough} on, train mode is within ${pp(CLOSE).replace('+', '')} of eval mode for every seed at every batch size.`) +
      ' The statistics of a small batch are noisy estimates of the population’s (second plot), so each digit’s normalized activations, and its prediction, depend on the other digits in its batch.' +
      (partial.length > 0 ? ` (Batches of ${partial.join(', ')} do not divide the test set: the digits left over are left out of both modes there.)` : ''),
    '',
    '**Literature.** Ioffe & Szegedy (2015, §3.1): once the network is trained, the normalization uses population statistics rather than minibatch statistics, so that “the output depends only on the input, deterministically”; the population statistics are moving averages kept during training. ' +
      'Ioffe (2017, §1–2) points out that this makes the activations computed in training differ from those computed at inference, the more so for small or non-i.i.d. training minibatches, and proposes Batch Renormalization (next cell).',
  ];
  if (diverged.length) lines.push('', `Diverged and left out: ${diverged.join('; ')}.`);
  lines.push('', claimsTable(checkClaims(inferenceClaims, r)));
  return lines.join('\n');
}
