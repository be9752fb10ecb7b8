/**
 * gamma-beta-placement: Ioffe & Szegedy (2015, §3) put BatchNorm between the linear layer and the
 * nonlinearity and follow the normalization with a learned scale γ and shift β, "to make sure that the
 * transformation inserted in the network can represent the identity". This experiment trains the same
 * MLP with BN before or after the nonlinearity, with or without γ and β, for several seeds, and shows the
 * learned γ and β.
 */
import { Generator, nn } from '../../engine';
import type { Curve, PlotPayload } from '../../shared/payload';
import { checkClaims, claimsTable, type Claim } from '../claims';
import { effectNumbers } from '../effects';
import { batchSizeParam, lrParam, stepsParam, testSizeParam, trainSizeParam } from '../common-params';
import { defineExperiment } from '../experiment';
import { drawable } from '../live';
import { checkMnistSizes, mnistSplit } from '../mnist';
import { seedList } from '../numbers';
import { defineJob, runAll } from '../runs';
import { distributionComparison } from '../summaries';
import { BatchSampler, buildMlp, type Activation } from '../training';
import { compare, evaluate, fixed, mean, meanCurve, pctWithRange, pp, recordSteps, seedParam, seedsParam, stepSweep, trainingCurves, trainLoop, verdict } from './common';

export interface Arm {
  name: string;
  placement: 'before-activation' | 'after-activation';
  affine: boolean;
}

const ARMS: Arm[] = [
  { name: 'BN before activation', placement: 'before-activation', affine: true },
  { name: 'BN after activation', placement: 'after-activation', affine: true },
  { name: 'BN before activation, no γ/β', placement: 'before-activation', affine: false },
  { name: 'BN after activation, no γ/β', placement: 'after-activation', affine: false },
];

export interface Runs {
  arm: Arm;
  steps: number[];
  testAcc: number[][];
  loss: number[][];
  /** Final γ and β per hidden layer, pooled over seeds. */
  gamma: number[][];
  beta: number[][];
  diverged: string[];
}

export const gammaBetaPlacement = defineExperiment({
  id: 'gamma-beta-placement',
  title: 'γ and β matter, and where BatchNorm goes: before or after the nonlinearity',
  description:
    'Trains the same MLP on MNIST with BatchNorm before the nonlinearity (Ioffe & Szegedy’s placement) or after it, each with and ' +
    'without the learned scale γ and shift β, for several seeds. Shows the training curves, the final accuracies with their spread, ' +
    'the distributions of the learned γ and β, and how γ moves away from 1 during training.',
  params: {
    activation: { kind: 'choice', default: 'sigmoid', choices: ['sigmoid', 'tanh', 'relu'], description: 'The nonlinearity (the paper’s argument is about the sigmoid’s linear regime).' },
    trainSize: trainSizeParam(8000, 'Training digits.'),
    testSize: testSizeParam(2000, 'Held-out digits for the test accuracy.', { min: 200, max: 2000 }),
    steps: stepsParam(600, 'SGD steps per run (momentum 0.9).', { min: 20 }),
    batchSize: batchSizeParam(50, 'Minibatch size.', { min: 4 }),
    hidden: { kind: 'integer', default: 100, min: 8, max: 1024, description: 'Units in each of the hidden layers.' },
    layers: { kind: 'integer', default: 2, min: 1, max: 6, description: 'Hidden layers (each Linear, BatchNorm and the nonlinearity, in the order of the arm).' },
    lr: lrParam(0.1, 'SGD learning rate, the same for every arm.'),
    seeds: seedsParam(3),
    seed: seedParam(),
  },
  knobs: ['activation', 'lr', 'layers', 'steps', 'seeds'],
  async run(params, context) {
    checkMnistSizes(params.trainSize, params.testSize);
    const steps = [...recordSteps(params.steps, 10)].sort((a, b) => a - b);
    const inputs: RunInput[] = seedList(params.seed, params.seeds).flatMap((seed, s) =>
      // γ of the first layer over training, for the first seed of the paper's placement (the heatmap).
      ARMS.map((arm, a) => ({ params, arm, seed, recordAt: steps, traceGamma: s === 0 && a === 0 })),
    );
    const gather = (results: readonly (SeedRun | undefined)[]): Runs[] =>
      ARMS.map((arm, a) => {
        const run: Runs = { arm, steps, testAcc: [], loss: [], gamma: Array.from({ length: params.layers }, () => []), beta: Array.from({ length: params.layers }, () => []), diverged: [] };
        for (let i = a; i < inputs.length; i += ARMS.length) {
          const r = results[i];
          if (!r) continue;
          run.testAcc.push(r.testAcc);
          run.loss.push(r.loss);
          if (r.diverged) run.diverged.push(`seed ${inputs[i]!.seed}: ${r.diverged}`);
          r.gamma?.forEach((g, l) => run.gamma[l]!.push(...g));
          r.beta?.forEach((g, l) => run.beta[l]!.push(...g));
        }
        return run;
      });
    const results = await runAll(context, runJob, inputs, { total: () => params.steps, preview: (sofar) => drawable(plots(gather(sofar), sofar[0]?.trace, params)) });
    const runs = gather(results);
    return { plots: plots(runs, results[0]!.trace, params), markdown: summary(runs, params), claims: checkClaims(gammaClaims, runs) };
  },
});

