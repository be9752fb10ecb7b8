/**
 * feature-scales-training: the second half of "BatchNorm standardizes features whatever their scale". A small
 * ReLU MLP is trained on a classification task whose label depends on every feature, but whose features
 * were put on wildly different scales (×1000, ×1, ×0.001, an offset of 10,000). From the raw features it
 * does not learn; with a BatchNorm1d on its input it does, about as well as on standardized features.
 */
import { Generator, nn, noGrad, tensor, type Tensor } from '../../engine';
import type { PlotPayload, TrainingCurvesPlot } from '../../shared/payload';
import { batchSizeParam, firstSeedParam, lrParam, seedsParam, stepsParam } from '../common-params';
import { defineExperiment } from '../experiment';
import { drawable, reported } from '../live';
import { defineJob, runAll } from '../runs';
import { buildMlp, NORM_NAMES, trainClassifier, type LabelledSet, type TrainResult } from '../training';
import { checkClaims, claimsTable, everySeed, type Claim } from '../claims';
import { accuracyResolution, describeEffect, effectNumbers, pairedEffect } from '../effects';
import { exact, int, mean, num, pct, pctSpread, seedList } from './common';

const ARM_RAW = NORM_NAMES.none;
const ARM_INPUT_BN = NORM_NAMES.batch;
const ARM_STANDARDIZED = 'standardized inputs';
/** Named so that the renderer's palette gives it a colour far from BatchNorm's blue. */
const ARM_HIDDEN_BN = 'hidden BatchNorm';

export interface Run {
  arm: string;
  seed: number;
  result: TrainResult;
  /** Share of the test examples predicted as the most predicted class: 1 when the network collapsed to one class. */
  topClassShare: number;
}

export const featureScalesTraining = defineExperiment({
  id: 'feature-scales-training',
  exportable: true,
  title: 'Training on features of wildly different scales, with and without BatchNorm',
  description:
    'A two-class task whose label depends on every feature (positive when z₁z₂ + z₃z₄ + … > 0 for the features z scaled to [-1, 1]), ' +
    'with the features then stretched and shifted to very different ranges. A small ReLU MLP is trained on the raw features ("no norm"), ' +
    'with a BatchNorm1d on its input ("BatchNorm"), on features standardized beforehand with the training set\'s mean and standard ' +
    'deviation (a reference), and with BatchNorm after each hidden Linear layer but raw inputs. Shows loss and test accuracy over ' +
    'training for several seeds.',
  params: {
    features: {
      kind: 'ranges',
      default: [
        [-1000, 1000],
        [-1, 1],
        [-0.001, 0.001],
        [9999, 10001],
      ],
      minItems: 2,
      maxItems: 16,
      description: 'One [low, high] range per feature; each feature is uniform over its range. Features pair up in the label rule.',
    },
    steps: stepsParam(2000, 'Training steps per run.', { max: 100000 }),
    seeds: seedsParam(3, 'Runs per arm, with seeds seed, seed + 1, …', 10),
    batchSize: batchSizeParam(64, 'Minibatch size.', { max: 4096 }),
    optimizer: { kind: 'choice', default: 'sgd', choices: ['sgd', 'adam'], description: 'SGD with momentum 0.9, or Adam.' },
    lr: lrParam(0.01, 'Learning rate, the same for every arm.'),
    hidden: { kind: 'integer', default: 32, min: 2, max: 512, description: 'Units in each of the two hidden ReLU layers.' },
    trainSize: { kind: 'integer', default: 2000, min: 16, max: 100000, description: 'Training examples.' },
    testSize: { kind: 'integer', default: 1000, min: 10, max: 100000, description: 'Test examples (drawn the same way).' },
    hiddenBatchNorm: { kind: 'boolean', default: true, description: 'Also train with BatchNorm after each hidden Linear (raw inputs), to show where BatchNorm has to sit.' },
    seed: firstSeedParam('Seed of the data and of the first run.'),
  },
  knobs: ['features', 'lr', 'optimizer', 'steps', 'seed'],
  async run(params, context) {
    if (params.batchSize > params.trainSize) throw new Error(`"batchSize" ${params.batchSize} is larger than "trainSize" ${params.trainSize}`);
    const arms = [ARM_RAW, ARM_INPUT_BN, ARM_STANDARDIZED, ...(params.hiddenBatchNorm ? [ARM_HIDDEN_BN] : [])];
    const seeds = seedList(params.seed, params.seeds);
    const total = seeds.length * arms.length;
    const inputs: RunInput[] = seeds.flatMap((seed, s) => arms.map((arm, a) => ({ arm, seed, params, label: `${arm}, seed ${seed} (run ${s * arms.length + a + 1} of ${total})` })));
    const runs = await runAll(context, runJob, inputs, { total: () => params.steps, preview: (sofar) => drawable([curvesPlot(reported(sofar), params)]) });
    const { test } = taskData(params);
    const ones = test.y.data.reduce((a, b) => a + b, 0) / params.testSize;
    const summaryParams = { ...params, majority: Math.max(ones, 1 - ones) };
    return { plots: [curvesPlot(runs, params)], markdown: summary(runs, arms, summaryParams), claims: checkClaims(featureScalesClaims, { runs, testSize: params.testSize }) };
  },
});

