/**
 * Turns raw values into the small summaries that plots carry (histograms over chosen bins, moments),
 * so that outputs stay small whatever the batch size.
 */
import { stats } from '../engine';
import type { Distribution, DistributionComparisonPlot, PlotPayload } from '../shared/payload';

export const DEFAULT_BINS = 30;

type Values = Float32Array | number[];

/** A histogram over `binEdges` with the values' moments. */
export function distribution(values: Values, binEdges: number[]): Distribution {
  const { edges, counts } = stats.histogram(values, binEdges);
  return { histogram: { edges: [...edges], counts: [...counts] }, moments: stats.moments(values) };
}

/** `count` equal bins over [low, high], widened a little when all values are equal. */
export function binEdges(low: number, high: number, count = DEFAULT_BINS): number[] {
  if (!(high > low)) {
    const pad = Math.abs(low) * 1e-3 || 1e-3;
    low -= pad;
    high += pad;
  }
  const exact = Array.from({ length: count + 1 }, (_, i) => (i === count ? high : low + ((high - low) * i) / count));
  // Seven significant digits are as precise as the float32 values binned, and make a smaller payload,
  // unless the bins are so narrow that rounding would merge edges. The outer edges stay exact so that
  // the smallest and largest values stay inside.
  const rounded = exact.map((edge, i) => (i === 0 || i === count ? edge : Number(edge.toPrecision(7))));
  return rounded.every((edge, i) => i === 0 || edge > rounded[i - 1]!) ? rounded : exact;
}

export function extent(values: Values): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const v of values) {
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return [low, high];
}

export interface DistributionRowInput {
  label: string;
  /** One set of values per stage. */
  values: Values[];
}

export interface DistributionComparisonInput {
  title: string;
  stages: string[];
  rows: DistributionRowInput[];
  valueLabel?: string;
  bins?: number;
  /** Stages whose values share one set of bins across rows (for example a normalized stage). */
  sharedStages?: number[];
}

/** A distribution-comparison plot from raw values: each cell binned on its own range, or shared per stage. */
export function distributionComparison(input: DistributionComparisonInput): PlotPayload & { plot: DistributionComparisonPlot } {
  const bins = input.bins ?? DEFAULT_BINS;
  const shared = new Map<number, number[]>();
  for (const stage of input.sharedStages ?? []) {
    const ranges = input.rows.map((row) => extent(row.values[stage]!));
    shared.set(stage, binEdges(Math.min(...ranges.map((r) => r[0])), Math.max(...ranges.map((r) => r[1])), bins));
  }
  const plot: DistributionComparisonPlot = {
    kind: 'distribution-comparison',
    title: input.title,
    valueLabel: input.valueLabel ?? 'value',
    stages: input.stages,
    rows: input.rows.map((row) => ({
      label: row.label,
      distributions: row.values.map((values, stage) => distribution(values, shared.get(stage) ?? binEdges(...extent(values), bins))),
    })),
  };
  return { version: 1, plot };
}

/** The columns of a row-major (rows × cols) matrix. */
export function columns(data: Float32Array, rows: number, cols: number): Float32Array[] {
  return Array.from({ length: cols }, (_, j) => {
    const column = new Float32Array(rows);
    for (let i = 0; i < rows; i++) column[i] = data[i * cols + j]!;
    return column;
  });
}
