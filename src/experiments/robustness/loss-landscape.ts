/**
 * loss-landscape: Santurkar et al. 2018, Fig. 4. At checkpoints during training, move the weights along the
 * gradient direction with a range of step sizes and measure (a) how much the loss varies, (b) how much the
 * gradient changes (ℓ2 norm of the difference: "gradient predictiveness"), and (c) the effective
 * β-smoothness, max over steps of ‖∇L(w − ηg) − ∇L(w)‖ / ‖ηg‖. With BatchNorm all three are smaller:
 * the landscape is smoother, so the gradient is a more reliable guide to larger steps.
 */
import { F, Generator, type nn, type Tensor } from '../../engine';
import type { Curve, PercentileArm, PlotPayload } from '../../shared/payload';
import { checkLoss, DivergenceError } from '../divergence';
import { checkClaims, claimsTable, everySeed, type Claim } from '../claims';
import { activationParam, batchSizeParam, depthParam, downsampleParam, firstSeedParam, lrParam, seedsParam, stepsParam, testSizeParam, trainSizeParam, widthParam } from '../common-params';
import { defineExperiment } from '../experiment';
import { checkMnistSizes, mnistSplit } from '../mnist';
import { drawable } from '../live';
import { defineJob, runAll } from '../runs';
import { BatchSampler, buildMlp, NORM_NAMES, trainClassifier, type Activation, type LabelledSet, type NormKind, type TrainResult } from '../training';
import { kaimingHidden, mean, round, seedList } from './common';

const ARMS: NormKind[] = ['none', 'batch'];
const BAND = [0, 50, 100];

export interface Checkpoint {
  step: number;
  /** Loss at w − η·g for each step size η. */
  losses: number[];
  /** ‖∇L(w − η·g) − ∇L(w)‖ for each η. */
  gradChanges: number[];
  /** max over η of ‖∇L(w − η·g) − ∇L(w)‖ / ‖η·g‖. */
  beta: number;
  gradNorm: number;
}

export interface Run {
  result: TrainResult;
  checkpoints: Checkpoint[];
}

export const lossLandscape = defineExperiment({
  id: 'loss-landscape',
  title: 'BatchNorm smooths the loss landscape',
  description:
    'Trains the same MLP on MNIST with and without BatchNorm and, at checkpoints, moves the weights along the gradient with ' +
    'step sizes in a range: it records the loss at each point (how much it varies), the change of the gradient (how ' +
    'predictive the gradient is) and the effective β-smoothness (Santurkar et al. 2018, Fig. 4).',
  params: {
    stepMin: { kind: 'number', default: 0.05, min: 0, max: 100, exclusiveMin: true, description: 'Smallest step size η along the gradient.' },
    stepMax: { kind: 'number', default: 0.4, min: 0, max: 100, exclusiveMin: true, description: 'Largest step size η along the gradient.' },
    stepCount: { kind: 'integer', default: 8, min: 2, max: 32, description: 'Number of step sizes, evenly spaced from stepMin to stepMax.' },
    checkpoints: { kind: 'integer', default: 20, min: 2, max: 200, description: 'Number of points during training where the landscape is probed.' },
    steps: stepsParam(1000, 'SGD training steps per run.'),
    batchSize: batchSizeParam(60, 'Minibatch size (also the size of the probe batch).'),
    lr: lrParam(0.05, 'SGD learning rate (no momentum), the same for both arms.'),
    activation: activationParam('relu', 'Hidden activation.'),
    init: {
      kind: 'choice',
      default: 'kaiming',
      choices: ['kaiming', 'pytorch'],
      description: 'Hidden weights: He (Kaiming) normal for the activation, so that the network without norm trains from the start, or PyTorch’s default (it then sits on a flat plateau for a few hundred steps).',
    },
    width: widthParam(64, 'Units per hidden layer.'),
    depth: depthParam(4, 'Hidden layers (Linear → norm → activation).'),
    downsample: downsampleParam('Average the 28×28 digits over 2×2 blocks (14×14 inputs): four times faster.'),
    trainSize: trainSizeParam(8000, 'Training examples.', 1000),
    testSize: testSizeParam(2000, 'Held-out test examples.'),
    seeds: seedsParam(3, 'Runs per arm (seeds seed, seed + 1, …).', 10),
    seed: firstSeedParam('First seed (data split, weights, batch order).'),
  },
  knobs: ['lr', 'stepMax', 'activation', 'init', 'seeds'],
  async run(p, context) {
    if (p.stepMax <= p.stepMin) throw new Error(`stepMax (${p.stepMax}) must be larger than stepMin (${p.stepMin})`);
    checkMnistSizes(p.trainSize, p.testSize);
    const seeds = seedList(p.seed, p.seeds);
    const inputs: RunInput[] = seeds.flatMap((seed) => ARMS.map((norm) => ({ p, norm, seed })));
    // runs[arm][seed], from the jobs' results in input order.
    const nest = (flat: readonly (Run | undefined)[]): (Run | undefined)[][] => ARMS.map((_, ai) => seeds.map((_, si) => flat[si * ARMS.length + ai]));
    const flat = await runAll(context, runJob, inputs, {
      total: () => p.steps,
      // Per arm, the finished seeds once there are any (the bands then keep their length), else the running one.
      preview: (sofar, done) =>
        drawable(plots(p, nest(sofar).map((rs, ai) => {
          const finished = rs.filter((r, si): r is Run => r !== undefined && done[si * ARMS.length + ai]!);
          return finished.length > 0 ? finished : rs.filter((r): r is Run => r !== undefined);
        }))),
    });
    const runs = nest(flat) as Run[][];
    return { plots: plots(p, runs), markdown: summary(p, runs), claims: checkClaims(landscapeClaims, runs) };
  },
});

