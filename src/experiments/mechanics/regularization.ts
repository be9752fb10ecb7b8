/**
 * regularization: BatchNorm as a regularizer (Ioffe & Szegedy 2015, §3.4 and §4.2.1; Luo et al. 2019).
 * A small MLP is trained on a small training set (1,000 MNIST digits by default) until it fits it, with
 * BatchNorm, dropout, both, or neither, for several seeds; the train/test gap and the test accuracy are
 * compared against the seed-to-seed spread, and the summary says plainly whether they stand out of it.
 */
import { Generator } from '../../engine';
import { checkClaims, claimsTable, everySeed, type Claim } from '../claims';
import { effectNumbers, pairedEffect } from '../effects';
import { batchSizeParam, lrParam, stepsParam, testSizeParam } from '../common-params';
import { defineExperiment } from '../experiment';
import { drawable } from '../live';
import { checkMnistSizes, MNIST_DIGITS, mnistSplit } from '../mnist';
import { seedList } from '../numbers';
import { defineJob, runAll } from '../runs';
import { BatchSampler, buildMlp, NORM_NAMES, type NormKind } from '../training';
import { compare, evaluate, meanCurve, pctWithRange, pp, recordSteps, seedParam, seedsParam, stepSweep, trainingCurves, trainLoop, verdict, mean, minMax } from './common';
import type { Curve, PlotPayload } from '../../shared/payload';

export interface Arm {
  name: string;
  norm: NormKind;
  dropout: boolean;
}

const ARMS: Arm[] = [
  { name: NORM_NAMES.none, norm: 'none', dropout: false },
  { name: NORM_NAMES.batch, norm: 'batch', dropout: false },
  { name: 'dropout', norm: 'none', dropout: true },
  { name: 'BN + dropout', norm: 'batch', dropout: true },
];

export interface ArmRuns {
  arm: Arm;
  steps: number[];
  trainAcc: number[][];
  testAcc: number[][];
  loss: number[][];
  diverged: { seed: number; step: number; reason: string }[];
}

export const regularization = defineExperiment({
  id: 'regularization',
  title: 'BatchNorm as a regularizer: the train/test gap on a small training set',
  description:
    'Trains the same MLP on a small subset of MNIST (1,000 digits by default) with BatchNorm, dropout, both or neither, ' +
    'for several seeds, until it fits its training set. Shows train and test accuracy over training, the generalization gap ' +
    '(train − test accuracy) with its spread over seeds, and says whether the differences between arms are larger than that spread.',
  params: {
    trainSize: { kind: 'integer', default: 1000, min: 100, max: 8000, description: `Training digits (drawn at random from the ${MNIST_DIGITS.toLocaleString('en-US')}).` },
    testSize: testSizeParam(2000, 'Held-out digits the test accuracy is measured on.', { min: 200, max: 2000 }),
    steps: stepsParam(400, 'SGD steps per run (400 steps of 50 = 20 epochs of 1,000 digits).', { min: 20 }),
    batchSize: batchSizeParam(50, 'Minibatch size (also BatchNorm’s batch).', { min: 4 }),
    hidden: { kind: 'integer', default: 100, min: 8, max: 1024, description: 'Units in each of the two hidden layers.' },
    lr: lrParam(0.05, 'SGD learning rate (momentum 0.9), the same for every arm.'),
    dropout: { kind: 'number', default: 0.5, min: 0, max: 0.95, exclusiveMin: true, description: 'Dropout probability after each hidden layer, in the dropout arms.' },
    seeds: seedsParam(3),
    seed: seedParam(),
  },
  knobs: ['trainSize', 'dropout', 'lr', 'steps', 'seeds'],
  async run(params, context) {
    checkMnistSizes(params.trainSize, params.testSize);
    if (params.batchSize > params.trainSize) throw new Error(`batchSize (${params.batchSize}) must be at most trainSize (${params.trainSize})`);
    const recordAt = [...recordSteps(params.steps, 8)].sort((a, b) => a - b);
    const inputs: RunInput[] = seedList(params.seed, params.seeds).flatMap((seed) => ARMS.map((arm) => ({ params, arm, seed, recordAt })));
    const gather = (results: readonly (SeedRun | undefined)[]): ArmRuns[] => armRuns(inputs, results, recordAt);
    const results = await runAll(context, runJob, inputs, { total: () => params.steps, preview: (sofar) => drawable(plots(gather(sofar), params)) });
    const runs = gather(results);
    return { plots: plots(runs, params), markdown: summary(runs, params), claims: checkClaims(regularizationClaims, regularizationResults(runs)) };
  },
});

interface RegularizationParams {
  trainSize: number;
  testSize: number;
  steps: number;
  batchSize: number;
  hidden: number;
  lr: number;
  dropout: number;
  seeds: number;
}

interface RunInput {
  params: RegularizationParams;
  arm: Arm;
  seed: number;
  /** Steps after which train and test accuracy are measured. */
  recordAt: number[];
}

/** One seed's curves of one arm. */
interface SeedRun {
  trainAcc: number[];
  testAcc: number[];
  loss: number[];
  diverged?: { step: number; reason: string };
}

