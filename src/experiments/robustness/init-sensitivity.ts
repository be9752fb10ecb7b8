/**
 * init-sensitivity: test accuracy against the scale of the initial weights, over four decades, with and
 * without BatchNorm (Ioffe & Szegedy 2015, §3.3: BN(Wu) = BN((aW)u), so a normalized layer's output and
 * the gradient it passes back do not depend on the scale of its weights).
 */
import { Generator } from '../../engine';
import type { PanelSpec, PlotPayload, SweepArm, TrainingCurvesPlot } from '../../shared/payload';
import { checkClaims, claimsTable, type Claim } from '../claims';
import { activationParam, batchSizeParam, depthParam, downsampleParam, firstSeedParam, lrParam, seedsParam, stepsParam, testSizeParam, trainSizeParam, widthParam } from '../common-params';
import { defineExperiment } from '../experiment';
import { checkMnistSizes, MNIST_DIGITS, mnistSplit } from '../mnist';
import { drawable, finishedOnly } from '../live';
import { defineJob, runAll } from '../runs';
import { buildMlp, NORM_NAMES, trainClassifier, type Activation, type NormKind, type TrainResult } from '../training';
import { formatScale, initHidden, mean, percentSpread, round, seedList } from './common';

const ARMS: NormKind[] = ['none', 'batch'];
const CHANCE = 0.15;

export const initSensitivity = defineExperiment({
  id: 'init-sensitivity',
  exportable: true,
  title: 'BatchNorm makes training less sensitive to the initial weight scale',
  description:
    'Trains the same MLP on MNIST with and without BatchNorm from Gaussian initial weights whose standard deviation is swept ' +
    'over several decades (1e-3 … 10, log-spaced), for several seeds, and plots the final test accuracy against the scale. ' +
    'Without normalization a ReLU network only trains in a narrow band of scales (the signal vanishes or explodes through the ' +
    'layers); with BatchNorm every hidden layer’s output is the same whatever the scale of its weights.',
  params: {
    activation: activationParam('relu', 'Hidden activation.'),
    scaled: {
      kind: 'choice',
      default: 'hidden layers',
      choices: ['hidden layers', 'all layers'],
      description: 'Which Linear weights get N(0, std²): the hidden layers (the classifier head keeps PyTorch’s default init) or all layers, head included.',
    },
    stdMin: { kind: 'number', default: 1e-3, min: 1e-6, max: 100, exclusiveMin: false, description: 'Smallest initial weight standard deviation.' },
    stdMax: { kind: 'number', default: 10, min: 1e-6, max: 100, description: 'Largest initial weight standard deviation.' },
    points: { kind: 'integer', default: 9, min: 2, max: 17, description: 'Number of log-spaced scales from stdMin to stdMax.' },
    steps: stepsParam(300, 'SGD steps per run (Ioffe & Szegedy’s MNIST runs: 50,000).'),
    batchSize: batchSizeParam(60, 'Minibatch size (Ioffe & Szegedy: 60).'),
    lr: lrParam(0.05, 'SGD learning rate (momentum 0.9), the same for both arms.'),
    width: widthParam(64, 'Units per hidden layer.'),
    depth: depthParam(3, 'Number of hidden layers.'),
    downsample: downsampleParam('Average the 28×28 digits over 2×2 blocks (14×14 inputs): four times faster, a little less accurate.'),
    trainSize: trainSizeParam(8000, `Training examples (the rest of the ${MNIST_DIGITS.toLocaleString('en-US')} digits, up to testSize, are held out).`, 100),
    testSize: testSizeParam(2000, 'Held-out test examples.'),
    seeds: seedsParam(3, 'Runs per point (seeds seed, seed + 1, …), to show the spread.', 10),
    seed: firstSeedParam('First seed (data split, initial weights, batch order).'),
  },
  knobs: ['stdMin', 'stdMax', 'activation', 'lr', 'seeds'],
  async run(p, context) {
    if (p.stdMax <= p.stdMin) throw new Error(`stdMax (${p.stdMax}) must be larger than stdMin (${p.stdMin})`);
    checkMnistSizes(p.trainSize, p.testSize);
    const scales = Array.from({ length: p.points }, (_, i) => p.stdMin * (p.stdMax / p.stdMin) ** (i / (p.points - 1)));
    const seeds = seedList(p.seed, p.seeds);
    // Curves of the first seed at the smallest, middle and largest scale, one panel each.
    const picks = [...new Set([0, Math.floor((scales.length - 1) / 2), scales.length - 1])];
    const inputs: RunInput[] = seeds.flatMap((seed, si) => ARMS.flatMap((norm) => scales.map((std, ki) => ({ p, norm, std, ki, seed, showCurves: si === 0 && picks.includes(ki) }))));
    // results[arm][scale][seed], from the jobs' results in input order (undefined: not started yet).
    const nest = (flat: readonly (TrainResult | undefined)[]): (TrainResult | undefined)[][][] =>
      ARMS.map((_, ai) => scales.map((_, ki) => seeds.map((_, si) => flat[(si * ARMS.length + ai) * scales.length + ki])));
    const flat = await runAll(context, runJob, inputs, {
      total: () => p.steps,
      // The sweep shows each run once it has finished; the curves grow as they train.
      preview: (sofar, done) => drawable([sweepPlot(p, scales, nest(finishedOnly(sofar, done))), curvesPlot(scales, picks, nest(sofar), seeds[0]!)]),
    });
    const results = nest(flat) as TrainResult[][][];
    return {
      plots: [sweepPlot(p, scales, results), curvesPlot(scales, picks, results, seeds[0]!)],
      markdown: summary(p, scales, results),
      claims: checkClaims(initClaims, { scales, results, headScaled: p.scaled === 'all layers' }),
    };
  },
});

