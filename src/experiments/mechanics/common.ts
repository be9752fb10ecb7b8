/**
 * Helpers shared by the mechanics experiments: seed statistics and honest comparisons, curves with a
 * spread over seeds, a training loop over any batch source (for non-i.i.d. batches), number formatting.
 */
import { F, type Generator, type nn, optim, tensor } from '../../engine';
import type { SweepArm, SweepPlot, TrainingCurvesPlot, Curve, PlotPayload } from '../../shared/payload';
import type { ExperimentContext } from '../experiment';
import { evaluate, runSteps, type LabelledSet } from '../training';
// Shared with every experiment: re-exported so that this group's modules import from one place.
import { accuracyResolution, twoSidedEffect, verdictWords, type Effect } from '../effects';
import { fixed, keepUnits, mean, pct, pp, sampleStd } from '../numbers';
export { fixed, mean, pct, pp, sampleStd };

// The shared specs, re-exported so that this group's modules import from one place.
export { seedParam, seedsParam } from '../common-params';

export function minMax(values: readonly number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

/** "95.1 % (3 seeds: 94.8–95.4 %)" */
export function pctWithRange(values: readonly number[]): string {
  return keepUnits(pctWithRangeWords(values));
}

/** The same words with ordinary spaces; pctWithRange keeps each number with its unit (no-break spaces). */
function pctWithRangeWords(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return 'n/a (every seed diverged)';
  if (finite.length === 1) return pct(finite[0]!);
  const [lo, hi] = minMax(finite);
  return `${pct(mean(finite))} (${finite.length} seeds: ${(100 * lo).toFixed(1)}–${(100 * hi).toFixed(1)} %)`;
}

/**
 * Compares b against a over seeds (paired by index) with no expected direction, by the rule of
 * ../effects.ts; with `testSize`, a difference of accuracies must also beat the test set's sampling error.
 */
export function compare(a: readonly number[], b: readonly number[], testSize?: number): Effect {
  const finite = (v: readonly number[]): number[] => v.filter(Number.isFinite);
  return twoSidedEffect(a, b, testSize === undefined ? 0 : accuracyResolution(mean(finite(a)), mean(finite(b)), testSize));
}

/** Whether a difference stands out from the seed noise, in words (../effects.ts's verdict). */
export function verdict(effect: Effect): string {
  return verdictWords(effect).replace('a clear effect', 'a clear difference').replace('the opposite of the expected direction', 'a clear difference');
}

/** Averages per-seed curves recorded at the same steps (seeds that stopped early are left out where they end). */
export function meanCurve(steps: readonly number[], perSeed: readonly number[][]): { steps: number[]; values: number[] } {
  const outSteps: number[] = [];
  const values: number[] = [];
  steps.forEach((step, i) => {
    const at = perSeed.map((c) => c[i]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (at.length === 0) return;
    outSteps.push(step);
    values.push(mean(at));
  });
  return { steps: outSteps, values };
}

/** A sweep over training steps: each point holds every seed's value, drawn as mean and a band. */
export function stepSweep(input: {
  title: string;
  notes?: string;
  y: SweepPlot['y'];
  spread?: SweepPlot['spread'];
  arms: { arm: string; steps: readonly number[]; perSeed: readonly number[][] }[];
}): PlotPayload {
  const arms: SweepArm[] = input.arms.map(({ arm, steps, perSeed }) => ({
    arm,
    points: steps.map((x, i) => ({ x, values: perSeed.map((c) => c[i]).filter((v): v is number => v !== undefined && Number.isFinite(v)) })),
  }));
  return {
    version: 1,
    plot: { kind: 'sweep', title: input.title, notes: input.notes, x: { label: 'training step' }, y: input.y, spread: input.spread ?? 'min-max', spreadStyle: 'band', arms },
  };
}

export function trainingCurves(input: { title: string; notes?: string; metrics: TrainingCurvesPlot['metrics']; curves: Curve[]; divergences?: TrainingCurvesPlot['divergences'] }): PlotPayload {
  const plot: TrainingCurvesPlot = { kind: 'training-curves', title: input.title, x: { label: 'training step' }, metrics: input.metrics, curves: input.curves };
  if (input.notes) plot.notes = input.notes;
  if (input.divergences && input.divergences.length) plot.divergences = input.divergences;
  return { version: 1, plot };
}

/** Steps at which to record: about `points` evenly spaced, always including the last step. */
export function recordSteps(steps: number, points: number): Set<number> {
  const every = Math.max(1, Math.round(steps / points));
  const out = new Set<number>();
  for (let s = every; s <= steps; s += every) out.add(s);
  out.add(steps);
  return out;
}

export interface LoopOptions {
  model: nn.Module;
  steps: number;
  /** The batch for a step (1-based). */
  nextBatch: (step: number) => LabelledSet;
  lr: number;
  momentum: number;
  context: ExperimentContext;
  label: string;
  /** Steps at which `record` is called (after the step). */
  recordAt: Set<number>;
  record: (step: number, meanLoss: number) => Record<string, number>;
  /** Called before each step (e.g. to relax Batch Renorm's clips). */
  beforeStep?: (step: number) => void;
}

/** SGD with momentum over any batch source, with progress, interrupt and divergence as a result. */
export function trainLoop(options: LoopOptions): { diverged?: { step: number; reason: string } } {
  const { recordAt, lr, momentum, ...rest } = options;
  return runSteps({ ...rest, optimizer: new optim.SGD(options.model.parameters(), { lr, momentum }), recordAt: (step) => recordAt.has(step) });
}

/** Rows `indices` of a labelled set. */
export function rows(set: LabelledSet, indices: ArrayLike<number>): LabelledSet {
  const n = set.x.shape[0]!;
  const features = set.x.data.length / n;
  const b = indices.length;
  const x = new Float32Array(b * features);
  const y = new Float32Array(b);
  for (let i = 0; i < b; i++) {
    const row = indices[i]!;
    x.set(set.x.data.subarray(row * features, (row + 1) * features), i * features);
    y[i] = set.y.data[row]!;
  }
  return { x: tensor(x, [b, ...set.x.shape.slice(1)]), y: tensor(y, [b]) };
}

/** Cross-entropy of a model in eval mode over a set, in chunks. */
export function evalLoss(model: nn.Module, set: LabelledSet, chunk = 1000): number {
  const wasTraining = model.training;
  model.eval();
  const n = set.x.shape[0]!;
  let total = 0;
  for (let start = 0; start < n; start += chunk) {
    const idx = Array.from({ length: Math.min(n, start + chunk) - start }, (_, i) => start + i);
    const part = rows(set, idx);
    total += F.crossEntropy(model.forward(part.x), part.y).data[0]! * idx.length;
  }
  if (wasTraining) model.train();
  return total / n;
}

export { evaluate };

/** Shuffled per-class pools, for batches that hold only a few classes. */
export class ClassBatchSampler {
  private readonly pools: Int32Array[];
  private readonly positions: number[];

  constructor(
    private readonly set: LabelledSet,
    private readonly batchSize: number,
    private readonly classesPerBatch: number,
    private readonly generator: Generator,
    classes = 10,
  ) {
    const byClass: number[][] = Array.from({ length: classes }, () => []);
    for (let i = 0; i < set.y.data.length; i++) byClass[set.y.data[i]!]!.push(i);
    this.pools = byClass.map((list) => Int32Array.from(list));
    this.pools.forEach((pool) => this.shuffle(pool));
    this.positions = this.pools.map(() => 0);
  }

  private shuffle(pool: Int32Array): void {
    const perm = this.generator.randperm(pool.length);
    const copy = Int32Array.from(pool);
    for (let i = 0; i < pool.length; i++) pool[i] = copy[perm[i]!]!;
  }

  private take(c: number): number {
    const pool = this.pools[c]!;
    if (this.positions[c]! >= pool.length) {
      this.shuffle(pool);
      this.positions[c] = 0;
    }
    return pool[this.positions[c]!++]!;
  }

  /** A batch of `batchSize` examples from `classesPerBatch` distinct random classes, in equal shares. */
  next(): LabelledSet {
    const perm = this.generator.randperm(this.pools.length);
    const chosen = Array.from(perm.subarray(0, this.classesPerBatch));
    const idx: number[] = [];
    for (let i = 0; i < this.batchSize; i++) idx.push(this.take(chosen[i % chosen.length]!));
    return rows(this.set, idx);
  }
}
