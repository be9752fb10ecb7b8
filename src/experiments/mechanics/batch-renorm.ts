/**
 * batch-renorm: non-i.i.d. minibatches (Ioffe 2017, §4.3). When every training batch holds only a few
 * classes, BatchNorm's batch statistics in training are far from the population statistics it uses at
 * inference, and the trained network does worse in eval mode. Batch Renormalization corrects the batch
 * statistics towards the moving averages (r, d), so training and inference compute the same function.
 */
import { Generator, nn } from '../../engine';
import type { Curve, PlotPayload, TrainingCurvesPlot } from '../../shared/payload';
import { batchSizeParam, lrParam, stepsParam, testSizeParam, trainSizeParam } from '../common-params';
import { defineExperiment } from '../experiment';
import { drawable } from '../live';
import { checkMnistSizes, mnistSplit } from '../mnist';
import { defineJob, runAll } from '../runs';
import { seedList, signed } from '../numbers';
import { BatchSampler, buildMlp, NORM_NAMES } from '../training';
import { checkClaims, claimsTable, everySeed, type Claim } from '../claims';
import { accuracyResolution, describeEffect, effectNumbers, pairedEffect, twoSidedEffect } from '../effects';
import { ClassBatchSampler, evaluate, mean, meanCurve, pct, pctWithRange, pp, recordSteps, seedParam, seedsParam, trainLoop } from './common';

const BRN = 'Batch Renorm';
const ARMS = [NORM_NAMES.batch, BRN] as const;
type ArmName = (typeof ARMS)[number];

export interface Run {
  arm: ArmName;
  /** 10 for i.i.d. batches, else the number of classes in every batch. */
  classes: number;
  steps: number[];
  testAcc: number[][];
  finalR: number[];
  finalD: number[];
  diverged: string[];
}

export const batchRenorm = defineExperiment({
  id: 'batch-renorm',
  title: 'Non-i.i.d. minibatches: BatchNorm vs Batch Renormalization',
  description:
    'Trains the same MLP with BatchNorm or Batch Renormalization (Ioffe 2017) on MNIST, once with i.i.d. minibatches and once ' +
    'with minibatches that each hold only a few classes (2 by default), and measures the test accuracy at inference (eval mode, ' +
    'running averages). With few-class batches, BatchNorm’s training-time batch statistics do not match the population statistics ' +
    'used at inference; Batch Renorm’s r and d correct for that.',
  params: {
    classesPerBatch: { kind: 'integer', default: 2, min: 1, max: 9, description: 'Classes in every non-i.i.d. training batch (equal shares); the i.i.d. runs draw batches from all 10.' },
    trainSize: trainSizeParam(8000, 'Training digits.'),
    testSize: testSizeParam(2000, 'Held-out digits for the test accuracy (eval mode).', { min: 200, max: 2000 }),
    steps: stepsParam(600, 'SGD steps per run (momentum 0.9).', { min: 20, max: 100000 }),
    batchSize: batchSizeParam(50, 'Training minibatch size.', { min: 4 }),
    hidden: { kind: 'integer', default: 100, min: 8, max: 1024, description: 'Units in each of the two hidden layers (Linear → norm → ReLU).' },
    lr: lrParam(0.05, 'SGD learning rate.'),
    momentum: { kind: 'number', default: 0.01, min: 0, max: 1, exclusiveMin: true, description: 'Update rate of the moving averages, the same for both norms (PyTorch’s momentum).' },
    rMax: { kind: 'number', default: 3, min: 1, max: 100, description: 'Batch Renorm’s final clip of r = σ_B / σ (the paper: 3).' },
    dMax: { kind: 'number', default: 5, min: 0, max: 100, description: 'Batch Renorm’s final clip of |d| = |μ_B − μ| / σ (the paper: 5).' },
    seeds: seedsParam(3),
    seed: seedParam(),
  },
  knobs: ['classesPerBatch', 'rMax', 'dMax', 'momentum', 'seeds'],
  async run(params, context) {
    checkMnistSizes(params.trainSize, params.testSize);
    const steps = [...recordSteps(params.steps, 8)].sort((a, b) => a - b);
    const conditions = [10, params.classesPerBatch];
    const configs = conditions.flatMap((classes) => ARMS.map((arm) => ({ arm, classes })));
    const inputs: RunInput[] = seedList(params.seed, params.seeds).flatMap((seed) => configs.map(({ arm, classes }) => ({ params, arm, classes, seed, recordAt: steps })));
    const gather = (results: readonly (SeedRun | undefined)[]): Run[] =>
      configs.map(({ arm, classes }, c) => {
        const run: Run = { arm, classes, steps, testAcc: [], finalR: [], finalD: [], diverged: [] };
        for (let i = c; i < inputs.length; i += configs.length) {
          const r = results[i];
          if (!r) continue;
          run.testAcc.push(r.testAcc);
          if (r.diverged) run.diverged.push(`seed ${inputs[i]!.seed}: ${r.diverged}`);
          if (r.finalR !== undefined) run.finalR.push(r.finalR);
          if (r.finalD !== undefined) run.finalD.push(r.finalD);
        }
        return run;
      });
    const results = await runAll(context, runJob, inputs, { total: () => params.steps, preview: (sofar) => drawable(plots(gather(sofar), conditions, params)) });
    const runs = gather(results);
    return { plots: plots(runs, conditions, params), markdown: summary(runs, params), claims: checkClaims(renormClaims, renormResults(runs, params)) };
  },
});