interface LandscapeParams {
  stepMin: number;
  stepMax: number;
  stepCount: number;
  checkpoints: number;
  steps: number;
  batchSize: number;
  lr: number;
  activation: string;
  init: string;
  width: number;
  depth: number;
  downsample: boolean;
  trainSize: number;
  testSize: number;
  seed: number;
}

interface RunInput {
  p: LandscapeParams;
  norm: NormKind;
  seed: number;
}

/** One arm and seed, probing the landscape at checkpoints; it reads the split of `p.seed` itself, so that any worker can run it. */
const runJob = defineJob<RunInput, Run>('loss-landscape/run', async ({ p, norm, seed }, context) => {
  const split = await mnistSplit(context, { trainSize: p.trainSize, testSize: p.testSize, seed: p.seed, downsample: p.downsample });
  const hidden = Array.from({ length: p.depth }, () => p.width);
  const etas = Array.from({ length: p.stepCount }, (_, k) => p.stepMin + ((p.stepMax - p.stepMin) * k) / (p.stepCount - 1));
  const every = Math.max(1, Math.floor(p.steps / p.checkpoints));
  const generator = new Generator(seed);
  const probeSampler = new BatchSampler(split.train, p.batchSize, new Generator(seed + 104729));
  const model = buildMlp({ inputs: split.inputs, hidden, outputs: 10, activation: p.activation as Activation, norm, generator });
  if (p.init === 'kaiming') kaimingHidden(model, generator, p.activation as Activation);
  const checkpoints: Checkpoint[] = [];
  const probe = (step: number): void => {
    const checkpoint = probeLandscape(model, probeSampler.next(), etas, step);
    if (checkpoint) checkpoints.push(checkpoint);
  };
  probe(0);
  const result = trainClassifier({
    model,
    train: split.train,
    test: split.test,
    steps: p.steps,
    batchSize: p.batchSize,
    optimizer: { kind: 'sgd', lr: p.lr },
    generator,
    context,
    label: `${NORM_NAMES[norm]}, seed ${seed}`,
    evalEvery: every,
    afterStep: (step) => {
      if (step % every === 0) probe(step);
    },
    onRecord: (sofar) => context.partial({ result: sofar, checkpoints }),
  });
  return { result, checkpoints };
});

/**
 * At the current weights w, on one batch (training mode, as in a training step): the loss and gradient g,
 * then for each η the loss and gradient at w − η·g. Weights, running statistics and grads are restored.
 * Returns undefined when the loss at w is not finite (the run is diverging; training will say so).
 */
