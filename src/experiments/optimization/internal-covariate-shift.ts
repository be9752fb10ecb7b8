/**
 * internal-covariate-shift: Ioffe & Szegedy (2015), Fig. 1. An MNIST MLP with three hidden layers of 100
 * sigmoid units, small Gaussian weights, SGD with batches of 60, trained with and without BatchNorm:
 * (a) test accuracy against training steps, (b, c) the 15th, 50th and 85th percentiles of the input to one
 * sigmoid unit of the last hidden layer over training.
 */
import { Generator, nn, stats } from '../../engine';
import type { PercentileArm, PlotPayload, TrainingCurvesPlot } from '../../shared/payload';
import { batchSizeParam, lrParam, seedParam, seedsParam, stepsParam, testSizeParam } from '../common-params';
import { defineExperiment } from '../experiment';
import { MNIST_DIGITS, mnistSplit } from '../mnist';
import { drawable, reported } from '../live';
import { defineJob, runAll, type JobContext } from '../runs';
import { buildMlp, NORM_NAMES, trainClassifier, type LabelledSet, type NormKind } from '../training';
import { checkClaims, claimsTable, everySeed, type Claim } from '../claims';
import { accuracyResolution, describeEffect, effectNumbers, pairedEffect, type Effect } from '../effects';
import { accuracyOf, checkpointEvery, column, forwardWithProbe, int, mean, num, pct, pctSpread, seedList } from './common';

const PERCENTILES = [15, 50, 85];
const ARMS: NormKind[] = ['none', 'batch'];

export interface ArmRun {
  arm: string;
  seed: number;
  steps: number[];
  loss: number[];
  testAccuracy: number[];
  /** Percentiles of the probed unit's input at each checkpoint, one array per percentile. */
  bands: number[][];
  /** Steps of the training-loss records (trainClassifier's). */
  lossSteps: number[];
  diverged?: { step: number; reason: string };
}

export const internalCovariateShift = defineExperiment({
  id: 'internal-covariate-shift',
  exportable: true,
  title: 'Faster training and stable sigmoid inputs with BatchNorm (Ioffe & Szegedy 2015, Fig. 1)',
  description:
    'Trains an MNIST MLP with three hidden layers of 100 sigmoid units (small Gaussian initial weights, plain SGD, batches of 60) ' +
    'with and without BatchNorm before each sigmoid. Shows test accuracy against training steps for every seed, and how the ' +
    'distribution of the input to one sigmoid of the last hidden layer (its 15th, 50th and 85th percentiles over held-out digits) ' +
    'moves during training.',
  params: {
    steps: stepsParam(1500, 'SGD steps per run (the paper trained 50,000).', { min: 50 }),
    seeds: seedsParam(2, 'Runs per arm, with seeds seed, seed + 1, …; the percentile bands show the first.', 10),
    batchSize: batchSizeParam(60, 'Minibatch size (the paper used 60).'),
    lr: lrParam(0.5, 'SGD learning rate (no momentum), the same for both arms.', 100),
    initStd: { kind: 'number', default: 0.1, min: 0, max: 10, exclusiveMin: true, description: 'Every weight starts from N(0, initStd²), biases at 0 ("small random Gaussian values").' },
    hidden: { kind: 'integer', default: 100, min: 4, max: 1000, description: 'Sigmoid units per hidden layer (three hidden layers).' },
    unit: { kind: 'integer', default: 0, min: 0, max: 999, description: 'Which unit of the last hidden layer to watch (0-based, below hidden).' },
    testSize: testSizeParam(1000, `Held-out digits for test accuracy and the percentiles; the rest of the ${int(MNIST_DIGITS)} are for training.`),
    checkpoints: { kind: 'integer', default: 30, min: 5, max: 200, description: 'How many times during a run to measure test accuracy and the percentiles.' },
    seed: seedParam('the initial weights and the batch order (every run uses the train/test split of seed itself)'),
  },
  knobs: ['lr', 'initStd', 'steps', 'batchSize', 'seed'],
  async run(params, context) {
    if (params.unit >= params.hidden) throw new Error(`"unit" must be below "hidden" (${params.hidden}): the last hidden layer has units 0 to ${params.hidden - 1}; got ${params.unit}`);
    const trainDigits = MNIST_DIGITS - params.testSize;
    if (params.batchSize > trainDigits) throw new Error(`"batchSize" ${params.batchSize} is larger than the training set (${trainDigits} digits)`);
    const seeds = seedList(params.seed, params.seeds);
    const total = seeds.length * ARMS.length;
    const inputs: ArmInput[] = seeds.flatMap((seed, s) =>
      ARMS.map((norm, a) => ({ norm, seed, params, label: `${NORM_NAMES[norm]}, seed ${seed} (run ${s * ARMS.length + a + 1} of ${total})` })),
    );
    const runs = await runAll(context, armJob, inputs, { total: () => params.steps, preview: (sofar) => drawable(plotsOf(reported(sofar), params)) });
    return { plots: plotsOf(runs, params), markdown: summary(runs, params), claims: checkClaims(icsClaims, icsResults(runs, params)) };
  },
});