interface RenormParams {
  classesPerBatch: number;
  trainSize: number;
  testSize: number;
  steps: number;
  batchSize: number;
  hidden: number;
  lr: number;
  momentum: number;
  rMax: number;
  dMax: number;
  seeds: number;
}

interface RunInput {
  params: RenormParams;
  arm: ArmName;
  classes: number;
  seed: number;
  /** Steps after which test accuracy is measured. */
  recordAt: number[];
}

/** One seed of one arm and batch condition. */
interface SeedRun {
  testAcc: number[];
  /** Batch Renorm only: mean |r − 1| and |d| of the first layer at the last step. */
  finalR?: number;
  finalD?: number;
  diverged?: string;
}

/** One arm, batch condition and seed, on the split of its seed; a job of its own, so that any worker can run it. */
const runJob = defineJob<RunInput, SeedRun>('batch-renorm/run', async ({ params, arm, classes, seed, recordAt }, context) => {
  const { train: trainSet, test: testSet } = await mnistSplit(context, { trainSize: params.trainSize, testSize: params.testSize, seed });
  const generator = new Generator(seed);
  const norms: nn.BatchRenorm1d[] = [];
  const model = buildMlp({
    inputs: 784,
    hidden: [params.hidden, params.hidden],
    outputs: 10,
    activation: 'relu',
    generator,
    makeNorm: (width) => {
      if (arm === NORM_NAMES.batch) return new nn.BatchNorm1d(width, { momentum: params.momentum });
      const norm = new nn.BatchRenorm1d(width, { momentum: params.momentum, rMax: 1, dMax: 0 });
      norms.push(norm);
      return norm;
    },
  });
  const iid = new BatchSampler(trainSet, params.batchSize, generator);
  const fewClasses = new ClassBatchSampler(trainSet, params.batchSize, classes, generator);
  // Relaxation as in the paper, scaled to the run: plain BatchNorm (r = 1, d = 0) for the first 5 % of
  // the steps, then the clips open linearly to rMax and dMax at 25 %.
  const relaxed = (step: number): number => Math.min(1, Math.max(0, (step / params.steps - 0.05) / 0.2));
  const run: SeedRun = { testAcc: [] };
  const result = trainLoop({
    model,
    steps: params.steps,
    nextBatch: () => (classes === 10 ? iid.next() : fewClasses.next()),
    beforeStep: (step) => {
      const t = relaxed(step);
      for (const norm of norms) {
        norm.rMax = 1 + (params.rMax - 1) * t;
        norm.dMax = params.dMax * t;
      }
    },
    lr: params.lr,
    momentum: 0.9,
    context,
    label: `${arm}, ${describe(classes)}, seed ${seed}`,
    recordAt: new Set(recordAt),
    record: (_step, loss) => {
      run.testAcc.push(evaluate(model, testSet));
      context.partial(run);
      return { loss, 'test accuracy': run.testAcc.at(-1)! };
    },
  });
  if (result.diverged) run.diverged = result.diverged.reason;
  if (norms.length) {
    run.finalR = mean(Array.from(norms[0]!.lastR, (r) => Math.abs(r - 1)));
    run.finalD = mean(Array.from(norms[0]!.lastD, Math.abs));
  }
  return run;
});