interface TaskParams {
  features: [number, number][];
  trainSize: number;
  testSize: number;
  seed: number;
}

interface TaskData {
  train: LabelledSet;
  test: LabelledSet;
  trainStd: LabelledSet;
  testStd: LabelledSet;
}

/** The last task drawn, kept so that the runs in one thread share its tensors (the PyTorch export writes each distinct set once). */
let lastTask: { key: string; data: TaskData } | undefined;

/** The task's train and test sets, raw and standardized with the training set's statistics: the same for every run of a seed. */
function taskData(params: TaskParams): TaskData {
  const key = JSON.stringify([params.features, params.trainSize, params.testSize, params.seed]);
  if (lastTask?.key !== key) lastTask = { key, data: drawTask(params) };
  return lastTask.data;
}

function drawTask(params: TaskParams): TaskData {
  const data = new Generator(params.seed);
  const train = makeTask(params.trainSize, params.features, data);
  const test = makeTask(params.testSize, params.features, data);
  const standardize = standardizer(train.x.data, params.features.length);
  return { train, test, trainStd: { x: tensor(standardize(train.x.data), train.x.shape), y: train.y }, testStd: { x: tensor(standardize(test.x.data), test.x.shape), y: test.y } };
}

interface RunInput {
  arm: string;
  seed: number;
  params: TaskParams & { steps: number; batchSize: number; optimizer: string; lr: number; hidden: number };
  label: string;
}

/** One arm and seed; it draws the task from `params.seed` itself, so that any worker can run it. */
const runJob = defineJob<RunInput, Run>('feature-scales-training/run', ({ arm, seed, params, label }, context) => {
  const { train, test, trainStd, testStd } = taskData(params);
  const generator = new Generator(seed);
  const k = params.features.length;
  const mlp = buildMlp({ inputs: k, hidden: [params.hidden, params.hidden], outputs: 2, activation: 'relu', norm: arm === ARM_HIDDEN_BN ? 'batch' : 'none', generator, recorder: context.recorder });
  const model = arm === ARM_INPUT_BN ? new nn.Sequential(new nn.BatchNorm1d(k), ...mlp.children()) : mlp;
  const standardized = arm === ARM_STANDARDIZED;
  const result = trainClassifier({
    model,
    train: standardized ? trainStd : train,
    test: standardized ? testStd : test,
    steps: params.steps,
    batchSize: params.batchSize,
    optimizer: params.optimizer === 'adam' ? { kind: 'adam', lr: params.lr } : { kind: 'sgd', lr: params.lr, momentum: 0.9 },
    generator,
    context,
    label,
    evalEvery: Math.max(1, Math.floor(params.steps / 100)),
    onRecord: (sofar) => context.partial({ arm, seed, result: sofar, topClassShare: NaN }),
  });
  return { arm, seed, result, topClassShare: result.diverged ? NaN : topClassShare(model, standardized ? testStd.x : test.x) };
});

/** The share of rows of `x` the model (in eval mode) assigns to its most predicted class. */
function topClassShare(model: nn.Module, x: Tensor): number {
  model.eval();
  const logits = noGrad(() => model.forward(x));
  const [n, classes] = logits.shape as [number, number];
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits.data[i * classes + c]! > logits.data[i * classes + best]!) best = c;
    counts[best]!++;
  }
  return Math.max(...counts) / n;
}