interface PlacementParams {
  activation: string;
  trainSize: number;
  testSize: number;
  steps: number;
  batchSize: number;
  hidden: number;
  layers: number;
  lr: number;
  seeds: number;
  seed: number;
}

interface RunInput {
  params: PlacementParams;
  arm: Arm;
  seed: number;
  /** Steps after which test accuracy is measured. */
  recordAt: number[];
  /** Whether to record γ of the first layer over training. */
  traceGamma: boolean;
}

/** γ of the first BatchNorm layer at some steps. */
interface GammaTrace {
  steps: number[];
  values: Float32Array[];
}

/** One seed of one arm. */
interface SeedRun {
  testAcc: number[];
  loss: number[];
  /** Final γ and β per hidden layer (affine arms that finished). */
  gamma?: number[][];
  beta?: number[][];
  diverged?: string;
  trace?: GammaTrace;
}

/** One arm and seed, on the split of its seed; a job of its own, so that any worker can run it. */
const runJob = defineJob<RunInput, SeedRun>('gamma-beta-placement/run', async ({ params, arm, seed, recordAt, traceGamma }, context) => {
  const { train: trainSet, test: testSet } = await mnistSplit(context, { trainSize: params.trainSize, testSize: params.testSize, seed });
  const generator = new Generator(seed);
  const model = buildMlp({
    inputs: 784,
    hidden: Array.from({ length: params.layers }, () => params.hidden),
    outputs: 10,
    activation: params.activation as Activation,
    norm: 'batch',
    placement: arm.placement,
    affine: arm.affine,
    generator,
  });
  const norms = model.modules().filter((m): m is nn.BatchNorm1d => m instanceof nn.BatchNorm1d);
  const trace: GammaTrace | undefined = traceGamma ? { steps: [], values: [] } : undefined;
  const snapshot = (step: number): void => {
    trace?.steps.push(step);
    trace?.values.push(Float32Array.from(norms[0]!.weight!.data));
  };
  if (trace) snapshot(0);
  const snapshotEvery = Math.max(1, Math.round(params.steps / 40));
  const sampler = new BatchSampler(trainSet, params.batchSize, generator);
  const run: SeedRun = { testAcc: [], loss: [], ...(trace ? { trace } : {}) };
  const result = trainLoop({
    model,
    steps: params.steps,
    nextBatch: (step) => {
      if (trace && step > 1 && (step - 1) % snapshotEvery === 0) snapshot(step - 1);
      return sampler.next();
    },
    lr: params.lr,
    momentum: 0.9,
    context,
    label: `${arm.name}, seed ${seed}`,
    recordAt: new Set(recordAt),
    record: (_step, meanLoss) => {
      run.testAcc.push(evaluate(model, testSet));
      run.loss.push(meanLoss);
      context.partial(run);
      return { loss: meanLoss, 'test accuracy': run.testAcc.at(-1)! };
    },
  });
  if (trace && !result.diverged) snapshot(params.steps);
  if (result.diverged) run.diverged = result.diverged.reason;
  else if (arm.affine) {
    run.gamma = norms.map((norm) => Array.from(norm.weight!.data));
    run.beta = norms.map((norm) => Array.from(norm.bias!.data));
  }
  return run;
});

