// Histograms with NumPy's bin convention: bin i holds [edges[i], edges[i+1]), the last bin is
// closed. Values outside the edges and NaN are not counted.
import { valuesOf, type Values } from './moments';

/** Bin edges and counts, as numpy.histogram returns them. */
export interface Histogram {
  /** The bin edges, increasing (one more than the counts). */
  edges: number[];
  /** Number of values in each bin. */
  counts: number[];
}

/** Counts of `values` in the bins [edges[i], edges[i+1]) (the last bin closed), like numpy.histogram; values outside the edges and NaN are not counted. */
export function histogram(values: Values, edges: readonly number[]): Histogram {
  const nb = edges.length - 1;
  if (nb < 1) throw new Error('histogram: need at least 2 edges');
  for (let i = 0; i < nb; i++) {
    if (!(edges[i] < edges[i + 1])) throw new Error('histogram: edges must increase monotonically');
  }
  const x = valuesOf(values);
  const counts = new Array<number>(nb).fill(0);
  const lo = edges[0];
  const hi = edges[nb];
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!(v >= lo && v <= hi)) continue; // also drops NaN
    if (v === hi) {
      counts[nb - 1]++;
      continue;
    }
    // Largest k with edges[k] <= v.
    let a = 0;
    let b = nb;
    while (b - a > 1) {
      const m = (a + b) >> 1;
      if (edges[m] <= v) a = m;
      else b = m;
    }
    counts[a]++;
  }
  return { edges: edges.slice(), counts };
}

/** `count + 1` evenly spaced edges from lo to hi, computed like numpy.linspace. */
export function linspaceEdges(lo: number, hi: number, count: number): number[] {
  const step = (hi - lo) / count;
  const edges = new Array<number>(count + 1);
  for (let i = 0; i < count; i++) edges[i] = lo + i * step;
  edges[count] = hi;
  return edges;
}

/** Options of sharedBins(). */
export interface SharedBinsOptions {
  /** Fixed [lo, hi]; by default the finite min and max over all arrays. */
  range?: [number, number];
}

/**
 * Histograms of several arrays over the same `binCount` equal-width bins spanning all of them,
 * so stages can be compared bar by bar. A zero-width range is widened by ±0.5 like NumPy.
 */
export function sharedBins(arrays: readonly Values[], binCount: number, opts: SharedBinsOptions = {}): Histogram[] {
  if (!Number.isInteger(binCount) || binCount < 1) throw new Error(`sharedBins: binCount must be a positive integer, got ${binCount}`);
  let lo: number;
  let hi: number;
  if (opts.range) {
    [lo, hi] = opts.range;
    if (!(lo < hi)) throw new Error(`sharedBins: max must be larger than min in range parameter, got ${lo}, ${hi}`);
  } else {
    lo = Infinity;
    hi = -Infinity;
    for (const a of arrays) {
      const x = valuesOf(a);
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        if (!Number.isFinite(v)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (lo > hi) {
      lo = 0;
      hi = 1;
    } else if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
  }
  const edges = linspaceEdges(lo, hi, binCount);
  return arrays.map((a) => histogram(a, edges));
}
