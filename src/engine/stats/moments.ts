// Summary statistics for plots. Two-pass in float64: the mean first, then squared deviations, so
// values like 1e4 + small noise give the right spread.
import type { Tensor } from '../tensor';

/** Summary statistics of a set of values (all NaN when it is empty or holds a NaN). */
export interface Moments {
  /** Number of values. */
  count: number;
  /** Their mean. */
  mean: number;
  /** Population (biased) standard deviation. */
  std: number;
  /** The smallest value. */
  min: number;
  /** The largest value. */
  max: number;
}

/** Values to summarize: a tensor (all of its elements) or any array of numbers. */
export type Values = ArrayLike<number> | Tensor;

export function valuesOf(v: Values): ArrayLike<number> {
  return 'data' in v && v.data instanceof Float32Array ? v.data : (v as ArrayLike<number>);
}

/** count/mean/std/min/max of a strided subset: start + k·stride within runs (see channelMoments). */
function momentsOfRuns(x: ArrayLike<number>, runStarts: ArrayLike<number>, runLength: number): Moments {
  const count = runStarts.length * runLength;
  if (count === 0) return { count: 0, mean: NaN, std: NaN, min: NaN, max: NaN };
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < runStarts.length; r++) {
    const b = runStarts[r];
    for (let j = 0; j < runLength; j++) {
      const v = x[b + j];
      s += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const mean = s / count;
  let ss = 0;
  for (let r = 0; r < runStarts.length; r++) {
    const b = runStarts[r];
    for (let j = 0; j < runLength; j++) {
      const d = x[b + j] - mean;
      ss += d * d;
    }
  }
  if (mean !== mean) return { count, mean: NaN, std: NaN, min: NaN, max: NaN };
  return { count, mean, std: Math.sqrt(ss / count), min, max };
}

/** Moments of all values (NaN anywhere makes every statistic NaN). */
export function moments(values: Values): Moments {
  const x = valuesOf(values);
  return momentsOfRuns(x, [0], x.length);
}

function channelRuns(t: Tensor, what: string, minRank: number, maxRank: number): { N: number; C: number; S: number } {
  const r = t.shape.length;
  if (r < minRank || r > maxRank) throw new Error(`${what}: expected a ${minRank === maxRank ? `${minRank}D` : `${minRank}D to ${maxRank}D`} tensor, got shape [${t.shape.join(', ')}]`);
  const N = t.shape[0];
  const C = t.shape[1];
  const S = t.data.length / Math.max(1, N * C);
  return { N, C, S };
}

function perChannel(t: Tensor, N: number, C: number, S: number): Moments[] {
  const out: Moments[] = [];
  const starts = new Int32Array(N);
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < N; n++) starts[n] = (n * C + c) * S;
    out.push(momentsOfRuns(t.data, starts, S));
  }
  return out;
}

/** Moments of each feature (column) of an (N, C) tensor. */
export function featureMoments(t: Tensor): Moments[] {
  const { N, C } = channelRuns(t, 'featureMoments', 2, 2);
  return perChannel(t, N, C, 1);
}

/** Moments of each channel of an (N, C, H, W) tensor (any (N, C, ...) works), over (N, H, W). */
export function channelMoments(t: Tensor): Moments[] {
  const { N, C, S } = channelRuns(t, 'channelMoments', 2, 8);
  return perChannel(t, N, C, S);
}

/** The values of channel `c` of an (N, C, ...) tensor, as a new Float32Array. */
export function channelValues(t: Tensor, c: number): Float32Array {
  const { N, C, S } = channelRuns(t, 'channelValues', 2, 8);
  if (!(c >= 0 && c < C)) throw new Error(`channel ${c} out of range for ${C} channels`);
  const out = new Float32Array(N * S);
  for (let n = 0; n < N; n++) out.set(t.data.subarray((n * C + c) * S, (n * C + c + 1) * S), n * S);
  return out;
}

/** The values of feature `c` of an (N, C) tensor. */
export const featureValues = channelValues;
