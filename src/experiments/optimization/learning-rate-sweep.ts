/**
 * learning-rate-sweep: Ioffe & Szegedy (2015, §4.2.1, "Increase learning rate") and Bjorck et al. (2018,
 * Fig. 1). A deep ReLU MLP on MNIST trained with plain SGD at learning rates spanning decades, with and
 * without BatchNorm: without it, large rates diverge; with it, they train.
 */
import { Generator } from '../../engine';
import type { PlotPayload, SweepPlot, TrainingCurvesPlot } from '../../shared/payload';
import { batchSizeParam, depthParam, firstSeedParam, seedsParam, stepsParam, testSizeParam, widthParam } from '../common-params';
import { defineExperiment } from '../experiment';
import { mnistSplit } from '../mnist';
import { drawable, finishedOnly, reported } from '../live';
import { defineJob, runAll } from '../runs';
import { buildMlp, NORM_NAMES, trainClassifier, type NormKind, type TrainResult } from '../training';
import { checkClaims, claimsTable, everySeed, type Claim } from '../claims';
import { heInit, int, logGrid, mean, num, pct, pctSpread, seedList } from './common';

const ARMS: NormKind[] = ['none', 'batch'];

export interface Run {
  arm: string;
  lr: number;
  seed: number;
  result: TrainResult;
}

export const learningRateSweep = defineExperiment({
  id: 'learning-rate-sweep',
  exportable: true,
  title: 'Higher learning rates with BatchNorm (Ioffe & Szegedy 2015 §4.2; Bjorck et al. 2018, Fig. 1)',
  description:
    'Trains a deep ReLU MLP on MNIST with plain SGD at learning rates spread evenly on a log scale (by default 0.001 to 10), ' +
    'with and without BatchNorm after each hidden Linear, for several seeds. Shows the final test accuracy against the learning rate, ' +
    'with diverged runs (a loss or activation that became NaN or infinite) marked, and the training curves at one large learning rate.',
  params: {
    lrMin: { kind: 'number', default: 0.001, min: 1e-6, max: 100, description: 'Smallest learning rate of the sweep.' },
    lrMax: { kind: 'number', default: 10, min: 1e-6, max: 1000, description: 'Largest learning rate of the sweep.' },
    pointsPerDecade: { kind: 'integer', default: 2, min: 1, max: 10, description: 'Learning rates per factor of 10 (2: 0.001, 0.00316, 0.01, …).' },
    steps: stepsParam(250),
    seeds: seedsParam(2, 'Runs per arm and learning rate, with seeds seed, seed + 1, …', 10),
    depth: depthParam(6, 'Hidden layers.', 20),
    width: widthParam(64, 'Units per hidden layer.', 1000),
    batchSize: batchSizeParam(60),
    momentum: { kind: 'number', default: 0, min: 0, max: 0.999, description: 'SGD momentum (0: plain SGD).' },
    init: { kind: 'choice', default: 'he', choices: ['he', 'pytorch'], description: '"he": N(0, 2/fan_in) weights and zero biases (He et al. 2015); "pytorch": PyTorch\'s default for Linear.' },
    curvesLr: { kind: 'number', default: 1, min: 1e-6, max: 1000, description: 'Training curves are shown for the swept learning rate nearest to this one (on a log scale).' },
    testSize: testSizeParam(1000),
    seed: firstSeedParam('Seed of the train/test split and of the first run.'),
  },
  knobs: ['lrMax', 'lrMin', 'steps', 'depth', 'seeds'],
  async run(params, context) {
    if (!(params.lrMax > params.lrMin)) throw new Error(`"lrMax" (${params.lrMax}) must be larger than "lrMin" (${params.lrMin})`);
    const lrs = logGrid(params.lrMin, params.lrMax, params.pointsPerDecade);
    const curvesLr = lrs.reduce((best, lr) => (Math.abs(Math.log(lr / params.curvesLr)) < Math.abs(Math.log(best / params.curvesLr)) ? lr : best));
    const seeds = seedList(params.seed, params.seeds);
    const total = seeds.length * ARMS.length * lrs.length;
    const inputs: RunInput[] = seeds.flatMap((seed) =>
      ARMS.flatMap((norm) =>
        lrs.map((lr) => ({ norm, lr, seed, params, showCurves: lr === curvesLr, label: '' })),
      ),
    );
    inputs.forEach((input, i) => (input.label = `${NORM_NAMES[input.norm]}, lr ${num(input.lr)}, seed ${input.seed} (run ${i + 1} of ${total})`));
    const plotsOf = (runs: Run[], finished: Run[]): PlotPayload[] => [sweepPlot(finished, lrs, params), curvesPlot(runs.filter((r) => r.lr === curvesLr), curvesLr, params)];
    const runs = await runAll(context, runJob, inputs, {
      total: () => params.steps,
      // The sweep shows each run once it has finished; the curves grow as they train.
      preview: (sofar, done) => drawable(plotsOf(reported(sofar), reported(finishedOnly(sofar, done)))),
    });
    return {
      plots: plotsOf(runs, runs),
      markdown: summary(runs, lrs, curvesLr, params),
      claims: checkClaims(lrClaims, { runs, lrs }),
    };
  },
});