/** Test accuracy over training per batch condition, and the final accuracy against the classes per batch. */
function plots(runs: Run[], conditions: number[], params: RenormParams): PlotPayload[] {
  const panel = (classes: number): TrainingCurvesPlot => {
    const curves: Curve[] = runs
      .filter((r) => r.classes === classes)
      .map((r) => {
        const m = meanCurve(r.steps, r.testAcc);
        return { arm: r.arm, metric: 'accuracy', split: 'test', steps: m.steps, values: m.values.map((v) => 100 * v) };
      });
    return { kind: 'training-curves', title: describe(classes), x: { label: 'training step' }, metrics: [{ id: 'accuracy', label: 'test accuracy (eval mode)', unit: '%' }], curves };
  };
  const plots: PlotPayload[] = [
    {
      version: 1,
      plot: {
        kind: 'small-multiples',
        title: `Test accuracy at inference (eval mode) during training, mean over ${params.seeds} seed${params.seeds > 1 ? 's' : ''}`,
        notes: `Left: i.i.d. minibatches. Right: every minibatch holds ${params.classesPerBatch} class${params.classesPerBatch > 1 ? 'es' : ''}. Both norms use the same moving averages at inference.`,
        columns: 2,
        shareY: true,
        panels: conditions.map(panel),
      },
    },
    {
      version: 1,
      plot: {
        kind: 'sweep',
        title: 'Final test accuracy (eval mode) against the number of classes in a training batch',
        notes: `10 classes: i.i.d. batches. Mean and range over seeds.`,
        x: { label: 'classes per training batch' },
        y: { label: 'final test accuracy', unit: '%' },
        spread: 'min-max',
        arms: ARMS.map((arm) => ({
          arm,
          points: [...conditions]
            .sort((a, b) => a - b)
            .map((classes) => {
              const run = runs.find((r) => r.arm === arm && r.classes === classes)!;
              const values = finalsOf(run);
              const ok = values.filter(Number.isFinite).map((v) => 100 * v);
              return { x: classes, values: ok, ...(ok.length < values.length ? { diverged: values.length - ok.length, reason: 'training diverged' } : {}) };
            }),
        })),
      },
    },
  ];
  return plots;
}

function describe(classes: number): string {
  return classes === 10 ? 'i.i.d. batches' : `${classes}-class batches`;
}

/** Final test accuracy per seed (NaN where the run diverged before its last record). */
export function finalsOf(run: Run): number[] {
  return run.testAcc.map((c) => (c.length === run.steps.length ? c.at(-1)! : NaN));
}

export interface RenormResults {
  classes: number;
  testSize: number;
  bn: { iid: number[]; non: number[] };
  brn: { iid: number[]; non: number[] };
  /** Batch Renorm's mean |d| and |r − 1| at the last step, first layer, per seed. */
  d: { iid: number[]; non: number[] };
  r: { iid: number[]; non: number[] };
}

export function renormResults(runs: Run[], params: { classesPerBatch: number; testSize: number }): RenormResults {
  const get = (arm: ArmName, classes: number): Run => runs.find((r) => r.arm === arm && r.classes === classes)!;
  const k = params.classesPerBatch;
  return {
    classes: k,
    testSize: params.testSize,
    bn: { iid: finalsOf(get(NORM_NAMES.batch, 10)), non: finalsOf(get(NORM_NAMES.batch, k)) },
    brn: { iid: finalsOf(get(BRN, 10)), non: finalsOf(get(BRN, k)) },
    d: { iid: get(BRN, 10).finalD, non: get(BRN, k).finalD },
    r: { iid: get(BRN, 10).finalR, non: get(BRN, k).finalR },
  };
}

function accuracyChange(r: RenormResults, a: number[], b: number[], direction: 1 | -1 = 1) {
  return pairedEffect(a, b, { direction, resolution: accuracyResolution(mean(a.filter(Number.isFinite)), mean(b.filter(Number.isFinite)), r.testSize) });
}

export const renormClaims: Claim<RenormResults>[] = [
  {
    claim: 'Non-i.i.d. minibatches hurt BatchNorm at inference (Ioffe 2017, §4.3): with few-class batches its eval-mode accuracy is ≥ 3 points below i.i.d. in every seed',
    check: (r) => {
      if (r.classes === 10) return { measured: 'classesPerBatch is 10 (i.i.d.)', holds: undefined };
      const e = pairedEffect(r.bn.iid, r.bn.non, { direction: -1 });
      const every = everySeed(e.diffs, (d) => d <= -0.03);
      return { measured: `BatchNorm, ${r.classes}-class − i.i.d.: ${effectNumbers(e)}; ≤ −3 pp in ${every.words}`, holds: every.holds && e.diffs.length === r.bn.iid.length };
    },
  },
  {
    claim: 'Batch Renormalization recovers part of it (Ioffe 2017, §4.3): on the same few-class batches it beats BatchNorm in every seed',
    check: (r) => {
      if (r.classes === 10) return { measured: 'classesPerBatch is 10 (i.i.d.)', holds: undefined };
      const e = pairedEffect(r.bn.non, r.brn.non);
      const every = everySeed(e.diffs, (d) => d > 0);
      return { measured: `Batch Renorm − BatchNorm, ${r.classes}-class batches: ${effectNumbers(e)}; > 0 in ${every.words}`, holds: every.holds && e.diffs.length === r.bn.non.length };
    },
  },
];