/** Mean curves, the spread over seeds, the learned γ and β, and γ over training (the heatmap). */
function plots(runs: Runs[], trace: GammaTrace | undefined, params: PlacementParams): PlotPayload[] {
  const curves: Curve[] = runs.flatMap((run) => {
    const acc = meanCurve(run.steps, run.testAcc);
    const loss = meanCurve(run.steps, run.loss);
    return [
      { arm: run.arm.name, metric: 'accuracy', split: 'test' as const, steps: acc.steps, values: acc.values.map((v) => 100 * v) },
      { arm: run.arm.name, metric: 'loss', split: 'train' as const, steps: loss.steps, values: loss.values.map((v) => Math.max(v, 1e-6)) },
    ];
  });
  const plots: PlotPayload[] = [
    trainingCurves({
      title: `Batch-normalized ${params.activation} MLP on MNIST: BN before or after the nonlinearity, with or without γ and β (mean over ${params.seeds} seed${params.seeds > 1 ? 's' : ''})`,
      notes: 'Test accuracy in eval mode; training loss as the mean over the steps since the previous point.',
      metrics: [
        { id: 'accuracy', label: 'test accuracy', unit: '%' },
        { id: 'loss', label: 'training loss', unit: 'nats', scale: 'log' },
      ],
      curves,
      divergences: runs.flatMap((run) => run.diverged.map((d) => ({ arm: run.arm.name, step: Number(/step (\d+)/.exec(d)?.[1] ?? 0), reason: d }))),
    }),
    stepSweep({
      title: 'Test accuracy: mean and range over seeds',
      y: { label: 'test accuracy', unit: '%' },
      arms: runs.map((run) => ({ arm: run.arm.name, steps: run.steps, perSeed: run.testAcc.map((c) => c.map((v) => 100 * v)) })),
    }),
  ];
  const affineRuns = runs.filter((r) => r.arm.affine && r.gamma[0]!.length > 0);
  if (affineRuns.length) {
    plots.push(
      distributionComparison({
        title: `Learned γ and β of every BatchNorm unit after ${params.steps.toLocaleString('en-US')} steps (all seeds pooled; both start at γ = 1, β = 0)`,
        valueLabel: 'learned value',
        stages: ['γ (scale)', 'β (shift)'],
        rows: affineRuns.flatMap((run) => run.gamma.map((g, l) => ({ label: `${run.arm.name}, layer ${l + 1}`, values: [g, run.beta[l]!] }))),
        sharedStages: [0, 1],
      }),
    );
  }
  const gammaSteps = trace?.steps ?? [];
  const gammaTrace = trace?.values ?? [];
  if (gammaTrace.length > 2) {
    const units = Math.min(32, params.hidden);
    // The units whose γ moved most and least, ordered by final γ: the spread of the learned scales.
    const final = gammaTrace.at(-1)!;
    const order = Array.from(final.keys()).sort((a, b) => final[a]! - final[b]!);
    const picked = units >= order.length ? order : Array.from({ length: units }, (_, i) => order[Math.round((i * (order.length - 1)) / (units - 1))]!);
    plots.push({
      version: 1,
      plot: {
        kind: 'heatmap',
        title: `γ of ${picked.length} units of the first BatchNorm layer over training (${runs[0]!.arm.name}, seed ${params.seed})`,
        notes: 'Units picked evenly by their final γ, smallest at the top. Colour: γ, centred on its initial value 1.',
        x: { label: 'training step' },
        y: { label: 'unit' },
        value: { label: 'γ' },
        xValues: gammaSteps,
        yLabels: picked.map((u) => `unit ${u + 1}`),
        z: picked.map((u) => gammaTrace.map((g) => Number(g[u]!.toPrecision(4)))),
        colorScale: 'diverging',
        center: 1,
      },
    });
  }
  return plots;
}