/** One arm and seed, on the split of its seed; a job of its own, so that any worker can run it. */
const runJob = defineJob<RunInput, SeedRun>('regularization/run', async ({ params, arm, seed, recordAt }, context) => {
  const { train: trainSet, test: testSet } = await mnistSplit(context, { trainSize: params.trainSize, testSize: params.testSize, seed });
  const generator = new Generator(seed);
  const model = buildMlp({ inputs: 784, hidden: [params.hidden, params.hidden], outputs: 10, activation: 'relu', norm: arm.norm, dropout: arm.dropout ? params.dropout : 0, generator });
  const sampler = new BatchSampler(trainSet, params.batchSize, generator);
  const run: SeedRun = { trainAcc: [], testAcc: [], loss: [] };
  const result = trainLoop({
    model,
    steps: params.steps,
    nextBatch: () => sampler.next(),
    lr: params.lr,
    momentum: 0.9,
    context,
    label: `${arm.name}, seed ${seed}`,
    recordAt: new Set(recordAt),
    record: (_step, meanLoss) => {
      run.trainAcc.push(evaluate(model, trainSet));
      run.testAcc.push(evaluate(model, testSet));
      run.loss.push(meanLoss);
      context.partial(run);
      return { loss: meanLoss, 'train accuracy': run.trainAcc.at(-1)!, 'test accuracy': run.testAcc.at(-1)! };
    },
  });
  return result.diverged ? { ...run, diverged: result.diverged } : run;
});

/** The jobs' results gathered per arm, seeds in order (jobs that have not reported yet are left out). */
function armRuns(inputs: readonly RunInput[], results: readonly (SeedRun | undefined)[], steps: number[]): ArmRuns[] {
  return ARMS.map((arm) => {
    const runs: ArmRuns = { arm, steps, trainAcc: [], testAcc: [], loss: [], diverged: [] };
    inputs.forEach((input, i) => {
      const r = results[i];
      if (input.arm.name !== arm.name || !r) return;
      if (r.diverged) runs.diverged.push({ seed: input.seed, ...r.diverged });
      runs.trainAcc.push(r.trainAcc);
      runs.testAcc.push(r.testAcc);
      runs.loss.push(r.loss);
    });
    return runs;
  });
}

/** Mean train/test accuracy and loss curves, the generalization gap and the test accuracy over seeds. */
function plots(runs: ArmRuns[], params: RegularizationParams): PlotPayload[] {
  const curves: Curve[] = [];
  for (const run of runs) {
    const train = meanCurve(run.steps, run.trainAcc);
    const test = meanCurve(run.steps, run.testAcc);
    const loss = meanCurve(run.steps, run.loss);
    curves.push({ arm: run.arm.name, metric: 'accuracy', split: 'train', steps: train.steps, values: train.values.map((v) => 100 * v) });
    curves.push({ arm: run.arm.name, metric: 'accuracy', split: 'test', steps: test.steps, values: test.values.map((v) => 100 * v) });
    curves.push({ arm: run.arm.name, metric: 'loss', split: 'train', steps: loss.steps, values: loss.values });
  }
  const gap = (run: ArmRuns): number[][] => run.trainAcc.map((tr, s) => tr.map((v, i) => 100 * (v - run.testAcc[s]![i]!)));
  const plots: PlotPayload[] = [
    trainingCurves({
      title: `Train and test accuracy on ${params.trainSize.toLocaleString('en-US')} MNIST digits, mean over ${params.seeds} seed${params.seeds > 1 ? 's' : ''}`,
      notes: 'Accuracies in eval mode (BatchNorm with its running statistics, dropout off). Training loss: mean over the steps since the previous point, in training mode.',
      metrics: [
        { id: 'accuracy', label: 'accuracy', unit: '%' },
        { id: 'loss', label: 'training loss', unit: 'nats', scale: 'log' },
      ],
      curves: curves.map((c) => (c.metric === 'loss' ? { ...c, values: c.values.map((v) => Math.max(v, 1e-6)) } : c)),
      divergences: runs.flatMap((run) => run.diverged.map((d) => ({ arm: run.arm.name, step: d.step, reason: `seed ${d.seed}: ${d.reason}` }))),
    }),
    stepSweep({
      title: 'Generalization gap (train − test accuracy): mean and range over seeds',
      notes: 'A smaller gap means less overfitting. The band is the range over seeds: differences between arms that stay inside it are not distinguishable from luck.',
      y: { label: 'train − test accuracy', unit: 'pp' },
      arms: runs.map((run) => ({ arm: run.arm.name, steps: run.steps, perSeed: gap(run) })),
    }),
    stepSweep({
      title: 'Test accuracy: mean and range over seeds',
      y: { label: 'test accuracy', unit: '%' },
      arms: runs.map((run) => ({ arm: run.arm.name, steps: run.steps, perSeed: run.testAcc.map((c) => c.map((v) => 100 * v)) })),
    }),
  ];
  return plots;
}

function last(curves: number[][]): number[] {
  return curves.map((c) => c.at(-1) ?? NaN);
}

