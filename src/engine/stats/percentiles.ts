// Percentiles with NumPy's default 'linear' method (also torch.quantile's default), in float64.
import { valuesOf, type Values } from './moments';

/** numpy's _lerp: symmetric form so t = 1 returns b exactly. */
function lerp(a: number, b: number, t: number): number {
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

function sortedCopy(values: Values): Float64Array | null {
  const x = valuesOf(values);
  const s = Float64Array.from(x);
  for (let i = 0; i < s.length; i++) if (s[i] !== s[i]) return null; // NaN ⇒ NaN results
  s.sort();
  return s;
}

/** Quantiles for qs in [0, 1]. Empty input or any NaN gives NaN. */
export function quantiles(values: Values, qs: readonly number[]): number[] {
  for (const q of qs) if (!(q >= 0 && q <= 1)) throw new Error('Quantiles must be in the range [0, 1]');
  const s = sortedCopy(values);
  if (!s || s.length === 0) return qs.map(() => NaN);
  const n = s.length;
  return qs.map((q) => {
    // numpy: virtual index = n·q + (α + q(1 − α − β)) − 1 with α = β = 1.
    const virtual = n * q + (1 + q * -1) - 1;
    const prev = Math.floor(virtual);
    const gamma = virtual - prev;
    const i0 = Math.min(Math.max(prev, 0), n - 1);
    const i1 = Math.min(Math.max(prev + 1, 0), n - 1);
    return lerp(s[i0], s[i1], gamma);
  });
}

/** Percentiles for ps in [0, 100] (numpy.percentile). */
export function percentiles(values: Values, ps: readonly number[]): number[] {
  for (const p of ps) if (!(p >= 0 && p <= 100)) throw new Error('Percentiles must be in the range [0, 100]');
  return quantiles(values, ps.map((p) => p / 100));
}