/** Mean |γ − 1| over the units of the first layer (pooled over seeds): how far training moved the scale from its start. */
function gammaMove(run: Runs): number {
  const g = run.gamma[0] ?? [];
  return g.length ? mean(g.map((v) => Math.abs(v - 1))) : NaN;
}

/** Claims over the arms (BN before, BN after, each without γ/β). */
export const gammaClaims: Claim<Runs[]>[] = [
  {
    claim: 'The network uses the learned scale (Ioffe & Szegedy 2015, §3: γ and β can undo the normalization where that helps): with BN before the activation, mean |γ − 1| over layer 1’s units exceeds 0.05 after training',
    check: (runs) => {
      const move = gammaMove(runs[0]!);
      return { measured: `mean |γ − 1| = ${fixed(move, 3)} over ${runs[0]!.gamma[0]?.length ?? 0} units (pooled over seeds)`, holds: Number.isFinite(move) ? move > 0.05 : undefined };
    },
  },
];

export function summary(runs: Runs[], params: { activation: string; seeds: number; steps: number; testSize: number }): string {
  const finals = runs.map((r) => r.testAcc.map((c) => (c.length === r.steps.length ? c.at(-1)! : NaN)));
  const ref = finals[0]!;
  const lines = [
    `**${params.activation} MLP**, ${params.steps.toLocaleString('en-US')} steps, ${params.seeds} seed${params.seeds > 1 ? 's' : ''}. Final test accuracy (eval mode), and the difference to BN before the activation with γ and β (paired by seed):`,
    '',
    '| arm | final test accuracy | vs BN before activation | γ (mean ± std over units, layer 1) | β (mean ± std, layer 1) |',
    '|---|---:|---|---:|---:|',
  ];
  runs.forEach((run, a) => {
    const c = compare(ref, finals[a]!, params.testSize);
    const g = run.gamma[0]!;
    const b = run.beta[0]!;
    const gText = g.length ? `${fixed(mean(g), 2)} ± ${fixed(std(g), 2)}` : 'fixed at 1';
    const bText = b.length ? `${fixed(mean(b), 2)} ± ${fixed(std(b), 2)}` : 'fixed at 0';
    const diverged = run.diverged.length ? ` (${run.diverged.length} diverged)` : '';
    lines.push(`| ${run.arm.name}${diverged} | ${pctWithRange(finals[a]!)} | ${a === 0 ? '—' : `${pp(c.mean)}: ${verdict(c)}`} | ${gText} | ${bText} |`);
  });
  const before = compare(finals[2]!, ref, params.testSize);
  const after = compare(finals[3]!, finals[1]!, params.testSize);
  const placement = compare(ref, finals[1]!, params.testSize);
  lines.push(
    '',
    `Learned γ and β change the final accuracy by ${effectNumbers(before)} with BN before the ${params.activation} (${verdict(before)}) and by ${effectNumbers(after)} with BN after it (${verdict(after)}). ` +
      `Moving BN after the ${params.activation} changes it by ${effectNumbers(placement)} (${verdict(placement)}).`,
    '',
    '**Literature.** Ioffe & Szegedy (2015, §3) add γ and β because “simply normalizing each input of a layer may change what the layer can represent. For instance, normalizing the inputs of a sigmoid would constrain them to the linear regime of the nonlinearity”; ' +
      'with γ = √Var and β = E the normalization can be undone. They normalize x = Wu + b just before the nonlinearity (§3.2), arguing that its distribution is “more likely to have a symmetric, non-sparse distribution, that is more Gaussian”. ' +
      'Later practice also puts BN after the nonlinearity, with mixed reports; on a small MLP the differences are often within a point or two, so read them against the seed ranges above.',
    '',
    claimsTable(checkClaims(gammaClaims, runs)),
  );
  return lines.join('\n');
}

function std(values: number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
}