/** A run collapsed when it predicts one class for every test example: its accuracy is the majority share, not learning. */
export function collapsed(run: Run): boolean {
  return !run.result.diverged && run.topClassShare === 1;
}

export interface FeatureScalesResults {
  runs: Run[];
  testSize: number;
}

/** Final test accuracies of an arm, by seed (NaN for a diverged run, so that seeds stay paired). */
function finalsBySeed(runs: Run[], arm: string): number[] {
  return runs.filter((r) => r.arm === arm).map((r) => (r.result.diverged ? NaN : r.result.finalTestAccuracy));
}

/** b − a per seed ≥ `margin` in every seed; a diverged run of `a` counts as chance (50 %). */
function marginClaim(results: FeatureScalesResults, a: string, b: string, margin: number, direction: 1 | -1): { measured: string; holds: boolean | undefined } {
  const left = finalsBySeed(results.runs, a).map((v) => (Number.isNaN(v) ? 0.5 : v));
  const right = finalsBySeed(results.runs, b).map((v) => (Number.isNaN(v) ? 0.5 : v));
  if (left.length === 0 || right.length === 0) return { measured: `no ${left.length === 0 ? a : b} runs`, holds: undefined };
  const e = pairedEffect(left, right);
  const every = everySeed(e.diffs, (d) => direction * d >= margin);
  return { measured: `${b} − ${a} ${effectNumbers(e)}; ${direction > 0 ? '≥' : '≤'} ${direction > 0 ? '' : '−'}${100 * margin} pp in ${every.words}`, holds: every.holds };
}

export const featureScalesClaims: Claim<FeatureScalesResults>[] = [
  {
    claim: 'Standardizing the features lets gradient descent learn (LeCun et al. 1998; Ioffe & Szegedy 2015): BatchNorm on the input beats the raw features by ≥ 20 points in every seed',
    check: (r) => marginClaim(r, ARM_RAW, ARM_INPUT_BN, 0.2, 1),
  },
  {
    claim: 'BatchNorm on the input does about what standardizing beforehand does: within 5 points of it in every seed',
    check: (r) => {
      const left = finalsBySeed(r.runs, ARM_STANDARDIZED);
      const right = finalsBySeed(r.runs, ARM_INPUT_BN);
      const e = pairedEffect(left, right);
      const every = everySeed(e.diffs, (d) => Math.abs(d) <= 0.05);
      return { measured: `BatchNorm − standardized ${effectNumbers(e)}; within 5 pp in ${every.words}`, holds: left.length > 0 ? every.holds && e.diffs.length === left.length : undefined };
    },
  },
  {
    claim: 'Normalization has to see the features themselves: BatchNorm after the hidden Linears (raw inputs) stays ≥ 20 points below BatchNorm on the input in every seed',
    check: (r) => (r.runs.some((x) => x.arm === ARM_HIDDEN_BN) ? marginClaim(r, ARM_INPUT_BN, ARM_HIDDEN_BN, 0.2, -1) : { measured: 'hiddenBatchNorm is off', holds: undefined }),
  },
];

/**
 * `n` examples: z uniform in [-1, 1]^k, label 1 when z₁z₂ + z₃z₄ + … > 0 (an odd last feature pairs with
 * the first), features x_j = low_j + (z_j + 1)(high_j − low_j)/2.
 */
export function makeTask(n: number, ranges: [number, number][], generator: Generator): LabelledSet {
  const k = ranges.length;
  const z = generator.fillUniform(new Float32Array(n * k), -1, 1);
  const x = new Float32Array(n * k);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const row = z.subarray(i * k, (i + 1) * k);
    let s = 0;
    for (let j = 0; j < k; j += 2) s += row[j]! * row[(j + 1) % k]!;
    y[i] = s > 0 ? 1 : 0;
    ranges.forEach(([low, high], j) => {
      x[i * k + j] = low + ((row[j]! + 1) * (high - low)) / 2;
    });
  }
  return { x: tensor(x, [n, k]), y: tensor(y, [n]) };
}