export function summary(runs: Run[], params: { classesPerBatch: number; seeds: number; steps: number; batchSize: number; testSize: number }): string {
  const r = renormResults(runs, params);
  const k = params.classesPerBatch;
  const drop = accuracyChange(r, r.bn.iid, r.bn.non, -1);
  const gain = accuracyChange(r, r.bn.non, r.brn.non);
  const iidDiff = twoSidedEffect(r.bn.iid, r.brn.iid, accuracyResolution(mean(r.bn.iid.filter(Number.isFinite)), mean(r.brn.iid.filter(Number.isFinite)), r.testSize));
  const lines = [
    `${params.steps.toLocaleString('en-US')} steps of ${params.batchSize}, ${params.seeds} seed${params.seeds > 1 ? 's' : ''}. Final test accuracy at inference (eval mode, ${params.testSize.toLocaleString('en-US')} held-out digits):`,
    '',
    `| norm | i.i.d. batches | ${k}-class batches | change |`,
    '|---|---:|---:|---:|',
    `| ${NORM_NAMES.batch} | ${pctWithRange(r.bn.iid)} | ${pctWithRange(r.bn.non)} | ${pp(drop.mean)} |`,
    `| ${BRN} | ${pctWithRange(r.brn.iid)} | ${pctWithRange(r.brn.non)} | ${pp(accuracyChange(r, r.brn.iid, r.brn.non, -1).mean)} |`,
    '',
    `With ${k}-class batches BatchNorm’s accuracy at inference changes by ${describeEffect(drop)}. ` +
      `Batch Renorm on the same batches reaches ${pct(mean(r.brn.non.filter(Number.isFinite)))}: against BatchNorm ${describeEffect(gain)}. ` +
      `With i.i.d. batches Batch Renorm − BatchNorm is ${describeEffect(iidDiff)}.`,
  ];
  if (r.d.non.length && r.d.iid.length) {
    const dMore = pairedEffect(r.d.iid, r.d.non);
    const rMore = pairedEffect(r.r.iid, r.r.non);
    const both = dMore.verdict === 'clear' && rMore.verdict === 'clear';
    const neither = dMore.verdict !== 'clear' && rMore.verdict !== 'clear';
    lines.push(
      '',
      `At the last step, Batch Renorm’s corrections in the first layer were mean |d| = ${mean(r.d.non).toFixed(2)} and mean |r − 1| = ${mean(r.r.non).toFixed(2)} with ${k}-class batches, ` +
        `|d| = ${mean(r.d.iid).toFixed(2)} and |r − 1| = ${mean(r.r.iid).toFixed(2)} with i.i.d. batches (${k}-class − i.i.d.: |d| ${effectNumbers(dMore, (x) => signed(x, 2))}, |r − 1| ${effectNumbers(rMore, (x) => signed(x, 2))}). ` +
        (both
          ? `Both are larger with ${k}-class batches in every seed: their batch statistics are further from the population’s, and r and d correct each batch towards them.`
          : neither
            ? `Neither is clearly larger with ${k}-class batches: here the corrections do not show few-class batch statistics to be further from the population’s.`
            : `${dMore.verdict === 'clear' ? '|d|' : '|r − 1|'} is larger with ${k}-class batches in every seed, ${dMore.verdict === 'clear' ? '|r − 1|' : '|d|'} not clearly: the few-class batches’ ${dMore.verdict === 'clear' ? 'means' : 'spreads'} are the further from the population’s.`),
    );
  }
  if (gain.verdict !== 'clear' || drop.verdict !== 'clear') {
    lines.push('', '**Note:** this run does not clearly show the effect the paper reports (see below); try more steps or seeds before drawing a conclusion.');
  }
  const diverged = runs.flatMap((x) => x.diverged.map((d) => `${x.arm}, ${describe(x.classes)}, ${d}`));
  if (diverged.length) lines.push('', `Diverged: ${diverged.join('; ')}.`);
  lines.push(
    '',
    '**Literature.** Ioffe (2017, §4.3) trains Inception on ImageNet with non-i.i.d. minibatches, in which examples come in small groups of the same class: ' +
      'BatchNorm’s validation accuracy falls well below its i.i.d. result, while Batch Renormalization recovers most of the gap, because it makes the activations computed in training match those computed at inference. ' +
      'Here the batches are far more extreme (a whole batch from only a few classes), the network is a small MLP, and the runs are short.',
    '',
    claimsTable(checkClaims(renormClaims, r)),
  );
  return lines.join('\n');
}
