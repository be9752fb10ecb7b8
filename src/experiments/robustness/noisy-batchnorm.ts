/**
 * noisy-batchnorm: Santurkar et al. 2018, Fig. 2. BatchNorm followed by noise whose mean and variance change
 * every step (see NoisyBatchNorm) makes the distribution of each layer's inputs shift far more than in the
 * network without normalization, yet it trains about as fast as BatchNorm, and faster than no norm: reducing
 * "internal covariate shift" is not what makes BatchNorm work.
 */
import { Generator, nn, stats } from '../../engine';
import type { Curve, PercentileArm, PlotPayload } from '../../shared/payload';
import { checkClaims, claimsTable, everySeed, type Claim } from '../claims';
import { describeEffect, effectNumbers, pairedEffect, verdictWords } from '../effects';
import { activationParam, batchSizeParam, depthParam, downsampleParam, firstSeedParam, lrParam, seedsParam, stepsParam, testSizeParam, trainSizeParam, widthParam } from '../common-params';
import { defineExperiment } from '../experiment';
import { checkMnistSizes, mnistSplit } from '../mnist';
import { drawable } from '../live';
import { defineJob, runAll } from '../runs';
import { signed } from '../numbers';
import { buildMlp, NORM_NAMES, trainClassifier, type Activation, type TrainResult } from '../training';
import { downsampleIndices, mean, percentSpread, round, seedList } from './common';
import { NoisyBatchNorm, Recorder } from './noisy-batchnorm-module';

type Arm = 'none' | 'batch' | 'noisy';
const ARMS: Arm[] = ['none', 'batch', 'noisy'];
const ARM_NAMES: Record<Arm, string> = { none: NORM_NAMES.none, batch: NORM_NAMES.batch, noisy: 'noisy BN' };
const PERCENTILES = [15, 50, 85];

export interface ArmRun {
  result: TrainResult;
  /** Steps at which the probed unit's percentiles were recorded, and the percentiles. */
  probeSteps: number[];
  probe: number[][];
  /** Mean over steps and units of |change of a unit's batch mean| between consecutive steps. */
  meanShift: number;
  /** Mean over steps and units of |log(batch std now / batch std at the previous step)|. */
  stdShift: number;
}

export const noisyBatchnorm = defineExperiment({
  id: 'noisy-batchnorm',
  title: 'Noisy BatchNorm: much more covariate shift, training as fast as BatchNorm',
  description:
    'Trains the same MLP on MNIST with no norm, BatchNorm, and “noisy BN” (BatchNorm followed by a random per-feature scale ' +
    'and shift drawn afresh every step), for several seeds (Santurkar et al. 2018, Fig. 2). Plots the training curves and, ' +
    'for one unit of one hidden layer, the 15th/50th/85th percentiles over the batch of its input to the activation during ' +
    'training: noisy BN shifts that distribution all the time, yet trains about as fast as BatchNorm.',
  params: {
    maxScale: { kind: 'number', default: 3, min: 1, max: 100, description: 'Noise scale s ~ U(1, maxScale) per feature and step.' },
    maxShift: { kind: 'number', default: 1.5, min: 0, max: 100, description: 'Noise shift m ~ U(−maxShift, maxShift) per feature and step.' },
    steps: stepsParam(1000, 'SGD steps per run.'),
    batchSize: batchSizeParam(60, 'Minibatch size.'),
    lr: lrParam(0.05, 'SGD learning rate (no momentum), the same for every arm.'),
    activation: activationParam('relu', 'Hidden activation.'),
    width: widthParam(64, 'Units per hidden layer.'),
    depth: depthParam(4, 'Hidden layers (Linear → norm → activation).'),
    probeLayer: { kind: 'integer', default: 0, min: 0, max: 8, description: 'Hidden layer whose unit is plotted (1 = first; 0 = the last hidden layer).' },
    downsample: downsampleParam('Average the 28×28 digits over 2×2 blocks (14×14 inputs): four times faster.'),
    trainSize: trainSizeParam(8000, 'Training examples.', 1000),
    testSize: testSizeParam(2000, 'Held-out test examples.'),
    seeds: seedsParam(3, 'Runs per arm (seeds seed, seed + 1, …).', 10),
    seed: firstSeedParam('First seed (data split, weights, batch order, noise).'),
  },
  knobs: ['maxScale', 'maxShift', 'lr', 'steps', 'seeds'],
  async run(p, context) {
    if (p.probeLayer > p.depth) throw new Error(`probeLayer (${p.probeLayer}) must be at most depth (${p.depth})`);
    checkMnistSizes(p.trainSize, p.testSize);
    const seeds = seedList(p.seed, p.seeds);
    const layer = (p.probeLayer || p.depth) - 1;
    const inputs: RunInput[] = seeds.flatMap((seed) => ARMS.map((arm) => ({ p, arm, seed, layer })));
    // runs[arm][seed], from the jobs' results in input order.
    const nest = (flat: readonly (ArmRun | undefined)[]): (ArmRun | undefined)[][] => ARMS.map((_, ai) => seeds.map((_, si) => flat[si * ARMS.length + ai]));
    const flat = await runAll(context, runJob, inputs, {
      total: () => p.steps,
      // Per arm, the finished seeds once there are any (mean curves need runs of the same length), else the running one.
      preview: (sofar, done) =>
        drawable(plots(p, layer, seeds[0]!, nest(sofar).map((rs, ai) => {
          const finished = rs.filter((r, si): r is ArmRun => r !== undefined && done[si * ARMS.length + ai]!);
          return finished.length > 0 ? finished : rs.filter((r): r is ArmRun => r !== undefined);
        }))),
    });
    const runs = nest(flat) as ArmRun[][];
    return { plots: plots(p, layer, seeds[0]!, runs), markdown: summary(p, layer, runs), claims: checkClaims(noisyClaims, runs) };
  },
});