/** Final train and test accuracy per arm (in the order of the arms: no norm, BatchNorm, dropout, BN + dropout) and seed. */
export interface RegularizationResults {
  train: number[][];
  test: number[][];
}

export function regularizationResults(runs: ArmRuns[]): RegularizationResults {
  return { train: runs.map((r) => last(r.trainAcc)), test: runs.map((r) => last(r.testAcc)) };
}

export const regularizationClaims: Claim<RegularizationResults>[] = [
  {
    claim: 'BatchNorm regularizes (Ioffe & Szegedy 2015, §3.4): on a small training set its test accuracy is higher than without normalization in every seed',
    check: (r) => {
      const e = pairedEffect(r.test[0]!, r.test[1]!);
      const every = everySeed(e.diffs, (d) => d > 0);
      return { measured: `BatchNorm − no norm ${effectNumbers(e)}; > 0 in ${every.words}`, holds: every.holds && e.diffs.length === r.test[0]!.length };
    },
  },
  {
    claim: 'and its train − test gap is smaller in every seed',
    check: (r) => {
      const gap = (a: number): number[] => r.train[a]!.map((v, s) => v - r.test[a]![s]!);
      const e = pairedEffect(gap(0), gap(1), { direction: -1 });
      const every = everySeed(e.diffs, (d) => d < 0);
      return { measured: `gap with − without BatchNorm ${effectNumbers(e)}; < 0 in ${every.words}`, holds: every.holds && e.diffs.length === r.test[0]!.length };
    },
  },
];

export function summary(runs: ArmRuns[], params: { trainSize: number; testSize: number; steps: number; batchSize: number; seeds: number; dropout: number }): string {
  const finalTrain = runs.map((r) => last(r.trainAcc));
  const finalTest = runs.map((r) => last(r.testAcc));
  const finalGap = runs.map((_, a) => finalTrain[a]!.map((v, s) => v - finalTest[a]![s]!));
  const epochs = (params.steps * params.batchSize) / params.trainSize;
  const lines = [
    `**${params.trainSize.toLocaleString('en-US')} training digits**, ${params.steps.toLocaleString('en-US')} steps of ${params.batchSize} (${epochs.toFixed(0)} epochs), ${params.seeds} seed${params.seeds > 1 ? 's' : ''}, test on ${params.testSize.toLocaleString('en-US')} held-out digits. Final values (mean, with the range over seeds):`,
    '',
    '| arm | train accuracy | test accuracy | gap (train − test) | test accuracy vs no norm (paired by seed) |',
    '|---|---:|---:|---:|---|',
  ];
  const base = finalTest[0]!;
  runs.forEach((run, a) => {
    const [gLo, gHi] = minMax(finalGap[a]!.filter(Number.isFinite));
    const gapText = params.seeds > 1 ? `${pp(mean(finalGap[a]!))} (${(100 * gLo).toFixed(1)} to ${(100 * gHi).toFixed(1)})` : pp(mean(finalGap[a]!));
    let vsBase = '—';
    if (a > 0) {
      const c = compare(base, finalTest[a]!, params.testSize);
      vsBase = `${pp(c.mean)}: ${verdict(c)}`;
    }
    const note = run.diverged.length ? ` (${run.diverged.length} diverged)` : '';
    lines.push(`| ${run.arm.name}${note} | ${pctWithRange(finalTrain[a]!)} | ${pctWithRange(finalTest[a]!)} | ${gapText} | ${vsBase} |`);
  });
  lines.push('');
  // The headline, from this run's numbers.
  const bn = compare(base, finalTest[1]!, params.testSize);
  const drop = compare(base, finalTest[2]!, params.testSize);
  const gapBn = compare(finalGap[0]!, finalGap[1]!);
  const everyArmFits = finalTrain.every((arm) => arm.every((v) => v > 0.99));
  lines.push(
    (everyArmFits ? 'Every arm fits its training set (train accuracy above 99 %), so the gap is mostly the test error. ' : '') +
      `BatchNorm changes the test accuracy by ${effectNumbers(bn)} against no normalization, ${verdict(bn)}; ` +
      `its train − test gap changes by ${effectNumbers(gapBn)}, ${verdict(gapBn)}. Dropout (p = ${params.dropout}) changes the test accuracy by ${effectNumbers(drop)}, ${verdict(drop)}.`,
  );
  lines.push('');
  lines.push(
    '**Literature.** Ioffe & Szegedy (2015, §3.4) write that BatchNorm regularizes because each example is normalized with statistics of a random minibatch, ' +
      'so the network no longer produces deterministic values for a given example, and that dropout can then be reduced or removed (§4.2.1). ' +
      'Luo et al. (2019) show that BatchNorm’s regularization comes from this batch noise and is weaker with larger batches. ' +
      'The effect is modest: at this scale, with a few seeds, expect differences of a point or two at most — ' +
      (params.seeds < 5 ? 'run more seeds (`seeds: 10`) before trusting a difference that is not clearly outside the spread.' : 'compare them with the ranges above.'),
    '',
    claimsTable(checkClaims(regularizationClaims, regularizationResults(runs))),
  );
  return lines.join('\n');
}