/** One arm and seed: a job of its own (it reads the split of `params.seed` itself, so that any worker can run it). */
interface ArmInput {
  norm: NormKind;
  seed: number;
  params: Params & { seed: number };
  label: string;
}

const armJob = defineJob<ArmInput, ArmRun>('internal-covariate-shift/arm', async ({ norm, seed, params, label }, context) => {
  const { train, test } = await mnistSplit(context, { testSize: params.testSize, seed: params.seed });
  return runArm(norm, seed, params, train, test, context, label);
});

/** The accuracy curves of every run and the percentile bands of the first seed's runs (also the live plots). */
function plotsOf(runs: ArmRun[], params: Params & { seed: number }): PlotPayload[] {
  return [curvesPlot(runs, params), bandsPlot(runs.filter((r) => r.seed === params.seed), params)];
}

export interface Params {
  steps: number;
  batchSize: number;
  lr: number;
  initStd: number;
  hidden: number;
  unit: number;
  checkpoints: number;
  testSize: number;
}

function runArm(norm: NormKind, seed: number, params: Params, train: LabelledSet, test: LabelledSet, context: JobContext<ArmRun>, label: string): ArmRun {
  const generator = new Generator(seed);
  const model = buildMlp({ inputs: 784, hidden: [params.hidden, params.hidden, params.hidden], outputs: 10, activation: 'sigmoid', norm, initStd: params.initStd, generator, recorder: context.recorder });
  // The last Sigmoid of the Sequential: its input is the last hidden layer's pre-activation (after BatchNorm, if any).
  const children = model.children();
  const sigmoidIndex = children.map((m, i) => (m instanceof nn.Sigmoid ? i : -1)).filter((i) => i >= 0).at(-1)!;
  const run: ArmRun = { arm: NORM_NAMES[norm], seed, steps: [], loss: [], lossSteps: [], testAccuracy: [], bands: PERCENTILES.map(() => []) };
  const every = checkpointEvery(params.steps, params.checkpoints);
  const measuredAccuracy = new Map<number, number>();
  const measure = (step: number): void => {
    const evaluated = forwardWithProbe(model, test.x, sigmoidIndex, 'eval');
    // The sigmoid's input as training computes it: BatchNorm with the statistics of the batch it sees (here the
    // held-out digits), not the running averages; without BatchNorm both modes are the same.
    const probe = norm === 'none' ? evaluated.probe : forwardWithProbe(model, test.x, sigmoidIndex, 'train', { probeOnly: true }).probe;
    const accuracy = accuracyOf(evaluated.output, test.y);
    measuredAccuracy.set(step, accuracy);
    const values = stats.percentiles(column(probe, params.hidden, params.unit), PERCENTILES);
    // A diverged network has no percentiles worth drawing: the run's divergence says so instead.
    if (!values.every(Number.isFinite)) return;
    run.steps.push(step);
    run.testAccuracy.push(accuracy);
    values.forEach((v, i) => run.bands[i]!.push(v));
  };
  measure(0);
  const result = trainClassifier({
    model,
    train,
    // Also evaluated here (as measure() does): so that the PyTorch export's metrics have test accuracy.
    test,
    testAccuracyAt: (step) => measuredAccuracy.get(step),
    steps: params.steps,
    batchSize: params.batchSize,
    optimizer: { kind: 'sgd', lr: params.lr },
    generator,
    context,
    label,
    evalEvery: every,
    afterStep: (step) => {
      if (step % every === 0 || step === params.steps) measure(step);
    },
    // measure() ran just before each record (same steps): the run so far is consistent.
    onRecord: (sofar) => context.partial({ ...run, loss: sofar.loss, lossSteps: sofar.steps }),
  });
  run.loss = result.loss;
  run.lossSteps = result.steps;
  run.diverged = result.diverged;
  return run;
}