function probeLandscape(model: nn.Sequential, batch: LabelledSet, etas: number[], step: number): Checkpoint | undefined {
  const params = model.parameters();
  const buffers = model.namedBuffers().filter((entry): entry is [string, Tensor] => typeof entry[1] !== 'number');
  const savedBuffers = buffers.map(([, t]) => t.data.slice());
  const counters = model.modules().map((m) => (m as { numBatchesTracked?: number }).numBatchesTracked);
  const w0 = params.map((t) => t.data.slice());
  const wasTraining = model.training;
  model.train();
  const lossAndGrad = (): { loss: number; grad: Float32Array[] } | undefined => {
    model.zeroGrad();
    const loss = F.crossEntropy(model.forward(batch.x), batch.y);
    try {
      checkLoss(loss, step);
    } catch (error) {
      if (error instanceof DivergenceError) return undefined;
      throw error;
    }
    loss.backward();
    return { loss: loss.data[0]!, grad: params.map((t) => (t.grad ? t.grad.data.slice() : new Float32Array(t.data.length))) };
  };
  try {
    const base = lossAndGrad();
    if (!base) return undefined;
    const gradNorm = Math.sqrt(base.grad.reduce((s, g) => s + sumSquares(g), 0));
    const losses: number[] = [];
    const gradChanges: number[] = [];
    let beta = 0;
    for (const eta of etas) {
      params.forEach((t, i) => {
        const g = base.grad[i]!;
        const w = w0[i]!;
        for (let k = 0; k < w.length; k++) t.data[k] = w[k]! - eta * g[k]!;
      });
      const moved = lossAndGrad();
      // A step that makes the loss non-finite is the roughest landscape there is: record it as huge.
      const loss = moved ? moved.loss : Number.MAX_VALUE;
      let change = 0;
      if (moved) {
        moved.grad.forEach((g, i) => {
          const g0 = base.grad[i]!;
          for (let k = 0; k < g.length; k++) change += (g[k]! - g0[k]!) ** 2;
        });
        change = Math.sqrt(change);
      } else {
        change = Number.MAX_VALUE;
      }
      losses.push(loss);
      gradChanges.push(change);
      if (gradNorm > 0) beta = Math.max(beta, change / (eta * gradNorm));
    }
    return { step, losses, gradChanges, beta, gradNorm };
  } finally {
    params.forEach((t, i) => t.data.set(w0[i]!));
    buffers.forEach(([, t], i) => t.data.set(savedBuffers[i]!));
    model.modules().forEach((m, i) => {
      if (counters[i] !== undefined) (m as { numBatchesTracked?: number }).numBatchesTracked = counters[i];
    });
    model.zeroGrad();
    model.train(wasTraining);
  }
}

function sumSquares(values: Float32Array): number {
  let s = 0;
  for (const v of values) s += v * v;
  return s;
}

/** Checkpoint steps that every finished-or-not run of an arm recorded (runs that diverged stop early). */
function commonSteps(runs: Run[]): number[] {
  const lists = runs.map((r) => r.checkpoints.map((c) => c.step));
  if (lists.length === 0) return [];
  return lists[0]!.filter((s) => lists.every((l) => l.includes(s)));
}

const FINITE_CAP = 1e30;