interface NoisyParams {
  maxScale: number;
  maxShift: number;
  steps: number;
  batchSize: number;
  lr: number;
  activation: string;
  width: number;
  depth: number;
  downsample: boolean;
  trainSize: number;
  testSize: number;
  seeds: number;
  seed: number;
}

interface RunInput {
  p: NoisyParams;
  arm: Arm;
  seed: number;
  /** The hidden layer (0-based) whose first unit is probed. */
  layer: number;
}

/** One arm and seed; it reads the split of `p.seed` itself, so that any worker can run it. */
const runJob = defineJob<RunInput, ArmRun>('noisy-batchnorm/run', async ({ p, arm, seed, layer }, context) => {
  const split = await mnistSplit(context, { trainSize: p.trainSize, testSize: p.testSize, seed: p.seed, downsample: p.downsample });
  const generator = new Generator(seed);
  const noise = new Generator(seed + 7919);
  const recorders: Recorder[] = [];
  const model = buildMlp({
    inputs: split.inputs,
    hidden: Array.from({ length: p.depth }, () => p.width),
    outputs: 10,
    activation: p.activation as Activation,
    generator,
    makeNorm: (width) => {
      const inner = arm === 'none' ? new nn.Identity() : arm === 'batch' ? new nn.BatchNorm1d(width) : new NoisyBatchNorm(width, { maxScale: p.maxScale, maxShift: p.maxShift, generator: noise });
      const recorder = new Recorder(inner);
      recorders.push(recorder);
      return recorder;
    },
  });
  const run: ArmRun = { result: { steps: [], loss: [], testAccuracy: [], finalTestAccuracy: NaN }, probeSteps: [], probe: PERCENTILES.map(() => []), meanShift: NaN, stdShift: NaN };
  const watch = shiftWatcher(recorders[layer]!, run, Math.max(1, Math.floor(p.steps / 120)));
  run.result = trainClassifier({
    model,
    train: split.train,
    test: split.test,
    steps: p.steps,
    batchSize: p.batchSize,
    optimizer: { kind: 'sgd', lr: p.lr },
    generator,
    context,
    label: `${ARM_NAMES[arm]}, seed ${seed}`,
    evalEvery: Math.max(1, Math.floor(p.steps / 60)),
    afterStep: watch.afterStep,
    onRecord: (sofar) => context.partial({ ...run, result: sofar }),
  });
  return { ...run, ...watch.shifts() };
});

/**
 * Watches the probed layer's output after each step: how far its batch means and stds move from step to
 * step (the shift noisy BN injects), and the percentiles of its first unit every `recordEvery` steps.
 */