interface InitParams {
  activation: string;
  scaled: string;
  steps: number;
  batchSize: number;
  lr: number;
  width: number;
  depth: number;
  downsample: boolean;
  trainSize: number;
  testSize: number;
  seeds: number;
  seed: number;
}

interface RunInput {
  p: InitParams;
  norm: NormKind;
  /** The initial weight scale and its index in the sweep (the index seeds the run, with the seed). */
  std: number;
  ki: number;
  seed: number;
  /** Whether this run's curves are drawn (then it evaluates along the way). */
  showCurves: boolean;
}

/** One norm, scale and seed; it reads the split of `p.seed` itself, so that any worker can run it. */
const runJob = defineJob<RunInput, TrainResult>('init-sensitivity/run', async ({ p, norm, std, ki, seed, showCurves }, context) => {
  const split = await mnistSplit(context, { trainSize: p.trainSize, testSize: p.testSize, seed: p.seed, downsample: p.downsample });
  const generator = new Generator(seed * 1000 + ki);
  const hidden = Array.from({ length: p.depth }, () => p.width);
  const model = buildMlp({ inputs: split.inputs, hidden, outputs: 10, activation: p.activation as Activation, norm, generator, recorder: context.recorder });
  initHidden(model, std, generator, p.scaled === 'all layers', context.recorder);
  return trainClassifier({
    model,
    train: split.train,
    test: split.test,
    steps: p.steps,
    batchSize: p.batchSize,
    optimizer: { kind: 'sgd', lr: p.lr, momentum: 0.9 },
    generator,
    context,
    label: `${NORM_NAMES[norm]}, init std ${formatScale(std)}, seed ${seed}`,
    // Only the runs drawn as curves (first seed; smallest, middle and largest scale) evaluate along the way.
    evalEvery: showCurves ? Math.max(1, Math.floor(p.steps / 30)) : p.steps,
    onRecord: (sofar) => context.partial(sofar),
  });
});

/** Final test accuracy against the initial scale, per arm (runs not finished are left out). */
function sweepPlot(p: InitParams, scales: number[], results: (TrainResult | undefined)[][][]): PlotPayload {
  const sweepArms: SweepArm[] = ARMS.map((norm, ai) => ({
    arm: NORM_NAMES[norm],
    points: scales.map((std, ki) => {
      const rs = results[ai]![ki]!.filter((r): r is TrainResult => r !== undefined);
      const finished = rs.filter((r) => !r.diverged).map((r) => round(100 * r.finalTestAccuracy));
      const diverged = rs.filter((r) => r.diverged);
      return { x: std, values: finished, ...(diverged.length ? { diverged: diverged.length, reason: shortReason(diverged[0]!.diverged!.reason) } : {}) };
    }),
  }));
  const act = p.activation === 'relu' ? 'ReLU' : p.activation;
  return {
    version: 1,
    plot: {
      kind: 'sweep',
      title: `Test accuracy after ${p.steps.toLocaleString('en-US')} steps against the initial weight scale (${act} MLP, ${p.depth}×${p.width}, lr ${p.lr})`,
      notes: `Weights of the ${p.scaled} drawn from N(0, std²), biases 0. Points: mean over ${p.seeds} seed(s); bars: min–max. Chance is 10 %; ✕: runs whose loss or activations became NaN/∞.`,
      x: { label: 'initial weight std', scale: 'log' },
      y: { label: 'test accuracy', unit: '%' },
      spread: 'min-max',
      arms: sweepArms,
    },
  };
}