interface RunInput {
  norm: NormKind;
  lr: number;
  seed: number;
  params: Params & { seed: number };
  /** Whether this run's curves are drawn (then it evaluates along the way). */
  showCurves: boolean;
  label: string;
}

/** One arm, learning rate and seed; it reads the split of `params.seed` itself, so that any worker can run it. */
const runJob = defineJob<RunInput, Run>('learning-rate-sweep/run', async ({ norm, lr, seed, params, showCurves, label }, context) => {
  const { train, test } = await mnistSplit(context, { testSize: params.testSize, seed: params.seed });
  const generator = new Generator(seed);
  const model = buildMlp({ inputs: 784, hidden: Array<number>(params.depth).fill(params.width), outputs: 10, activation: 'relu', norm, generator, recorder: context.recorder });
  if (params.init === 'he') heInit(model, generator);
  const arm = NORM_NAMES[norm];
  const result = trainClassifier({
    model,
    train,
    test,
    steps: params.steps,
    batchSize: params.batchSize,
    optimizer: { kind: 'sgd', lr, momentum: params.momentum },
    generator,
    context,
    label,
    // Test accuracy along the way only where the curves are shown; elsewhere once, at the end.
    evalEvery: showCurves ? Math.max(1, Math.floor(params.steps / 15)) : params.steps,
    onRecord: (sofar) => context.partial({ arm, lr, seed, result: sofar }),
  });
  return { arm, lr, seed, result };
});

export interface Params {
  steps: number;
  seeds: number;
  depth: number;
  width: number;
  batchSize: number;
  momentum: number;
  init: string;
  testSize: number;
}

function setup(params: Params): string {
  return (
    `${params.depth} hidden layers of ${params.width} ReLU units, ${params.momentum > 0 ? `SGD with momentum ${num(params.momentum)}` : 'plain SGD'}, ` +
    `batches of ${params.batchSize}, ${int(params.steps)} steps, ${params.init === 'he' ? 'He' : 'PyTorch default'} initialization`
  );
}

function sweepPlot(runs: Run[], lrs: number[], params: Params): PlotPayload {
  const plot: SweepPlot = {
    kind: 'sweep',
    title: `MNIST, ${setup(params)}: final test accuracy against the learning rate`,
    notes: `Mean and range over ${params.seeds} seed${params.seeds > 1 ? 's' : ''}; ✕ in the top lane: runs that diverged (a loss or activation became NaN or infinite). Chance is about 10 %.`,
    x: { label: 'learning rate', scale: 'log' },
    y: { label: 'final test accuracy', unit: '%' },
    spread: 'min-max',
    arms: ARMS.map((norm) => ({
      arm: NORM_NAMES[norm],
      points: lrs.map((lr) => {
        const here = runs.filter((r) => r.arm === NORM_NAMES[norm] && r.lr === lr);
        const finished = here.filter((r) => !r.result.diverged);
        const diverged = here.filter((r) => r.result.diverged);
        return {
          x: lr,
          values: finished.map((r) => Number((r.result.finalTestAccuracy * 100).toFixed(2))),
          ...(diverged.length > 0 ? { diverged: diverged.length, reason: diverged.map((r) => `seed ${r.seed}: ${r.result.diverged!.reason}`).join('; ') } : {}),
        };
      }),
    })),
  };
  return { version: 1, plot };
}