function shiftWatcher(probe: Recorder, run: ArmRun, recordEvery: number): { afterStep: (step: number) => void; shifts: () => { meanShift: number; stdShift: number } } {
  let previous: { means: Float64Array; stds: Float64Array } | undefined;
  let shiftSum = 0;
  let stdShiftSum = 0;
  let shiftCount = 0;
  const afterStep = (step: number): void => {
    const out = probe.last;
    if (!out) return;
    const [n, c] = out.shape as [number, number];
    const current = columnMoments(out.data, n, c);
    if (previous) {
      for (let j = 0; j < c; j++) {
        shiftSum += Math.abs(current.means[j]! - previous.means[j]!);
        stdShiftSum += Math.abs(Math.log((current.stds[j]! + 1e-8) / (previous.stds[j]! + 1e-8)));
      }
      shiftCount += c;
    }
    previous = current;
    if (step % recordEvery === 0 || step === 1) {
      const unit = new Float32Array(n);
      for (let i = 0; i < n; i++) unit[i] = out.data[i * c]!;
      const values = stats.percentiles(unit, PERCENTILES);
      run.probeSteps.push(step);
      values.forEach((v, k) => run.probe[k]!.push(v));
    }
  };
  return { afterStep, shifts: () => ({ meanShift: shiftCount ? shiftSum / shiftCount : NaN, stdShift: shiftCount ? stdShiftSum / shiftCount : NaN }) };
}

/** Mean training curves per arm, and the probed unit's percentile bands of the first seed (arms without runs yet are left out). */
function plots(p: NoisyParams, layer: number, firstSeed: number, runs: ArmRun[][]): PlotPayload[] {
  // Training curves: the mean over seeds that finished (the steps are the same for every seed).
  const curves: Curve[] = [];
  const divergences: { arm: string; step: number; reason: string }[] = [];
  ARMS.forEach((arm, ai) => {
    const finished = runs[ai]!.filter((r) => !r.result.diverged).map((r) => r.result);
    for (const r of runs[ai]!) if (r.result.diverged) divergences.push({ arm: ARM_NAMES[arm], step: r.result.diverged.step, reason: r.result.diverged.reason });
    if (finished.length === 0) return;
    const steps = finished[0]!.steps;
    curves.push({ arm: ARM_NAMES[arm], metric: 'loss', split: 'train', steps, values: steps.map((_, k) => round(mean(finished.map((r) => r.loss[k]!)))) });
    curves.push({ arm: ARM_NAMES[arm], metric: 'accuracy', split: 'test', steps, values: steps.map((_, k) => round(100 * mean(finished.map((r) => r.testAccuracy[k]!)))) });
  });
  const curvesPlot: PlotPayload = {
    version: 1,
    plot: {
      kind: 'training-curves',
      title: `Training with no norm, BatchNorm and noisy BN (MLP ${p.depth}×${p.width} ${p.activation}, SGD lr ${p.lr}, batch ${p.batchSize})`,
      notes: `Mean over ${p.seeds} seed(s). Noisy BN: after each BatchNorm, every feature is scaled by s ~ U(1, ${p.maxScale}) and shifted by m ~ U(−${p.maxShift}, ${p.maxShift}), drawn afresh each step; at test time the noise is replaced by its mean (scale ${(1 + p.maxScale) / 2}, shift 0).`,
      x: { label: 'training step' },
      metrics: [
        { id: 'loss', label: 'training loss', scale: 'log' },
        { id: 'accuracy', label: 'test accuracy', unit: '%' },
      ],
      curves,
      ...(divergences.length ? { divergences } : {}),
    },
  };

  const bandArms: PercentileArm[] = ARMS.flatMap((arm, ai) => {
    const r = runs[ai]![0];
    if (!r) return [];
    const keep = downsampleIndices(r.probeSteps.length, 120);
    return [{
      arm: ARM_NAMES[arm],
      steps: keep.map((k) => r.probeSteps[k]!),
      values: r.probe.map((series) => keep.map((k) => round(series[k]!))),
      ...(r.result.diverged ? { diverged: { step: r.result.diverged.step, reason: r.result.diverged.reason } } : {}),
    }];
  });
  const bands: PlotPayload = {
    version: 1,
    plot: {
      kind: 'percentile-bands',
      title: `Distribution over the batch of unit 1 of hidden layer ${layer + 1}, input to the ${p.activation} (seed ${firstSeed})`,
      notes: 'Line: median; band: 15th–85th percentiles, in training mode. Noisy BN moves this distribution every step (the “internal covariate shift” it injects), yet it trains as well as BatchNorm.',
      x: { label: 'training step' },
      y: { label: `input to the ${p.activation}` },
      percentiles: PERCENTILES,
      arms: bandArms,
    },
  };
  return [curvesPlot, bands];
}

