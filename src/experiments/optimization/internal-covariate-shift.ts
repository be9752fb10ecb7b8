/**
 * internal-covariate-shift: Ioffe & Szegedy (2015), Fig. 1. An MNIST MLP with three hidden layers of 100
 * sigmoid units, small Gaussian weights, SGD with batches of 60, trained with and without BatchNorm:
 * (a) test accuracy against training steps, (b, c) the 15th, 50th and 85th percentiles of the input to one
 * sigmoid unit of the last hidden layer over training.
 */
import { Generator, nn, stats } from '../../engine';
import type { PercentileArm, PlotPayload, TrainingCurvesPlot } from '../../shared/payload';
import { defineExperiment, type ExperimentContext } from '../experiment';
import { buildMlp, NORM_NAMES, trainClassifier, type LabelledSet, type NormKind } from '../training';
import { accuracyOf, checkpointEvery, column, forwardWithProbe, int, mean, num, pct, pctSpread, runContext, seedList } from './common';

const PERCENTILES = [15, 50, 85];
const ARMS: NormKind[] = ['none', 'batch'];

interface ArmRun {
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
    steps: { kind: 'integer', default: 1500, min: 50, max: 50000, description: 'SGD steps per run (the paper trained 50,000).' },
    seeds: { kind: 'integer', default: 2, min: 1, max: 10, description: 'Runs per arm, with seeds seed, seed + 1, …; the percentile bands show the first.' },
    batchSize: { kind: 'integer', default: 60, min: 2, max: 1000, description: 'Minibatch size (the paper used 60).' },
    lr: { kind: 'number', default: 0.5, min: 0, max: 100, exclusiveMin: true, description: 'SGD learning rate (no momentum), the same for both arms.' },
    initStd: { kind: 'number', default: 0.1, min: 0, max: 10, exclusiveMin: true, description: 'Every weight starts from N(0, initStd²), biases at 0 ("small random Gaussian values").' },
    hidden: { kind: 'integer', default: 100, min: 4, max: 1000, description: 'Sigmoid units per hidden layer (three hidden layers).' },
    unit: { kind: 'integer', default: 0, min: 0, max: 999, description: 'Which unit of the last hidden layer to watch (0-based, below hidden).' },
    testSize: { kind: 'integer', default: 1000, min: 100, max: 5000, description: 'Held-out digits for test accuracy and the percentiles; the rest of the 10,000 are for training.' },
    checkpoints: { kind: 'integer', default: 30, min: 5, max: 200, description: 'How many times during a run to measure test accuracy and the percentiles.' },
    seed: { kind: 'integer', default: 0, min: 0, max: 2 ** 31 - 1, description: 'Seed of the train/test split, the initial weights and the batch order of the first run.' },
  },
  async run(params, context) {
    if (params.unit >= params.hidden) throw new Error(`"unit" must be below "hidden" (${params.hidden}): the last hidden layer has units 0 to ${params.hidden - 1}; got ${params.unit}`);
    const mnist = await context.datasets.mnist();
    const split = mnist.split({ testSize: params.testSize, seed: params.seed });
    const train = split.train.tensors();
    const test = split.test.tensors();
    if (params.batchSize > train.x.shape[0]!) throw new Error(`"batchSize" ${params.batchSize} is larger than the training set (${train.x.shape[0]} digits)`);

    const seeds = seedList(params.seed, params.seeds);
    const runs: ArmRun[] = [];
    const total = seeds.length * ARMS.length;
    for (const seed of seeds) {
      for (const norm of ARMS) {
        const label = `${NORM_NAMES[norm]}, seed ${seed} (run ${runs.length + 1} of ${total})`;
        runs.push(runArm(norm, seed, params, train, test, runContext(context, runs.length * params.steps, total * params.steps), label));
      }
    }
    return {
      plots: [curvesPlot(runs, params), bandsPlot(runs.filter((r) => r.seed === params.seed), params)],
      markdown: summary(runs, params),
    };
  },
});

interface Params {
  steps: number;
  batchSize: number;
  lr: number;
  initStd: number;
  hidden: number;
  unit: number;
  checkpoints: number;
  testSize: number;
}