function curvesPlot(runs: Run[], lr: number, params: Params): PlotPayload {
  const plot: TrainingCurvesPlot = {
    kind: 'training-curves',
    title: `Training at learning rate ${num(lr)}, with and without BatchNorm`,
    notes: `One line per seed. Training loss is the mean since the previous point; a diverged run stops where its loss or an activation stopped being finite.`,
    x: { label: 'training step' },
    metrics: [
      { id: 'loss', label: 'training loss', unit: 'nats', scale: 'log' },
      { id: 'accuracy', label: 'test accuracy', unit: '%' },
    ],
    // A run that diverged before its first record has no curve: its divergence line still marks it.
    curves: runs
      .filter(({ result }) => result.steps.length > 0)
      .flatMap(({ arm, result }) => [
        { arm, metric: 'loss', split: 'train' as const, steps: result.steps, values: result.loss.map((l) => Math.max(1e-6, Number(l.toPrecision(4)))) },
        { arm, metric: 'accuracy', split: 'test' as const, steps: result.steps, values: result.testAccuracy.map((a) => Number((a * 100).toFixed(2))) },
      ]),
  };
  const divergences = runs.filter((r) => r.result.diverged).map((r) => ({ arm: r.arm, step: r.result.diverged!.step, reason: `seed ${r.seed}: ${r.result.diverged!.reason}` }));
  if (divergences.length > 0) plot.divergences = divergences;
  void params;
  return { version: 1, plot };
}