function plots(p: { steps: number; seeds: number; stepMin: number; stepMax: number; stepCount: number; lr: number; depth: number; width: number; activation: string }, runs: Run[][]): PlotPayload[] {
  const band = (metric: (c: Checkpoint) => number[]): PercentileArm[] =>
    ARMS.flatMap((norm, ai) => {
      const rs = runs[ai]!;
      // A live plot before an arm's first run has started: no band yet.
      if (rs.length === 0) return [];
      const steps = commonSteps(rs);
      const values = BAND.map(() => [] as number[]);
      for (const step of steps) {
        // Pooled over step sizes and seeds: the band is min–max, the line the median.
        const pooled = rs.flatMap((r) => metric(r.checkpoints.find((c) => c.step === step)!)).map((v) => Math.min(v, FINITE_CAP));
        pooled.sort((a, b) => a - b);
        values[0]!.push(round(pooled[0]!));
        values[1]!.push(round(pooled[Math.floor((pooled.length - 1) / 2)]!));
        values[2]!.push(round(pooled.at(-1)!));
      }
      const diverged = rs.find((r) => r.result.diverged)?.result.diverged;
      return [{ arm: NORM_NAMES[norm], steps, values, ...(diverged ? { diverged } : {}) }];
    });
  const range = `η from ${p.stepMin} to ${p.stepMax} (${p.stepCount} steps)`;
  const lossBands: PlotPayload = {
    version: 1,
    plot: {
      kind: 'percentile-bands',
      title: `Loss landscape: the loss at w − η·∇L(w), ${range}, at checkpoints during training`,
      notes: `Band: min–max over the step sizes and ${p.seeds} seed(s); line: median. A narrow band means the loss changes predictably along the gradient (Santurkar et al. 2018, Fig. 4a).`,
      x: { label: 'training step' },
      y: { label: 'loss along the gradient', scale: 'log' },
      percentiles: BAND,
      arms: band((c) => c.losses),
    },
  };
  const gradBands: PlotPayload = {
    version: 1,
    plot: {
      kind: 'percentile-bands',
      title: `Gradient predictiveness: ‖∇L(w − η·∇L(w)) − ∇L(w)‖, ${range}`,
      notes: `Band: min–max over the step sizes and seeds; line: median. Smaller means the gradient at w still describes the landscape a step away (Fig. 4b).`,
      x: { label: 'training step' },
      y: { label: 'ℓ2 change of the gradient', scale: 'log' },
      percentiles: BAND,
      arms: band((c) => c.gradChanges),
    },
  };
  const curves: Curve[] = [];
  ARMS.forEach((norm, ai) => {
    const rs = runs[ai]!;
    if (rs.length === 0) return;
    const steps = commonSteps(rs);
    const at = (r: Run, s: number): Checkpoint => r.checkpoints.find((c) => c.step === s)!;
    curves.push({ arm: NORM_NAMES[norm], metric: 'beta', steps, values: steps.map((s) => round(mean(rs.map((r) => Math.min(at(r, s).beta, FINITE_CAP))))) });
    curves.push({ arm: NORM_NAMES[norm], metric: 'gradNorm', steps, values: steps.map((s) => round(mean(rs.map((r) => at(r, s).gradNorm)))) });
  });
  const betaPlot: PlotPayload = {
    version: 1,
    plot: {
      kind: 'training-curves',
      title: `Effective β-smoothness, max over η of ‖∇L(w − η·g) − ∇L(w)‖ / ‖η·g‖, and the gradient norm ‖g‖ (MLP ${p.depth}×${p.width} ${p.activation}, lr ${p.lr})`,
      notes: `Mean over ${p.seeds} seed(s). Santurkar et al. (2018, Fig. 4c) find the effective β-smoothness of the BatchNorm network much smaller.`,
      x: { label: 'training step' },
      metrics: [
        { id: 'beta', label: 'effective β-smoothness', scale: 'log' },
        { id: 'gradNorm', label: 'gradient norm ‖g‖', scale: 'log' },
      ],
      curves,
    },
  };
  return [lossBands, gradBands, betaPlot];
}

function ratios(none: { lossRange: number; gradChange: number; beta: number }, batch: { lossRange: number; gradChange: number; beta: number }, which: boolean[]): string {
  const parts = [
    `loss range ${(none.lossRange / batch.lossRange).toFixed(1)}× smaller`,
    `gradient change ${(none.gradChange / batch.gradChange).toFixed(1)}× smaller`,
    `β ${(none.beta / batch.beta).toFixed(1)}× smaller`,
  ];
  return parts.filter((_, i) => which[i]).join(', ');
}

/** One seed's loss range along the gradient (max − min over η), averaged over the checkpoints after step 0. */
function seedLossRange(r: Run): number {
  return mean(r.checkpoints.filter((c) => c.step > 0).map((c) => Math.min(Math.max(...c.losses), FINITE_CAP) - Math.min(...c.losses)));
}

/** One seed's largest gradient change over η, averaged over the checkpoints after step 0. */
function seedGradChange(r: Run): number {
  return mean(r.checkpoints.filter((c) => c.step > 0).map((c) => Math.min(Math.max(...c.gradChanges), FINITE_CAP)));
}

/** Claims over runs[arm][seed], arms no norm then BatchNorm. */
export const landscapeClaims: Claim<Run[][]>[] = [
  {
    claim: 'BatchNorm smooths the loss landscape (Santurkar et al. 2018, Fig. 4a): the loss varies less along the gradient in every seed',
    check: (runs) => {
      const ratios = runs[0]!.map((r, i) => seedLossRange(r) / seedLossRange(runs[1]![i]!));
      const every = everySeed(ratios, (x) => x > 1);
      return { measured: `no norm / BatchNorm loss range per seed: ${ratios.map((x) => `${x.toFixed(1)}×`).join(', ')}; larger without BatchNorm in ${every.words}`, holds: every.holds };
    },
  },
  {
    claim: 'and makes the gradient more predictive (Fig. 4b): the gradient changes less along it in every seed',
    check: (runs) => {
      const ratios = runs[0]!.map((r, i) => seedGradChange(r) / seedGradChange(runs[1]![i]!));
      const every = everySeed(ratios, (x) => x > 1);
      return { measured: `no norm / BatchNorm max ‖Δ∇L‖ per seed: ${ratios.map((x) => `${x.toFixed(1)}×`).join(', ')}; larger without BatchNorm in ${every.words}`, holds: every.holds };
    },
  },
];