/** Test accuracy during training of the first seed at the picked scales, one panel each. */
function curvesPlot(scales: number[], picks: number[], results: (TrainResult | undefined)[][][], firstSeed: number): PlotPayload {
  const panels: PanelSpec[] = picks.map((ki) => {
    const curves: TrainingCurvesPlot['curves'] = [];
    const divergences: NonNullable<TrainingCurvesPlot['divergences']> = [];
    ARMS.forEach((norm, ai) => {
      const r = results[ai]![ki]![0];
      if (!r) return;
      if (r.steps.length) curves.push({ arm: NORM_NAMES[norm], metric: 'accuracy', split: 'test', steps: r.steps, values: r.testAccuracy.map((a) => round(100 * a)) });
      if (r.diverged) divergences.push({ arm: NORM_NAMES[norm], step: r.diverged.step, reason: shortReason(r.diverged.reason) });
    });
    return {
      kind: 'training-curves',
      title: `init std ${formatScale(scales[ki]!)}`,
      x: { label: 'training step' },
      metrics: [{ id: 'accuracy', label: 'test accuracy', unit: '%' }],
      curves,
      ...(divergences.length ? { divergences } : {}),
    };
  });
  return {
    version: 1,
    plot: {
      kind: 'small-multiples',
      title: `Test accuracy during training at three initial scales (seed ${firstSeed})`,
      notes: 'Without BatchNorm a too small scale leaves the loss flat (vanishing signal) and a too large one blows up or stalls; with BatchNorm every scale learns.',
      columns: picks.length,
      shareY: true,
      panels,
    },
  };
}

function shortReason(reason: string): string {
  return reason.replace(/^Training diverged at step \d+: /, '').replace(/\.$/, '');
}

/** A run trains when it did not diverge and ended above this test accuracy. */
const TRAINS = 0.5;

/** results[arm][scale][seed], arms no norm then BatchNorm. */
export interface InitResults {
  scales: number[];
  results: TrainResult[][][];
  /** The classifier head is scaled too (no BatchNorm after it): outside the claim's setting. */
  headScaled: boolean;
}

const failed = (r: TrainResult): boolean => r.diverged !== undefined || r.finalTestAccuracy < CHANCE;

export const initClaims: Claim<InitResults>[] = [
  {
    claim: `BatchNorm makes training resilient to the weights’ scale (Ioffe & Szegedy 2015, §3.3): with it, every seed ends above ${100 * TRAINS} % at every initial scale of the sweep`,
    check: ({ scales, results, headScaled }) => {
      if (headScaled) return { measured: 'the classifier head is scaled too, and no BatchNorm follows it: not the claim’s setting', holds: undefined };
      const bn = results[1]!;
      const worst = bn.flat().reduce((w, r) => Math.min(w, r.diverged ? 0 : r.finalTestAccuracy), 1);
      const bad = scales.filter((_, k) => bn[k]!.some((r) => r.diverged || r.finalTestAccuracy <= TRAINS));
      return { measured: `worst run ${(100 * worst).toFixed(1)} %${bad.length ? `; below ${100 * TRAINS} % at std ${bad.map(formatScale).join(', ')}` : ` over ${scales.length} scales × ${bn[0]!.length} seeds`}`, holds: bad.length === 0 };
    },
  },
  {
    claim: `without it, both ends of the sweep fail: at the smallest and the largest scale every seed diverges or stays near chance (< ${100 * CHANCE} %)`,
    check: ({ scales, results }) => {
      const none = results[0]!;
      const ends = [0, scales.length - 1];
      const words = ends.map((k) => {
        const rs = none[k]!;
        return { ok: rs.every(failed), text: `std ${formatScale(scales[k]!)}: ${rs.filter(failed).length} of ${rs.length} failed (${rs.filter((r) => r.diverged).length} diverged${rs.some((r) => !r.diverged) ? `, best ${(100 * Math.max(...rs.filter((r) => !r.diverged).map((r) => r.finalTestAccuracy))).toFixed(1)} %` : ''})` };
      });
      return { measured: words.map((w) => w.text).join('; '), holds: scales.length > 1 ? words.every((w) => w.ok) : undefined };
    },
  },
];