/** Learning rates as "0.001, 0.00316 and 0.01". */
function lrList(lrs: number[]): string {
  if (lrs.length === 0) return 'none';
  const words = lrs.map((lr) => num(lr));
  return words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

interface ArmSummary {
  arm: string;
  /** Rates where at least one seed diverged. */
  diverged: number[];
  /** Rates where every seed diverged. */
  allDiverged: number[];
  best: { lr: number; accuracy: number; values: number[] };
  /** Largest rate where no seed diverged and the mean accuracy is within 5 points of the arm's best. */
  largestGood?: number;
}

function armSummary(runs: Run[], lrs: number[], arm: string): ArmSummary {
  const at = lrs.map((lr) => {
    const here = runs.filter((r) => r.arm === arm && r.lr === lr);
    const finished = here.filter((r) => !r.result.diverged).map((r) => r.result.finalTestAccuracy);
    return { lr, finished, diverged: here.length - finished.length, count: here.length };
  });
  const scored = at.filter((p) => p.diverged === 0 && p.finished.length > 0);
  const best = scored.reduce<ArmSummary['best'] | undefined>((b, p) => (b && b.accuracy >= mean(p.finished) ? b : { lr: p.lr, accuracy: mean(p.finished), values: p.finished }), undefined) ?? {
    lr: NaN,
    accuracy: NaN,
    values: [],
  };
  const good = scored.filter((p) => mean(p.finished) >= best.accuracy - 0.05).map((p) => p.lr);
  return {
    arm,
    diverged: at.filter((p) => p.diverged > 0).map((p) => p.lr),
    allDiverged: at.filter((p) => p.diverged === p.count).map((p) => p.lr),
    best,
    largestGood: good.length > 0 ? Math.max(...good) : undefined,
  };
}

/** "diverged in every seed at 3.16 and 10; in 1 of 2 seeds at 1", or "no run diverged". */
function divergedWords(runs: Run[], s: ArmSummary): string {
  if (s.diverged.length === 0) return 'no run diverged';
  const some = s.diverged.filter((lr) => !s.allDiverged.includes(lr));
  return [
    s.allDiverged.length > 0 ? `diverged in every seed at ${lrList(s.allDiverged)}` : '',
    some.length > 0 ? `diverged at ${some.map((lr) => `${num(lr)} in ${seedsDiverged(runs, s.arm, lr)}`).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** "1 of 2 seeds" diverged at this rate. */
function seedsDiverged(runs: Run[], arm: string, lr: number): string {
  const here = runs.filter((r) => r.arm === arm && r.lr === lr);
  return `${here.filter((r) => r.result.diverged).length} of ${here.length} seeds`;
}

export interface LrResults {
  runs: Run[];
  lrs: number[];
}

/** A run trains when it did not diverge and ended above this test accuracy (chance is 10 %). */
const TRAINS = 0.5;

/** Per seed: the largest rate at which the arm trained within 5 points of that seed's best rate (undefined: none). */
export function largestGoodRate(runs: Run[], arm: string, seed: number): number | undefined {
  const mine = runs.filter((r) => r.arm === arm && r.seed === seed && !r.result.diverged);
  if (mine.length === 0) return undefined;
  const best = Math.max(...mine.map((r) => r.result.finalTestAccuracy));
  const good = mine.filter((r) => r.result.finalTestAccuracy >= best - 0.05).map((r) => r.lr);
  return Math.max(...good);
}

export const lrClaims: Claim<LrResults>[] = [
  {
    claim: `Without BatchNorm, high rates fail (Ioffe & Szegedy 2015 §4.2.1; Bjorck et al. 2018): at every lr ≥ 1, every seed diverges or ends below ${100 * TRAINS} %`,
    check: ({ runs, lrs }) => {
      const high = lrs.filter((lr) => lr >= 1);
      if (high.length === 0) return { measured: 'no learning rate ≥ 1 in the sweep', holds: undefined };
      const here = runs.filter((r) => r.arm === NORM_NAMES.none && r.lr >= 1);
      const failed = here.filter((r) => r.result.diverged || r.result.finalTestAccuracy < TRAINS);
      const best = here.filter((r) => !r.result.diverged).map((r) => r.result.finalTestAccuracy);
      return {
        measured: `${failed.length} of ${here.length} runs at lr ${lrList(high)} failed (${here.filter((r) => r.result.diverged).length} diverged${best.length ? `; best finished run ${pct(Math.max(...best))}` : ''})`,
        holds: failed.length === here.length,
      };
    },
  },
  {
    claim: 'BatchNorm allows higher learning rates (Bjorck et al. 2018, Fig. 1): in every seed, the largest rate within 5 points of that seed’s best is at least 3× larger with BatchNorm',
    check: ({ runs }) => {
      const seeds = [...new Set(runs.map((r) => r.seed))];
      const ratios = seeds.map((seed) => {
        const bn = largestGoodRate(runs, NORM_NAMES.batch, seed);
        const plain = largestGoodRate(runs, NORM_NAMES.none, seed);
        return bn === undefined ? 0 : plain === undefined ? Infinity : bn / plain;
      });
      const every = everySeed(ratios, (r) => r >= 3 - 1e-9);
      return {
        measured: `ratio per seed: ${seeds.map((seed, i) => `${num(ratios[i]!, 3)}× (seed ${seed}: ${num(largestGoodRate(runs, NORM_NAMES.batch, seed) ?? NaN)} vs ${num(largestGoodRate(runs, NORM_NAMES.none, seed) ?? NaN)})`).join(', ')}; ≥ 3× in ${every.words}`,
        holds: every.holds,
      };
    },
  },
];

export function summary(runs: Run[], lrs: number[], curvesLr: number, params: Params): string {
  const lines = [`**MNIST, ${setup(params)}**; ${params.seeds} seed${params.seeds > 1 ? 's' : ''} per learning rate; test accuracy on ${int(params.testSize)} held-out digits.`, ''];
  lines.push('| learning rate | ' + ARMS.map((n) => NORM_NAMES[n]).join(' | ') + ' |', '|---:|' + ARMS.map(() => '---:').join('|') + '|');
  for (const lr of lrs) {
    const cells = ARMS.map((norm) => {
      const here = runs.filter((r) => r.arm === NORM_NAMES[norm] && r.lr === lr);
      const finished = here.filter((r) => !r.result.diverged).map((r) => r.result.finalTestAccuracy);
      const diverged = here.length - finished.length;
      if (diverged === here.length) return `diverged (${diverged === 1 ? 'the seed' : `all ${diverged} seeds`}, by step ${int(Math.max(...here.map((r) => r.result.diverged!.step)))})`;
      return pctSpread(finished) + (diverged > 0 ? `, ${diverged} of ${here.length} seeds diverged` : '');
    });
    lines.push(`| ${num(lr)} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  const plain = armSummary(runs, lrs, NORM_NAMES.none);
  const bn = armSummary(runs, lrs, NORM_NAMES.batch);
  for (const s of [plain, bn]) {
    lines.push(
      `- **${s.arm}**: ${divergedWords(runs, s)}; ` +
        (Number.isFinite(s.best.accuracy) ? `best ${pctSpread(s.best.values)} at lr ${num(s.best.lr)}; ` : 'no learning rate trained without diverging; ') +
        (s.largestGood !== undefined ? `largest rate within 5 points of its best: ${num(s.largestGood)}.` : ''),
    );
  }
  lines.push('');
  if (bn.largestGood !== undefined && (plain.largestGood === undefined || bn.largestGood > plain.largestGood)) {
    const above = lrs.filter((lr) => lr > (plain.largestGood ?? 0) && lr <= bn.largestGood!);
    const divergedAbove = above.filter((lr) => plain.diverged.includes(lr));
    const stalledAbove = above.filter((lr) => !plain.diverged.includes(lr));
    const allAbove = divergedAbove.filter((lr) => plain.allDiverged.includes(lr));
    const someAbove = divergedAbove.filter((lr) => !plain.allDiverged.includes(lr));
    const plainWords = [
      allAbove.length > 0 ? `diverged in every seed at ${lrList(allAbove)}` : '',
      someAbove.length > 0 ? `diverged in some seeds at ${lrList(someAbove)} (${someAbove.map((lr) => seedsDiverged(runs, plain.arm, lr)).join('; ')})` : '',
      stalledAbove.length > 0 ? `ended more than 5 points below its best at ${lrList(stalledAbove)}` : '',
    ].filter(Boolean);
    lines.push(
      `With BatchNorm the network trained well (within 5 points of its best) up to lr ${num(bn.largestGood)}, ` +
        (plain.largestGood !== undefined ? `${num(bn.largestGood / plain.largestGood)}× the largest rate at which it did without BatchNorm (${num(plain.largestGood)}); ` : 'while without BatchNorm no rate did; ') +
        `above that, without BatchNorm it ${plainWords.join(' and ')}, as the literature reports.`,
    );
  } else {
    lines.push(
      `In this run BatchNorm did not train well at larger learning rates than the network without it (largest rate within 5 points of the arm's best: ` +
        `${plain.largestGood !== undefined ? num(plain.largestGood) : 'none'} without, ${bn.largestGood !== undefined ? num(bn.largestGood) : 'none'} with). ` +
        'The literature reports that it does: try more `steps`, a larger `depth`, or other seeds.',
    );
  }
  const bnAboveRange = lrs.filter((lr) => bn.largestGood !== undefined && lr > bn.largestGood);
  if (bnAboveRange.length > 0) {
    lines.push(
      '',
      `BatchNorm has a limit too: at ${lrList(bnAboveRange)} it ${bn.diverged.some((lr) => bnAboveRange.includes(lr)) ? 'diverged or ' : ''}ended more than 5 points below its best ` +
        `(${bnAboveRange.map((lr) => `${num(lr)}: ${pctSpread(runs.filter((r) => r.arm === bn.arm && r.lr === lr && !r.result.diverged).map((r) => r.result.finalTestAccuracy))}`).join('; ')}).`,
    );
  }
  const curveRuns = runs.filter((r) => r.lr === curvesLr);
  const curveWords = ARMS.map((norm) => {
    const mine = curveRuns.filter((r) => r.arm === NORM_NAMES[norm]);
    const d = mine.filter((r) => r.result.diverged);
    return d.length > 0
      ? `${NORM_NAMES[norm]} diverged in ${d.length} of ${mine.length} seeds (${d.map((r) => `step ${int(r.result.diverged!.step)}`).join(', ')})`
      : `${NORM_NAMES[norm]} ended at ${pct(mean(mine.map((r) => r.result.finalTestAccuracy)))}`;
  });
  lines.push('', `The training curves are at lr ${num(curvesLr)}: ${curveWords.join('; ')}.`);
  lines.push(
    '',
    '**Literature.** Ioffe & Szegedy (2015, §4.2.1) raised the learning rate of BN-Inception ×5 and ×30 and it still trained (faster); without ' +
      'BatchNorm, high rates make gradients explode or parameters diverge. Bjorck et al. (2018, Fig. 1, a ResNet on CIFAR-10) find networks without ' +
      'BatchNorm diverge above small learning rates while with BatchNorm they train over a much wider range, and that the larger rates BatchNorm ' +
      'allows are what gives it its better test accuracy.',
    '',
    `_Notes:_ ${int(params.steps)} steps is short: at the smallest rates neither arm has learned much yet, which is a matter of time, not of normalization. ` +
      'A run counts as diverged only when a loss or an activation becomes NaN or infinite; a run that blows up without overflowing, then stalls, shows as low accuracy.',
    '',
    claimsTable(checkClaims(lrClaims, { runs, lrs })),
  );
  return lines.join('\n');
}