/** Per-feature (x − mean) / std with the statistics of `data` (float64), as sklearn's StandardScaler. */
function standardizer(data: Float32Array, k: number): (values: Float32Array) => Float32Array {
  const n = data.length / k;
  const means = new Float64Array(k);
  const stds = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += data[i * k + j]!;
    means[j] = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (data[i * k + j]! - means[j]!) ** 2;
    stds[j] = Math.sqrt(v / n) || 1;
  }
  return (values) => values.map((v, idx) => (v - means[idx % k]!) / stds[idx % k]!);
}

function curvesPlot(runs: Run[], params: { steps: number; optimizer: string; lr: number; seeds: number }): PlotPayload {
  const plot: TrainingCurvesPlot = {
    kind: 'training-curves',
    title: 'A small MLP on features of very different scales: training loss and test accuracy',
    notes:
      `${params.optimizer === 'adam' ? 'Adam' : 'SGD with momentum 0.9'}, lr ${num(params.lr)}; one line per seed (${params.seeds} per arm). ` +
      'Chance is 50 %. Training loss is the mean since the previous point.',
    x: { label: 'training step' },
    metrics: [
      { id: 'accuracy', label: 'test accuracy', unit: '%' },
      { id: 'loss', label: 'training loss', unit: 'nats', scale: 'log' },
    ],
    // A run that diverged before its first record has no curve: its divergence line still marks it.
    curves: runs.filter(({ result }) => result.steps.length > 0).flatMap(({ arm, result }) => [
      { arm, metric: 'accuracy', split: 'test' as const, steps: result.steps, values: result.testAccuracy.map((a) => Number((a * 100).toFixed(2))) },
      // A log axis needs values > 0; a loss that underflows to 0 is shown at 1e-6.
      { arm, metric: 'loss', split: 'train' as const, steps: result.steps, values: result.loss.map((l) => Math.max(1e-6, Number(l.toPrecision(4)))) },
    ]),
  };
  const divergences = runs.filter((r) => r.result.diverged).map((r) => ({ arm: r.arm, step: r.result.diverged!.step, reason: `seed ${r.seed}: ${r.result.diverged!.reason}` }));
  if (divergences.length > 0) plot.divergences = divergences;
  return { version: 1, plot };
}