function columnMoments(data: Float32Array, n: number, c: number): { means: Float64Array; stds: Float64Array } {
  const means = new Float64Array(c);
  const stds = new Float64Array(c);
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) means[j]! += data[i * c + j]!;
  for (let j = 0; j < c; j++) means[j]! /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      const d = data[i * c + j]! - means[j]!;
      stds[j]! += d * d;
    }
  }
  for (let j = 0; j < c; j++) stds[j] = Math.sqrt(stds[j]! / n);
  return { means, stds };
}

/** The step at which the mean training-loss curve of an arm first gets below `target`, or undefined. */
function stepsTo(runs: ArmRun[], target: number): number | undefined {
  const finished = runs.filter((r) => !r.result.diverged).map((r) => r.result);
  if (finished.length === 0) return undefined;
  const steps = finished[0]!.steps;
  for (let k = 0; k < steps.length; k++) if (mean(finished.map((r) => r.loss[k]!)) < target) return steps[k];
  return undefined;
}

/** A run's final training loss, NaN if it diverged (so that seeds stay paired). */
function lastLoss(r: ArmRun): number {
  return r.result.diverged ? NaN : r.result.loss.at(-1)!;
}

/** Claims over runs[arm][seed], arms in the order no norm, BatchNorm, noisy BN. */
export const noisyClaims: Claim<ArmRun[][]>[] = [
  {
    claim: 'Noisy BN shifts its layers’ input distributions more than no normalization does (Santurkar et al. 2018, Fig. 2): the step-to-step change of a unit’s batch mean is ≥ 2× larger in every seed',
    check: (runs) => {
      const [none, , noisy] = runs as [ArmRun[], ArmRun[], ArmRun[]];
      const ratios = noisy.map((r, i) => r.meanShift / none[i]!.meanShift);
      const every = everySeed(ratios, (x) => x >= 2);
      return { measured: `noisy BN / no norm per seed: ${ratios.map((x) => `${x.toFixed(1)}×`).join(', ')}; ≥ 2× in ${every.words}`, holds: every.holds };
    },
  },
  {
    claim: 'yet it trains better than no normalization (Santurkar et al. 2018, Fig. 2): its final training loss is lower in every seed',
    check: (runs) => {
      const [none, , noisy] = runs as [ArmRun[], ArmRun[], ArmRun[]];
      const e = pairedEffect(none.map(lastLoss), noisy.map(lastLoss), { direction: -1 });
      const every = everySeed(e.diffs, (d) => d < 0);
      return { measured: `noisy BN − no norm ${effectNumbers(e, (x) => signed(x, 3))}; lower in ${every.words}`, holds: every.holds && e.diffs.length === none.length };
    },
  },
];