export function summary(p: { steps: number; seeds: number; stepMin: number; stepMax: number; lr: number }, runs: Run[][]): string {
  // Per arm: over checkpoints after the first (step > 0), means over seeds of the per-checkpoint quantities.
  const stat = (rs: Run[], f: (c: Checkpoint) => number): number => mean(rs.flatMap((r) => r.checkpoints.filter((c) => c.step > 0).map(f)));
  const rows = ARMS.map((norm, ai) => {
    const rs = runs[ai]!;
    return {
      norm,
      lossRange: stat(rs, (c) => Math.min(Math.max(...c.losses), FINITE_CAP) - Math.min(...c.losses)),
      gradChange: stat(rs, (c) => Math.min(Math.max(...c.gradChanges), FINITE_CAP)),
      beta: stat(rs, (c) => Math.min(c.beta, FINITE_CAP)),
      gradNorm: stat(rs, (c) => c.gradNorm),
      finalLoss: mean(rs.filter((r) => !r.result.diverged).map((r) => r.result.loss.at(-1)!)),
      diverged: rs.filter((r) => r.result.diverged).length,
    };
  });
  const fmt = (x: number): string => (Number.isFinite(x) ? (Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toPrecision(3)) : 'n/a');
  const lines = [
    `**Loss landscape along the gradient** (η from ${p.stepMin} to ${p.stepMax}; means over the checkpoints after step 0 and ${p.seeds} seed(s); SGD lr ${p.lr}, ${p.steps.toLocaleString('en-US')} steps):`,
    '',
    '| arm | loss range (max − min over η) | max ‖Δ∇L‖ over η | effective β-smoothness | ‖∇L‖ | final training loss |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${NORM_NAMES[r.norm]} | ${fmt(r.lossRange)} | ${fmt(r.gradChange)} | ${fmt(r.beta)} | ${fmt(r.gradNorm)} | ${r.diverged === p.seeds ? 'diverged' : fmt(r.finalLoss)}${r.diverged && r.diverged < p.seeds ? ` (${r.diverged} diverged)` : ''} |`),
    '',
  ];
  const [none, batch] = rows as [(typeof rows)[number], (typeof rows)[number]];
  const smoother = [batch.lossRange < none.lossRange, batch.gradChange < none.gradChange, batch.beta < none.beta];
  if (smoother.every(Boolean)) {
    lines.push(
      `As Santurkar et al. (2018, Fig. 4) find for a VGG on CIFAR-10, the BatchNorm network’s landscape is smoother along the gradient: the loss varies ${(none.lossRange / batch.lossRange).toFixed(1)}× less, ` +
        `the gradient changes ${(none.gradChange / batch.gradChange).toFixed(1)}× less and the effective β-smoothness is ${(none.beta / batch.beta).toFixed(1)}× smaller than without normalization.`,
    );
  } else {
    const names = ['loss range', 'gradient change', 'effective β-smoothness'];
    const held = names.filter((_, i) => smoother[i]);
    const failed = names.filter((_, i) => !smoother[i]);
    lines.push(
      `**Not entirely as the literature says:** Santurkar et al. (2018, Fig. 4) find the loss range, the gradient change and the effective β-smoothness all clearly smaller with BatchNorm (VGG, CIFAR-10). ` +
        (held.length ? `Here the ${held.join(' and ')} ${held.length > 1 ? 'are' : 'is'} smaller with BatchNorm (${ratios(none, batch, smoother)}), but the ${failed.join(' and ')} ${failed.length > 1 ? 'are' : 'is'} not. ` : `Here none of them is smaller with BatchNorm. `) +
        `The network without normalization learns more slowly (final training loss ${fmt(none.finalLoss)} against ${fmt(batch.finalLoss)}) and has a smaller gradient (‖∇L‖ ${fmt(none.gradNorm)} against ${fmt(batch.gradNorm)}): it moves less for the same η, and a flat, slowly descending region is “smooth” in these measures too.`,
    );
  }
  lines.push('', 'Caveat: the same step sizes η are used for both networks, as in the paper, but their gradient norms differ (see ‖∇L‖), so the distance moved ‖η·g‖ differs too; the β-smoothness divides by it.');
  lines.push('', claimsTable(checkClaims(landscapeClaims, runs)));
  return lines.join('\n');
}
