/** Helpers shared by the optimization experiments: seeds, inits, probes, downsampling, and words for numbers. */
import { init, nn, noGrad, type Generator, type Tensor } from '../../engine';
// Shared with every experiment: re-exported so that this group's modules import from one place.
import { keepUnits, mean, pct, seedList } from '../numbers';
export { mean, pct, seedList };

/** He et al. (2015) initialization for every Linear of a ReLU network: N(0, 2 / fan_in), biases zero. */
export function heInit(model: nn.Module, generator: Generator): void {
  for (const layer of model.modules()) {
    if (!(layer instanceof nn.Linear)) continue;
    init.kaimingNormal_(layer.weight, { nonlinearity: 'relu', generator });
    if (layer.bias) init.zeros_(layer.bias);
  }
}

/**
 * Runs a Sequential on `x` and returns the input of its `index`-th layer (0-based in the Sequential)
 * together with the model's output, in one pass, without gradients. `mode: 'eval'` (default) is inference
 * mode; `mode: 'train'` normalizes with the statistics of `x` itself, as in training, and leaves the
 * running statistics as they were. `probeOnly` stops at the probed layer (the output is then its input).
 */
export function forwardWithProbe(model: nn.Sequential, x: Tensor, index: number, mode: 'train' | 'eval' = 'eval', options: { probeOnly?: boolean } = {}): { probe: Float32Array; output: Tensor } {
  const wasTraining = model.training;
  const norms = model.modules().filter((m): m is nn.BatchNorm1d => m instanceof nn.BatchNorm1d);
  const saved = norms.map((m) => ({ mean: m.runningMean?.data.slice(), variance: m.runningVar?.data.slice(), tracked: m.numBatchesTracked }));
  if (mode === 'train') model.train();
  else model.eval();
  let probe = new Float32Array(0);
  let output = x;
  noGrad(() => {
    let i = 0;
    for (const [, layer] of model.namedChildren()) {
      if (i === index) {
        probe = output.data.slice();
        if (options.probeOnly) break;
      }
      output = layer.forward(output);
      i++;
    }
  });
  norms.forEach((m, i) => {
    const { mean, variance, tracked } = saved[i]!;
    if (mean) m.runningMean!.data.set(mean);
    if (variance) m.runningVar!.data.set(variance);
    m.numBatchesTracked = tracked;
  });
  if (wasTraining) model.train();
  else model.eval();
  return { probe, output };
}

/** Fraction of rows of `logits` (N × classes) whose largest entry is at the label. */
export function accuracyOf(logits: Tensor, labels: Tensor): number {
  const n = logits.shape[0]!;
  const classes = logits.shape[1]!;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits.data[i * classes + c]! > logits.data[i * classes + best]!) best = c;
    if (best === labels.data[i]) correct++;
  }
  return correct / n;
}

/** Column `unit` of a row-major N × width matrix. */
export function column(values: Float32Array, width: number, unit: number): Float32Array {
  const n = values.length / width;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = values[i * width + unit]!;
  return out;
}

/** Evenly spaced checkpoints 1 … steps: about `count` of them, always including the last step. */
export function checkpointEvery(steps: number, count: number): number {
  return Math.max(1, Math.floor(steps / count));
}

/** "95.1 % (3 seeds: 94.8–95.4 %)" or "95.1 %" for one seed. */
export function pctSpread(values: readonly number[]): string {
  return keepUnits(pctSpreadWords(values));
}

/** The same words with ordinary spaces; pctSpread keeps each number with its unit (no-break spaces). */
function pctSpreadWords(values: readonly number[]): string {
  if (values.length === 0) return 'no finished run';
  if (values.length === 1) return pct(values[0]!);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return `${pct(mean(values))} (${values.length} seeds: ${(lo * 100).toFixed(1)}–${(hi * 100).toFixed(1)} %)`;
}

/** 1234 → "1,234". */
export function int(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** A number for prose, with `digits` significant digits, no exponent for ordinary magnitudes. */
export function num(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const m = Math.abs(x);
  if (m >= 1e5 || m < 1e-3) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

/** A parameter value as written: 10000, -1, 0.5, 1e-3. */
export function exact(x: number): string {
  return Number.isInteger(x) || Math.abs(x) >= 0.01 ? String(x) : x.toExponential();
}

/** Learning rates from `low` to `high`, `perDecade` per decade on a log scale (rounded to 3 significant digits). */
export function logGrid(low: number, high: number, perDecade: number): number[] {
  const decades = Math.log10(high / low);
  const count = Math.max(1, Math.round(decades * perDecade));
  const values = Array.from({ length: count + 1 }, (_, i) => Number((low * 10 ** ((decades * i) / count)).toPrecision(3)));
  return [...new Set(values)];
}