export function summary(p: { steps: number; seeds: number; maxScale: number; maxShift: number; lr: number }, layer: number, runs: ArmRun[][]): string {
  const [none, batch, noisy] = runs as [ArmRun[], ArmRun[], ArmRun[]];
  const finalLoss = (rs: ArmRun[]): number[] => rs.filter((r) => !r.result.diverged).map((r) => r.result.loss.at(-1)!);
  const finalAcc = (rs: ArmRun[]): number[] => rs.filter((r) => !r.result.diverged).map((r) => r.result.finalTestAccuracy);
  const fmtLoss = (v: number[]): string => (v.length ? `${mean(v).toFixed(3)} (${Math.min(...v).toFixed(3)}–${Math.max(...v).toFixed(3)})` : 'diverged');
  const lines = [
    `**After ${p.steps.toLocaleString('en-US')} steps** (SGD lr ${p.lr}; ${p.seeds} seed(s); noisy BN: s ~ U(1, ${p.maxScale}), m ~ U(−${p.maxShift}, ${p.maxShift}) per feature and step):`,
    '',
    '| arm | training loss (last record) | test accuracy | step-to-step change of a unit’s batch mean (layer ' + (layer + 1) + ') | of its batch std (abs. log ratio) |',
    '|---|---:|---:|---:|---:|',
    ...ARMS.map((arm, ai) => {
      const rs = runs[ai]!;
      return `| ${ARM_NAMES[arm]} | ${fmtLoss(finalLoss(rs))} | ${percentSpread(finalAcc(rs), p.seeds)} | ${mean(rs.map((r) => r.meanShift)).toFixed(3)} | ${mean(rs.map((r) => r.stdShift)).toFixed(3)} |`;
    }),
    '',
  ];
  // Speed: steps for the mean loss curve to reach 1.5× the final loss of the slowest arm... simpler: a fixed target.
  const target = Math.max(...[none, batch, noisy].map((rs) => mean(finalLoss(rs))).filter((v) => Number.isFinite(v)));
  const reach = ARMS.map((arm, ai) => ({ arm, step: stepsTo(runs[ai]!, target * 1.0001) }));
  lines.push(
    `Steps until the mean training loss first gets below ${target.toFixed(3)} (the worst arm’s final loss): ` +
      reach.map(({ arm, step }) => `${ARM_NAMES[arm]} ${step === undefined ? 'never' : step.toLocaleString('en-US')}`).join(', ') +
      '.',
    '',
  );
  const shiftNoisy = mean(noisy.map((r) => r.meanShift));
  const shiftNone = mean(none.map((r) => r.meanShift));
  const shiftBatch = mean(batch.map((r) => r.meanShift));
  const lossNoisy = mean(finalLoss(noisy));
  const lossBatch = mean(finalLoss(batch));
  const lossNone = mean(finalLoss(none));
  const moreShift = shiftNoisy > 2 * Math.max(shiftNone, shiftBatch);
  const lossEffect = pairedEffect(none.map(lastLoss), noisy.map(lastLoss), { direction: -1 });
  const asFast = lossEffect.verdict === 'clear';
  if (moreShift && asFast) {
    lines.push(
      `As in Santurkar et al. (2018, Fig. 2), noisy BN’s layer inputs move ${(shiftNoisy / shiftNone).toFixed(1)}× more from step to step than without normalization ` +
        `(with BatchNorm, a unit’s batch mean is its β, which moves only by learning: ${shiftBatch.toFixed(4)}), yet it ends with a lower training loss than no norm ` +
        `(${lossNoisy.toFixed(3)} against ${lossNone.toFixed(3)}; BatchNorm ${lossBatch.toFixed(3)}; noisy BN − no norm ${describeEffect(lossEffect, (x) => signed(x, 3))}). Whatever BatchNorm does for training, it is not only reducing the shift of layer input distributions.`,
    );
  } else {
    lines.push(
      `**Not as the literature says:** ${moreShift ? '' : `noisy BN’s inputs did not shift much more than the others’ (${shiftNoisy.toFixed(3)} against ${shiftNone.toFixed(3)} and ${shiftBatch.toFixed(3)}); `}` +
        `${asFast ? '' : `noisy BN did not clearly train better than no norm (final loss ${lossNoisy.toFixed(3)} against ${lossNone.toFixed(3)}: ${verdictWords(lossEffect, (x) => signed(x, 3))}); `}` +
        'Santurkar et al. (2018, Fig. 2) find noisy BN on a VGG (CIFAR-10) as fast as BatchNorm and faster than no norm despite a much larger covariate shift. Try fewer noise or more steps.',
    );
  }
  const costEffect = pairedEffect(batch.map(lastLoss), noisy.map(lastLoss));
  if (costEffect.verdict === 'clear') {
    lines.push('', `Noisy BN is slower than plain BatchNorm here (final loss ${lossNoisy.toFixed(3)} against ${lossBatch.toFixed(3)}; ${verdictWords(costEffect, (x) => signed(x, 3))}): the noise is large enough to cost something.`);
  }
  lines.push('', claimsTable(checkClaims(noisyClaims, runs)));
  return lines.join('\n');
}