function runArm(norm: NormKind, seed: number, params: Params, train: LabelledSet, test: LabelledSet, context: ExperimentContext, label: string): ArmRun {
  const generator = new Generator(seed);
  const model = buildMlp({ inputs: 784, hidden: [params.hidden, params.hidden, params.hidden], outputs: 10, activation: 'sigmoid', norm, initStd: params.initStd, generator });
  // The last Sigmoid of the Sequential: its input is the last hidden layer's pre-activation (after BatchNorm, if any).
  const children = model.children();
  const sigmoidIndex = children.map((m, i) => (m instanceof nn.Sigmoid ? i : -1)).filter((i) => i >= 0).at(-1)!;
  const run: ArmRun = { arm: NORM_NAMES[norm], seed, steps: [], loss: [], lossSteps: [], testAccuracy: [], bands: PERCENTILES.map(() => []) };
  const every = checkpointEvery(params.steps, params.checkpoints);
  const measure = (step: number): void => {
    const evaluated = forwardWithProbe(model, test.x, sigmoidIndex, 'eval');
    // The sigmoid's input as training computes it: BatchNorm with the statistics of the batch it sees (here the
    // held-out digits), not the running averages; without BatchNorm both modes are the same.
    const probe = norm === 'none' ? evaluated.probe : forwardWithProbe(model, test.x, sigmoidIndex, 'train').probe;
    const output = evaluated.output;
    const values = stats.percentiles(column(probe, params.hidden, params.unit), PERCENTILES);
    // A diverged network has no percentiles worth drawing: the run's divergence says so instead.
    if (!values.every(Number.isFinite)) return;
    run.steps.push(step);
    run.testAccuracy.push(accuracyOf(output, test.y));
    values.forEach((v, i) => run.bands[i]!.push(v));
  };
  measure(0);
  const result = trainClassifier({
    model,
    train,
    // Also evaluated here (as measure() does): so that the PyTorch export's metrics have test accuracy.
    test,
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

/** First checkpoint step at which test accuracy reached `target`, or undefined. */
function stepsTo(run: ArmRun, target: number): number | undefined {
  const i = run.testAccuracy.findIndex((a) => a >= target);
  return i >= 0 ? run.steps[i] : undefined;
}

/** The accuracy at the checkpoint nearest to `step`. */
function accuracyNear(run: ArmRun, step: number): number {
  let best = 0;
  run.steps.forEach((s, i) => {
    if (Math.abs(s - step) < Math.abs(run.steps[best]! - step)) best = i;
  });
  return run.testAccuracy[best]!;
}

/** How far the percentiles moved: median and 15–85 width at the first checkpoint after `from`, and their ranges. */
function drift(run: ArmRun): { startMedian: number; endMedian: number; medianRange: [number, number]; startWidth: number; endWidth: number; widthRange: [number, number] } {
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

function summary(runs: ArmRun[], params: Params & { seed: number }): string {
  const lines: string[] = [];
  const seeds = [...new Set(runs.map((r) => r.seed))];
  lines.push(
    `**MNIST, 3 hidden layers of ${params.hidden} sigmoid units**, plain SGD (lr ${num(params.lr)}, batches of ${params.batchSize}), weights from N(0, ${num(params.initStd)}²), ` +
      `${int(params.steps)} steps, ${seeds.length} seed${seeds.length > 1 ? 's' : ''} per arm; test accuracy on ${int(params.testSize)} held-out digits.`,
    '',
  );
  const early = Math.round(params.steps / 10);
  const mid = Math.round(params.steps / 2);
  lines.push(`| arm | test accuracy at step ${int(early)} | at step ${int(mid)} | at step ${int(params.steps)} | steps to 90 % (per seed) |`, '|---|---:|---:|---:|---:|');
  const finals = new Map<string, number[]>();
  for (const norm of ARMS) {
    const arm = NORM_NAMES[norm];
    const armRuns = runs.filter((r) => r.arm === arm);
    const finished = armRuns.filter((r) => !r.diverged);
    const at = (step: number): string => pctSpread(finished.map((r) => accuracyNear(r, step)));
    const reach = armRuns.map((r) => stepsTo(r, 0.9));
    const reachText = reach.every((s) => s !== undefined) ? reach.map((s) => int(s!)).join(', ') : reach.map((s) => (s === undefined ? 'not reached' : int(s))).join(', ');
    finals.set(arm, finished.map((r) => r.testAccuracy.at(-1)!));
    lines.push(`| ${arm} | ${at(early)} | ${at(mid)} | ${at(params.steps)} | ${reachText} |`);
    for (const r of armRuns.filter((r) => r.diverged)) lines.push(`| ${arm}, seed ${r.seed} | ${r.diverged!.reason} | | | |`);
  }
  lines.push('');

  const bn = finals.get(NORM_NAMES.batch) ?? [];
  const plain = finals.get(NORM_NAMES.none) ?? [];
  const bnEarly = runs.filter((r) => r.arm === NORM_NAMES.batch && !r.diverged).map((r) => accuracyNear(r, early));
  const plainEarly = runs.filter((r) => r.arm === NORM_NAMES.none && !r.diverged).map((r) => accuracyNear(r, early));
  if (bn.length > 0 && plain.length > 0) {
    const faster = mean(bnEarly) > mean(plainEarly);
    const finalOf = (arm: string, seed: number): number | undefined => runs.find((r) => r.arm === arm && r.seed === seed && !r.diverged)?.testAccuracy.at(-1);
    const paired = seeds.filter((seed) => finalOf(NORM_NAMES.batch, seed) !== undefined && finalOf(NORM_NAMES.none, seed) !== undefined);
    const bnWins = paired.filter((seed) => finalOf(NORM_NAMES.batch, seed)! > finalOf(NORM_NAMES.none, seed)!).length;
    const seedWords = paired.length > 1 ? ` (higher in ${bnWins} of ${paired.length} seeds)` : '';
    lines.push(
      `After ${int(early)} steps BatchNorm is at ${pct(mean(bnEarly))} and the network without it at ${pct(mean(plainEarly))}: ` +
        (faster ? 'with BatchNorm it learns faster, as in the paper. ' : 'BatchNorm does not learn faster here, unlike in the paper. ') +
        `After ${int(params.steps)} steps: ${pct(mean(bn))} with BatchNorm, ${pct(mean(plain))} without${seedWords}` +
        (mean(bn) > mean(plain) ? '.' : '; the paper has BatchNorm ending higher (after 50,000 steps on 60,000 digits).'),
    );
  }
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
    const steadier = moveB < moveN && Math.abs(Math.log(ratioB)) < Math.abs(Math.log(ratioN));
    lines.push(
      '',
      `Without BatchNorm the median moved over a range of ${num(moveN)} and the 15th–85th width changed ${num(ratioN, 2)}× (from ${num(dn.startWidth)} to ${num(dn.endWidth)}); ` +
        `with BatchNorm the median moved over ${num(moveB)} and the width changed ${num(ratioB, 2)}× (from ${num(db.startWidth)} to ${num(db.endWidth)}). ` +
        (steadier
          ? "With BatchNorm the sigmoid's input distribution is the steadier one, as in the paper's Fig. 1 (b, c); it is not frozen, since γ and β are learned."
          : "So for this unit and seed BatchNorm's distribution is not clearly the steadier one (the paper shows it steadier): try another `unit` or `seed`."),
    );
  }
  lines.push(
    '',
    '**Literature.** Ioffe & Szegedy (2015, Fig. 1, 50,000 steps on the full MNIST): with BatchNorm the test accuracy rises faster and ends higher, and the ' +
      'distribution of a sigmoid input stays stable, while without it the distribution shifts in mean and spread over training, ' +
      'which the paper calls *internal covariate shift*. Santurkar et al. (2018) later showed that BatchNorm helps even when shift is ' +
      'injected on purpose, and attribute the gain to a smoother loss landscape rather than to stable distributions.',
    '',
    `_Notes:_ this run uses the 10,000 digits of the \`mnist\` package (${int(params.testSize)} held out), not the 60,000 of MNIST, and ` +
      `${int(params.steps)} steps${params.steps < 50000 ? ' (set `steps: 50000` for the paper\'s length)' : ''}. The paper does not give its learning rate; ` +
      `the same rate serves both arms here. BatchNorm's accuracy is measured in inference mode, with running statistics.`,
  );
  return lines.join('\n');
}
