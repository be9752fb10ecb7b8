/**
 * Helpers shared by the robustness experiments: inits, seeds, spreads and number formatting (the MNIST
 * split, optionally downsampled to 14×14 so that sweeps of many runs fit in a laptop minute, is ../mnist.ts).
 */
import { init, nn } from '../../engine';
import { initLinearNormal, type TrainingRecorder } from '../training';
// Shared with every experiment: re-exported so that this group's modules import from one place.
import { keepUnits, mean, seedList } from '../numbers';
export { mean, seedList };


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
  return keepUnits(percentSpreadWords(values, seeds));
}

/** The same words with ordinary spaces; percentSpread keeps each number with its unit (no-break spaces). */
function percentSpreadWords(values: readonly number[], seeds: number): string {
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
