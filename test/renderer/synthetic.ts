/** Seeded synthetic payloads for the renderer tests: no browser, server or file code, so that the
 * integration tests inside VS Code can use them too. */
import type { DistributionComparisonPlot, Distribution, PlotPayload } from '../../src/shared/payload';


/** Numerical Recipes LCG: deterministic uniforms in [0, 1). */
export function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export function distribution(values: number[], bins: number): Distribution {
  const count = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / count;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / count;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const width = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - min) / width))]! += 1;
  return { histogram: { edges, counts }, moments: { count, mean, std: Math.sqrt(variance), min, max } };
}

export const FEATURES = [
  { label: 'feature 1 (±1000)', lo: -1000, hi: 1000 },
  { label: 'feature 2 (±1)', lo: -1, hi: 1 },
  { label: 'feature 3 (±0.001)', lo: -0.001, hi: 0.001 },
  { label: 'feature 4 (1e4 ± 10)', lo: 9990, hi: 10010 },
];

/**
 * The distribution-comparison payload the BatchNorm experiment produces: 4 features on wildly different
 * scales, a batch of 256, 30 bins, before and after normalization (standardized with the batch moments).
 */
/** A payload whose plot is a distribution comparison. */
export type DistributionPayload = PlotPayload & { plot: DistributionComparisonPlot };

export function distributionPayload(options: { seed?: number; features?: typeof FEATURES; batch?: number; bins?: number } = {}): DistributionPayload {
  const random = lcg(options.seed ?? 42);
  const batch = options.batch ?? 256;
  const bins = options.bins ?? 30;
  const features = options.features ?? FEATURES;
  return {
    version: 1,
    plot: {
      kind: 'distribution-comparison',
      title: 'BatchNorm1d: per-feature distributions before and after normalization (batch 256)',
      valueLabel: 'activation value',
      stages: ['before BatchNorm', 'after BatchNorm'],
      rows: features.map((f) => {
        // A hump of two uniforms: roughly bell-shaped, spanning [lo, hi].
        const before = Array.from({ length: batch }, () => f.lo + ((random() + random()) / 2) * (f.hi - f.lo));
        const b = distribution(before, bins);
        const after = before.map((v) => (v - b.moments.mean) / b.moments.std);
        return { label: f.label, distributions: [b, distribution(after, bins)] };
      }),
    },
  };
}