function curvesPlot(runs: ArmRun[], params: Params): PlotPayload {
  const seeds = new Set(runs.map((r) => r.seed)).size;
  const plot: TrainingCurvesPlot = {
    kind: 'training-curves',
    title: `MNIST, 3 × ${params.hidden} sigmoid units: test accuracy and training loss, with and without BatchNorm`,
    notes:
      `Plain SGD, lr ${num(params.lr)}, batches of ${params.batchSize}, weights from N(0, ${num(params.initStd)}²)` +
      (seeds > 1 ? `; one line per seed (${seeds} seeds per arm).` : '.') +
      ' Training loss is the mean over the steps since the previous point.',
    x: { label: 'training step' },
    metrics: [
      { id: 'accuracy', label: 'test accuracy', unit: '%' },
      { id: 'loss', label: 'training loss', unit: 'nats' },
    ],
    curves: runs.flatMap((r) => [
      { arm: r.arm, metric: 'accuracy', split: 'test' as const, steps: r.steps, values: r.testAccuracy.map((a) => round(a * 100, 2)) },
      { arm: r.arm, metric: 'loss', split: 'train' as const, steps: r.lossSteps, values: r.loss.map((l) => round(l, 4)) },
    ]).filter((c) => c.steps.length > 0),
  };
  const divergences = runs.filter((r) => r.diverged).map((r) => ({ arm: r.arm, step: r.diverged!.step, reason: `seed ${r.seed}: ${r.diverged!.reason}` }));
  if (divergences.length > 0) plot.divergences = divergences;
  return { version: 1, plot };
}