/** Scales at which an arm's mean accuracy is within 5 points of the best mean of the whole sweep. */
function goodScales(scales: number[], accuracies: (number | undefined)[], best: number): number[] {
  return scales.filter((_, k) => accuracies[k] !== undefined && accuracies[k]! >= best - 0.05);
}

export function summary(
  p: { steps: number; seeds: number; activation: string; scaled: string; lr: number },
  scales: number[],
  results: TrainResult[][][],
): string {
  const finished = (rs: TrainResult[]): number[] => rs.filter((r) => !r.diverged).map((r) => r.finalTestAccuracy);
  const meanOf = (rs: TrainResult[]): number | undefined => {
    const f = finished(rs);
    // A point where some seed diverged counts as failed for the "works" range.
    return f.length === rs.length ? mean(f) : undefined;
  };
  const means = results.map((arm) => arm.map(meanOf));
  const best = Math.max(...means.flat().filter((v): v is number => v !== undefined));
  const lines = [
    `**Final test accuracy after ${p.steps.toLocaleString('en-US')} SGD steps** (${p.activation}, lr ${p.lr}, weights of the ${p.scaled} ~ N(0, std²)), mean over seeds with the range:`,
    '',
    `| init std | ${ARMS.map((a) => NORM_NAMES[a]).join(' | ')} |`,
    `|---:|${ARMS.map(() => '---:').join('|')}|`,
    ...scales.map((std, k) => `| ${formatScale(std)} | ${results.map((arm) => cell(arm[k]!, p.seeds)).join(' | ')} |`),
    '',
  ];
  const ranges = ARMS.map((norm, ai) => {
    const good = goodScales(scales, means[ai]!, best);
    const range = good.length === 0 ? 'at no scale' : good.length === 1 ? `only at std ${formatScale(good[0]!)}` : `at ${good.length} of ${scales.length} scales (std ${formatScale(good[0]!)} … ${formatScale(good.at(-1)!)})`;
    return { norm, good, text: `${NORM_NAMES[norm]} comes within 5 points of the best accuracy (${(100 * best).toFixed(1)} %) ${range}` };
  });
  lines.push(`${ranges.map((r) => r.text).join('; ')}.`);
  const [none, batch] = ranges;
  const failedNone = results[0]!.flat().filter((r) => r.diverged || r.finalTestAccuracy < CHANCE).length;
  const failedBatch = results[1]!.flat().filter((r) => r.diverged || r.finalTestAccuracy < CHANCE).length;
  const total = scales.length * p.seeds;
  lines.push(
    `Runs that diverged or stayed near chance (< ${100 * CHANCE} %): no norm ${failedNone} of ${total}, BatchNorm ${failedBatch} of ${total}.`,
    '',
    batch!.good.length > none!.good.length
      ? `As Ioffe & Szegedy (2015, §3.3) argue, BatchNorm widens the range of initial scales that train: BN(Wu) = BN((aW)u), so a hidden layer’s output, and the gradient it passes back, do not depend on the scale a of its weights. ` +
        `Larger weights do get proportionally smaller gradients (∂BN((aW)u)/∂(aW) = (1/a)·∂BN(Wu)/∂W), so at the largest scales BatchNorm still learns, but more slowly: its effective learning rate falls as 1/std².`
      : `**Not as the literature says:** in this run BatchNorm did not train at more initial scales than the network without it (Ioffe & Szegedy 2015, §3.3, argue that BN(Wu) = BN((aW)u) makes training resilient to the parameter scale). Try more steps or another learning rate.`,
  );
  if (p.scaled === 'all layers') lines.push('', 'Here the classifier head is scaled too: it is not followed by a BatchNorm, so at large scales its logits are huge and BatchNorm cannot help there.');
  lines.push('', claimsTable(checkClaims(initClaims, { scales, results, headScaled: p.scaled === 'all layers' })));
  return lines.join('\n');
}

function cell(rs: TrainResult[], seeds: number): string {
  const finished = rs.filter((r) => !r.diverged).map((r) => r.finalTestAccuracy);
  const diverged = rs.length - finished.length;
  if (finished.length === 0) return `diverged (${diverged}/${seeds})`;
  return percentSpread(finished, seeds) + (diverged ? `, ${diverged} diverged` : '');
}

