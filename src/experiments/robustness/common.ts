/**
 * Helpers shared by the robustness experiments: an MNIST train/test split (optionally downsampled to
 * 14×14 so that sweeps of many runs fit in a laptop minute), seeds, spreads and number formatting.
 */
import { init, nn, tensor } from '../../engine';
import type { ExperimentContext } from '../experiment';
import { initLinearNormal, type LabelledSet, type TrainingRecorder } from '../training';
// Shared with every experiment: re-exported so that this group's modules import from one place.
import { mean, seedList } from '../numbers';
export { mean, seedList };
export { runContext } from '../experiment';

export interface MnistSplit {
  train: LabelledSet;
  test: LabelledSet;
  /** Inputs per example: 784 (28×28) or 196 (14×14). */
  inputs: number;
}

/**
 * A seeded split of the 10,000 MNIST digits: `testSize` for the test set, `trainSize` for training.
 * With `downsample`, each image is averaged over 2×2 blocks (28×28 → 14×14): the digits stay
 * recognisable (a linear model still gets ~90 %) and the first layer costs four times less.
 */
export async function mnistSplit(
  context: ExperimentContext,
  options: { trainSize: number; testSize: number; seed: number; downsample: boolean },
): Promise<MnistSplit> {
  const mnist = await context.datasets.mnist();
  const { train, test } = mnist.split({ trainSize: options.trainSize, testSize: options.testSize, seed: options.seed });
  const convert = (set: typeof train): LabelledSet => {
    const { x, y } = set.tensors();
    if (!options.downsample) return { x, y };
    const n = x.shape[0]!;
    const out = new Float32Array(n * 196);
    for (let i = 0; i < n; i++) {
      const src = i * 784;
      const dst = i * 196;
      for (let r = 0; r < 14; r++) {
        for (let c = 0; c < 14; c++) {
          const a = src + 2 * r * 28 + 2 * c;
          out[dst + r * 14 + c] = (x.data[a]! + x.data[a + 1]! + x.data[a + 28]! + x.data[a + 29]!) / 4;
        }
      }
    }
    return { x: tensor(out, [n, 196]), y };
  };
  return { train: convert(train), test: convert(test), inputs: options.downsample ? 196 : 784 };
}

/** The Linear layers of a Sequential, in order. */
export function linearLayers(model: nn.Sequential): nn.Linear[] {
  return model.children().filter((m): m is nn.Linear => m instanceof nn.Linear);
}

/** Sets every Linear weight but the last (the classifier head) to N(0, std²) and its bias to 0. */
export function initHidden(model: nn.Sequential, std: number, generator: import('../../engine').Generator, includeHead: boolean, recorder?: TrainingRecorder): void {
  const linears = linearLayers(model);
  const targets = includeHead ? linears : linears.slice(0, -1);
  for (const linear of targets) initLinearNormal(linear, std, generator, recorder);
}

/** "95.1 % (3 seeds: 94.8–95.4 %)", or "all 3 seeds diverged". */
export function percentSpread(values: readonly number[], seeds: number): string {
  if (values.length === 0) return `no seed finished (${seeds} diverged)`;
  const pct = (v: number): string => (100 * v).toFixed(1);
  const finished = values.length === seeds ? `${seeds} seed${seeds === 1 ? '' : 's'}` : `${values.length} of ${seeds} seeds finished`;
  if (values.length === 1) return `${pct(values[0]!)} % (${finished})`;
  return `${pct(mean(values))} % (${finished}: ${pct(Math.min(...values))}–${pct(Math.max(...values))} %)`;
}

/** A number for prose: 1e-3, 0.01, 0.1, 1, 10. */
export function formatScale(x: number): string {
  if (x === 0) return '0';
  const magnitude = Math.abs(x);
  if (magnitude >= 1e-2 && magnitude < 1e4) return String(Number(x.toPrecision(3)));
  const [mantissa, exponent] = x.toExponential(1).split('e');
  return `${mantissa!.replace(/\.0$/, '')}e${exponent!.replace('+', '')}`;
}

/** At most `count` evenly spaced indices of an array of length n, always including the last one. */
export function downsampleIndices(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  const out = new Set<number>();
  for (let k = 0; k < count; k++) out.add(Math.round(((n - 1) * k) / (count - 1)));
  return [...out];
}

/** Rounds to `digits` significant digits, to keep payloads small (plots do not need float64 precision). */
export function round(x: number, digits = 4): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(digits)) : x;
}

/** He (Kaiming) normal init of every hidden Linear weight for the given activation, biases 0; the head keeps PyTorch's default. */
export function kaimingHidden(model: nn.Sequential, generator: import('../../engine').Generator, activation: 'relu' | 'sigmoid' | 'tanh', recorder?: TrainingRecorder): void {
  for (const linear of linearLayers(model).slice(0, -1)) {
    init.kaimingNormal_(linear.weight, { nonlinearity: activation, generator });
    if (linear.bias) init.zeros_(linear.bias);
    // Kaiming normal (fan in) is N(0, (gain / √fan_in)²).
    recorder?.linearInit(linear, { kind: 'normal', std: init.calculateGain(activation) / Math.sqrt(linear.inFeatures) });
  }
}