function bandsPlot(runs: ArmRun[], params: Params): PlotPayload {
  const arms: PercentileArm[] = runs.map((r) => ({
    arm: r.arm,
    steps: r.steps,
    values: r.bands.map((band) => band.map((v) => round(v, 4))),
    ...(r.diverged ? { diverged: r.diverged } : {}),
  }));
  return {
    version: 1,
    plot: {
      kind: 'percentile-bands',
      title: `Input to sigmoid unit ${params.unit} of the last hidden layer over training (15th, 50th, 85th percentiles over held-out digits)`,
      notes:
        `Seed ${runs[0]?.seed ?? 0}, over the ${int(params.testSize)} held-out digits. With BatchNorm the input to the sigmoid is its output γx̂ + β, ` +
        'normalized with the statistics of those digits as in training.',
      x: { label: 'training step' },
      y: { label: 'input to the sigmoid' },
      percentiles: PERCENTILES,
      arms,
    },
  };
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

/**
 * Where a run first reached `target` test accuracy, bracketed by the checkpoints around it: accuracy is
 * only measured at checkpoints, so "between 833 and 1,666" is what the numbers show, not "1,666".
 */
export function reachedBetween(run: Pick<ArmRun, 'steps' | 'testAccuracy'>, target: number): { after: number; by: number } | undefined {
  const i = run.testAccuracy.findIndex((a) => a >= target);
  if (i < 0) return undefined;
  return { after: i > 0 ? run.steps[i - 1]! : run.steps[i]!, by: run.steps[i]! };
}

/** The checkpoint step nearest to `step` (the same for every run: they share their checkpoints). */
export function nearestCheckpoint(steps: readonly number[], step: number): number {
  return steps.reduce((best, s) => (Math.abs(s - step) < Math.abs(best - step) ? s : best), steps[0] ?? step);
}

/** The checkpoints of the longest run (a diverged run stops early; the others share these steps). */
function checkpointSteps(runs: readonly ArmRun[]): number[] {
  return runs.reduce<number[]>((longest, r) => (r.steps.length > longest.length ? r.steps : longest), []);
}

/** The accuracy at checkpoint `step`, or undefined when the run has no such checkpoint (it diverged before). */
function accuracyAt(run: ArmRun, step: number): number | undefined {
  const i = run.steps.indexOf(step);
  return i >= 0 ? run.testAccuracy[i] : undefined;
}

/** How far the percentiles moved over the run: the median's range and the 15–85 width at start and end. */
export function drift(run: Pick<ArmRun, 'bands'>): { startMedian: number; endMedian: number; medianRange: [number, number]; startWidth: number; endWidth: number; widthRange: [number, number] } {
  const [low, median, high] = run.bands as [number[], number[], number[]];
  const widths = high.map((h, i) => h - low[i]!);
  return {
    startMedian: median[0]!,
    endMedian: median.at(-1)!,
    medianRange: [Math.min(...median), Math.max(...median)],
    startWidth: widths[0]!,
    endWidth: widths.at(-1)!,
    widthRange: [Math.min(...widths), Math.max(...widths)],
  };
}

/** What the summary and the claims read: per-seed values paired by seed (seeds where both arms finished). */
export interface IcsResults {
  seeds: number[];
  testSize: number;
  /** The checkpoint nearest a tenth of the run, and the last one. */
  earlyStep: number;
  finalStep: number;
  early: { plain: number[]; bn: number[] };
  final: { plain: number[]; bn: number[] };
  /** Range moved by the probed unit's median over the run, per seed. */
  medianMove: { plain: number[]; bn: number[] };
  /** |log(end width / start width)| of its 15th–85th width, per seed. */
  widthChange: { plain: number[]; bn: number[] };
}

export function icsResults(runs: ArmRun[], params: { steps: number; testSize: number }): IcsResults {
  const checkpoints = checkpointSteps(runs);
  const earlyStep = nearestCheckpoint(checkpoints, params.steps / 10);
  const finalStep = nearestCheckpoint(checkpoints, params.steps);
  const seeds = [...new Set(runs.map((r) => r.seed))].filter((seed) =>
    ARMS.every((norm) => {
      const r = runs.find((x) => x.seed === seed && x.arm === NORM_NAMES[norm]);
      return r !== undefined && !r.diverged && r.steps.includes(earlyStep) && r.steps.includes(finalStep);
    }),
  );
  const of = (norm: NormKind, value: (r: ArmRun) => number): number[] => seeds.map((seed) => value(runs.find((r) => r.seed === seed && r.arm === NORM_NAMES[norm])!));
  const pair = (value: (r: ArmRun) => number): { plain: number[]; bn: number[] } => ({ plain: of('none', value), bn: of('batch', value) });
  const move = (r: ArmRun): number => {
    const d = drift(r);
    return d.medianRange[1] - d.medianRange[0];
  };
  const widthChange = (r: ArmRun): number => {
    const d = drift(r);
    return Math.abs(Math.log(d.endWidth / d.startWidth));
  };
  return {
    seeds,
    testSize: params.testSize,
    earlyStep,
    finalStep,
    early: pair((r) => accuracyAt(r, earlyStep)!),
    final: pair((r) => accuracyAt(r, finalStep)!),
    medianMove: pair(move),
    widthChange: pair(widthChange),
  };
}

/** The effect of BatchNorm on test accuracy at a checkpoint, against the test set's resolution. */
function accuracyEffect(pairs: { plain: number[]; bn: number[] }, testSize: number): Effect {
  return pairedEffect(pairs.plain, pairs.bn, { resolution: accuracyResolution(mean(pairs.plain), mean(pairs.bn), testSize) });
}

export const icsClaims: Claim<IcsResults>[] = [
  {
    claim: 'BatchNorm learns faster (Ioffe & Szegedy 2015, Fig. 1a): test accuracy at a tenth of the run is higher with it, a clear effect over seeds and the test set',
    check: (r) => {
      const e = accuracyEffect(r.early, r.testSize);
      return { measured: `step ${int(r.earlyStep)}: BatchNorm − no norm ${effectNumbers(e)}`, holds: e.diffs.length > 0 ? e.verdict === 'clear' : undefined };
    },
  },
  {
    claim: "BatchNorm keeps the sigmoid's input steadier (Fig. 1b, c): its median moves over a smaller range in every seed",
    check: (r) => {
      const every = everySeed(r.seeds.map((_, i) => r.medianMove.plain[i]! - r.medianMove.bn[i]!), (d) => d > 0);
      const perSeed = r.seeds.map((seed, i) => `seed ${seed}: ${num(r.medianMove.bn[i]!)} with, ${num(r.medianMove.plain[i]!)} without`).join('; ');
      return { measured: `${perSeed} (smaller with BatchNorm in ${every.words})`, holds: r.seeds.length > 0 ? every.holds : undefined };
    },
  },
];

export function summary(runs: ArmRun[], params: Params & { seed: number }): string {
  const results = icsResults(runs, params);
  return [...accuracySection(runs, params, results), ...driftSection(runs, params, results), ...literatureSection(params, results)].join('\n');
}

/** The setup, test accuracy at three checkpoints and where 90 % was reached, and what the speed difference says. */
function accuracySection(runs: ArmRun[], params: Params, results: IcsResults): string[] {
  const lines: string[] = [];
  const seeds = [...new Set(runs.map((r) => r.seed))];
  lines.push(
    `**MNIST, 3 hidden layers of ${params.hidden} sigmoid units**, plain SGD (lr ${num(params.lr)}, batches of ${params.batchSize}), weights from N(0, ${num(params.initStd)}²), ` +
      `${int(params.steps)} steps, ${seeds.length} seed${seeds.length > 1 ? 's' : ''} per arm; test accuracy on ${int(params.testSize)} held-out digits, measured every ${int(checkpointEvery(params.steps, params.checkpoints))} steps.`,
    '',
  );
  const checkpoints = checkpointSteps(runs);
  const mid = nearestCheckpoint(checkpoints, params.steps / 2);
  const { earlyStep: early, finalStep } = results;
  lines.push(`| arm | test accuracy at step ${int(early)} | at step ${int(mid)} | at step ${int(finalStep)} | reached 90 % between checkpoints (per seed) |`, '|---|---:|---:|---:|---:|');
  for (const norm of ARMS) {
    const arm = NORM_NAMES[norm];
    const armRuns = runs.filter((r) => r.arm === arm);
    const at = (step: number): string => pctSpread(armRuns.map((r) => accuracyAt(r, step)).filter((a): a is number => a !== undefined));
    const reach = armRuns
      .map((r) => reachedBetween(r, 0.9))
      .map((b) => (b === undefined ? 'not reached' : b.after === b.by ? `by ${int(b.by)}` : `${int(b.after)}–${int(b.by)}`))
      .join(', ');
    lines.push(`| ${arm} | ${at(early)} | ${at(mid)} | ${at(finalStep)} | ${reach} |`);
    for (const r of armRuns.filter((r) => r.diverged)) lines.push(`| ${arm}, seed ${r.seed} | ${r.diverged!.reason} | | | |`);
  }
  lines.push(
    '',
    `Test accuracy is measured only at the checkpoints (every ${int(checkpointEvery(params.steps, params.checkpoints))} steps), so the 90 % column brackets the step between two of them; ` +
      'runs that reach 90 % within the same interval read the same: raise `checkpoints` to tell them apart.',
    '',
  );

  if (results.seeds.length > 0) {
    const faster = accuracyEffect(results.early, results.testSize);
    const ends = accuracyEffect(results.final, results.testSize);
    const speedWords = { clear: 'with BatchNorm it learns faster here, as in the paper', noise: 'no clear difference in speed here (the paper has BatchNorm faster)', opposite: 'here BatchNorm learns slower, unlike in the paper' }[faster.verdict];
    const endWords = {
      clear: 'BatchNorm ends higher, as in the paper',
      noise: 'no clear difference at the end (the paper has BatchNorm ending higher, after 50,000 steps on 60,000 digits)',
      opposite: 'BatchNorm ends lower, unlike in the paper',
    }[ends.verdict];
    lines.push(
      `At step ${int(early)} BatchNorm is at ${pct(mean(results.early.bn))} and the network without it at ${pct(mean(results.early.plain))}: BatchNorm − no norm ${describeEffect(faster)}; ${speedWords}. ` +
        `At step ${int(finalStep)}: ${pct(mean(results.final.bn))} with BatchNorm, ${pct(mean(results.final.plain))} without: ${describeEffect(ends)}; ${endWords}.`,
    );
  }
  return lines;
}

/** How the probed sigmoid input's percentiles moved over training, with and without BatchNorm (first seed). */
function driftSection(runs: ArmRun[], params: Params & { seed: number }, results: IcsResults): string[] {
  const lines: string[] = [];
  const first = runs.filter((r) => r.seed === params.seed);
  lines.push('', `Input to sigmoid unit ${params.unit} of the last hidden layer (seed ${params.seed}), percentiles over the held-out digits:`, '');
  lines.push('| arm | median at start → end | median ranged over | 15th–85th width at start → end | width ranged over |', '|---|---|---|---|---|');
  const drifts = new Map<string, ReturnType<typeof drift>>();
  for (const r of first) {
    const d = drift(r);
    drifts.set(r.arm, d);
    lines.push(
      `| ${r.arm} | ${num(d.startMedian)} → ${num(d.endMedian)} | ${num(d.medianRange[0])} … ${num(d.medianRange[1])} | ${num(d.startWidth)} → ${num(d.endWidth)} | ${num(d.widthRange[0])} … ${num(d.widthRange[1])} |`,
    );
  }
  const dn = drifts.get(NORM_NAMES.none);
  const db = drifts.get(NORM_NAMES.batch);
  if (dn && db) {
    const moveN = dn.medianRange[1] - dn.medianRange[0];
    const moveB = db.medianRange[1] - db.medianRange[0];
    const ratioN = dn.endWidth / dn.startWidth;
    const ratioB = db.endWidth / db.startWidth;
    const n = results.seeds.length;
    const steadierMedian = everySeed(results.seeds.map((_, i) => results.medianMove.plain[i]! - results.medianMove.bn[i]!), (d) => d > 0);
    const steadierWidth = everySeed(results.seeds.map((_, i) => results.widthChange.plain[i]! - results.widthChange.bn[i]!), (d) => d > 0);
    const overSeeds = n > 1 ? ` Over the ${n} seeds, BatchNorm's median moved less in ${steadierMedian.words} and its width changed by a smaller factor in ${steadierWidth.words}.` : '';
    lines.push(
      '',
      `Without BatchNorm the median moved over a range of ${num(moveN)} and the 15th–85th width changed ${num(ratioN, 2)}× (from ${num(dn.startWidth)} to ${num(dn.endWidth)}); ` +
        `with BatchNorm the median moved over ${num(moveB)} and the width changed ${num(ratioB, 2)}× (from ${num(db.startWidth)} to ${num(db.endWidth)}).${overSeeds} ` +
        (steadierMedian.holds && steadierWidth.holds
          ? `With BatchNorm the sigmoid's input distribution is the steadier one${n > 1 ? ' in every seed' : ''}, as in the paper's Fig. 1 (b, c); it is not frozen, since γ and β are learned.`
          : "So for this unit BatchNorm's distribution is not the steadier one in every seed (the paper shows it steadier): try another `unit` or `seed`."),
    );
  }
  return lines;
}

/** What the paper found, what differs here, and the claims table. */
function literatureSection(params: Params, results: IcsResults): string[] {
  const claims = checkClaims(icsClaims, results);
  return [
    '',
    '**Literature.** Ioffe & Szegedy (2015, Fig. 1, 50,000 steps on the full MNIST): with BatchNorm the test accuracy rises faster and ends higher, and the ' +
      'distribution of a sigmoid input stays stable, while without it the distribution shifts in mean and spread over training, ' +
      'which the paper calls *internal covariate shift*. Santurkar et al. (2018) later showed that BatchNorm helps even when shift is ' +
      'injected on purpose, and attribute the gain to a smoother loss landscape rather than to stable distributions.',
    '',
    `_Notes:_ this run uses the ${int(MNIST_DIGITS)} digits of the \`mnist\` package (${int(params.testSize)} held out), not the 60,000 of MNIST, and ` +
      `${int(params.steps)} steps${params.steps < 50000 ? ' (set `steps: 50000` for the paper\'s length)' : ''}. The paper does not give its learning rate; ` +
      `the same rate serves both arms here. BatchNorm's accuracy is measured in inference mode, with running statistics. ` +
      'A difference in accuracy counts as clear only when every seed agrees in sign, it is larger than the test set’s sampling error (1.96 binomial standard errors) and, with 3 seeds or more, the 95 % t-interval of the mean paired difference excludes 0.',
    '',
    claimsTable(claims),
  ];
}