export function summary(runs: Run[], arms: string[], params: { features: [number, number][]; steps: number; optimizer: string; lr: number; seeds: number; trainSize: number; testSize: number; majority: number }): string {
  const finals = new Map(arms.map((arm) => [arm, runs.filter((r) => r.arm === arm && !r.result.diverged).map((r) => r.result.finalTestAccuracy)]));
  const lines = [
    `**A ${params.features.length}-feature, two-class task** (label: z₁z₂ + z₃z₄ + … > 0), features on the ranges ${params.features.map(([a, b]) => `[${exact(a)}, ${exact(b)}]`).join(', ')}; ` +
      `${int(params.trainSize)} training and ${int(params.testSize)} test examples; MLP with two hidden ReLU layers; ` +
      `${params.optimizer === 'adam' ? 'Adam' : 'SGD with momentum 0.9'}, lr ${num(params.lr)}, ${int(params.steps)} steps; chance is 50 %, and a network that predicts one class for every example scores that class's share (the larger class: ${pct(params.majority)}).`,
    '',
    '| arm | final test accuracy | final training loss | predicts one class for every test example |',
    '|---|---:|---:|---:|',
  ];
  for (const arm of arms) {
    const mine = runs.filter((r) => r.arm === arm);
    const losses = mine.filter((r) => !r.result.diverged).map((r) => r.result.loss.at(-1)!);
    const diverged = mine.filter((r) => r.result.diverged);
    const divergedText = diverged.length > 0 ? ` (${diverged.length} of ${mine.length} seeds diverged: ${diverged[0]!.result.diverged!.reason})` : '';
    const oneClass = mine.filter(collapsed).length;
    lines.push(`| ${arm} | ${pctSpread(finals.get(arm)!)}${divergedText} | ${losses.length > 0 ? num(mean(losses)) : '—'} | ${oneClass === 0 ? 'no seed' : mine.length === 1 ? 'its one seed' : `${oneClass} of ${mine.length} seeds`} |`);
  }
  lines.push('');
  const raw = finals.get(ARM_RAW)!;
  const bn = finals.get(ARM_INPUT_BN)!;
  const ref = finals.get(ARM_STANDARDIZED)!;
  const rawRuns = runs.filter((r) => r.arm === ARM_RAW && !r.result.diverged);
  const rawStart = rawRuns.length > 0 ? mean(rawRuns.map((r) => r.result.loss[0]!)) : NaN;
  const rawCollapsed = rawRuns.filter(collapsed);
  const learned = rawRuns.filter((r) => !collapsed(r));
  const rawWords =
    raw.length === 0
      ? 'diverged in every seed'
      : (rawCollapsed.length === rawRuns.length
          ? `collapsed to one class in ${rawRuns.length === 1 ? 'its one seed' : `all ${rawRuns.length} seeds`}: it predicts the same class for every test example, so its ${pctSpread(raw)} is the share of the class it predicts, not learning`
          : (rawCollapsed.length > 0 ? `collapsed to one class in ${rawCollapsed.length} of ${rawRuns.length} seeds (scoring the share of the class they predict); the other seeds reach ${pctSpread(learned.map((r) => r.result.finalTestAccuracy))}` : `reaches ${pctSpread(raw)}`)) +
        (Number.isFinite(rawStart) && rawStart > 10 ? ` (its loss averages ${num(rawStart)} over the first ${int(rawRuns[0]!.result.steps[0]!)} steps: the ×1000 feature and the offset make huge pre-activations and huge first updates)` : '');
  const byArm = (arm: string): number[] => runs.filter((r) => r.arm === arm).map((r) => (r.result.diverged ? 0.5 : r.result.finalTestAccuracy));
  const gain = pairedEffect(byArm(ARM_RAW), byArm(ARM_INPUT_BN), { resolution: accuracyResolution(mean(byArm(ARM_RAW)), mean(byArm(ARM_INPUT_BN)), params.testSize) });
  lines.push(
    `From the raw features the MLP ${rawWords}. With a BatchNorm1d on its input it reaches ${bn.length > 0 ? pctSpread(bn) : 'nothing (diverged)'}; ` +
      `${ref.length > 0 ? `on inputs standardized beforehand, ${pctSpread(ref)}` : 'no standardized reference finished'}. ` +
      `BatchNorm on the input − raw features (a diverged run counted as chance): ${describeEffect(gain)}. ` +
      (gain.verdict === 'clear'
        ? 'BatchNorm in training mode standardizes each feature with its batch statistics, which is what the network needed.'
        : 'So in this run BatchNorm on the input does not clearly beat the raw features; the expected picture is raw features near chance and BatchNorm close to the standardized reference.'),
  );
  const hidden = finals.get(ARM_HIDDEN_BN);
  if (hidden) {
    const hiddenRuns = runs.filter((r) => r.arm === ARM_HIDDEN_BN);
    const oneClass = hiddenRuns.filter(collapsed).length;
    const loss = pairedEffect(byArm(ARM_INPUT_BN), byArm(ARM_HIDDEN_BN), { direction: -1, resolution: accuracyResolution(mean(byArm(ARM_INPUT_BN)), mean(byArm(ARM_HIDDEN_BN)), params.testSize) });
    const collapseWords = oneClass > 0 ? ` (${oneClass} of ${hiddenRuns.length} seeds collapsed to one class)` : '';
    lines.push(
      '',
      `BatchNorm after each hidden Linear, with raw inputs, reaches ${hidden.length > 0 ? pctSpread(hidden) : 'nothing (diverged)'}${collapseWords}; against BatchNorm on the input: ${describeEffect(loss)}. ` +
        (loss.verdict === 'clear'
          ? 'The first Linear mixes the features before BatchNorm sees them, so each mixture is dominated by the ×1000 feature and the offset, and the small features are lost in it. Normalization has to see the features themselves.'
          : 'Here that placement does not clearly do worse than BatchNorm on the input.'),
    );
  }
  lines.push(
    '',
    '**Literature.** Standardizing inputs is classic advice for gradient descent (LeCun et al., *Efficient BackProp*, 1998): features on very different scales ' +
      'make the loss surface ill-conditioned, so one learning rate is too large for the large features and too small for the small ones. ' +
      'Ioffe & Szegedy (2015) apply the same standardization inside the network, per minibatch; a BatchNorm on the input layer does it for the raw features.',
    '',
    claimsTable(checkClaims(featureScalesClaims, { runs, testSize: params.testSize })),
  );
  return lines.join('\n');
}
