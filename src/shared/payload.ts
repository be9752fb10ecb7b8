/**
 * The plot payload: what the kernel asks the renderer to show, independent of any plotting library.
 * Both the kernel (which builds payloads) and the renderer (which draws them) import these types;
 * neither imports the other. The schema is documented in docs/plot-payload.md.
 */

/** MIME type of a plot payload output item. */
export const PLOT_MIME = 'application/vnd.bnlab.plot+json';

/** The only payload version this build writes and reads. */
export const PLOT_PAYLOAD_VERSION = 1;

export interface PlotPayload {
  version: typeof PLOT_PAYLOAD_VERSION;
  plot: PlotSpec;
}

export type PlotSpec = DistributionComparisonPlot;

/** Histogram over bins: `counts[i]` values fell in `[edges[i], edges[i + 1])` (the last bin is closed). */
export interface Histogram {
  edges: number[];
  counts: number[];
}

/** Summary statistics of one set of values. `std` is the population (biased) standard deviation. */
export interface Moments {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
}

/** One distribution: a histogram with its moments. */
export interface Distribution {
  histogram: Histogram;
  moments: Moments;
}

/**
 * For each row (a feature, channel or layer), its distribution at each stage (for example
 * "before BatchNorm" and "after BatchNorm"). Drawn as a grid: one row per entry in `rows`,
 * one column per entry in `stages`, with the mean and ±1 std marked.
 */
export interface DistributionComparisonPlot {
  kind: 'distribution-comparison';
  title: string;
  /** Label of the value axis, with units where there are any. */
  valueLabel: string;
  /** Column titles, for example ["before BatchNorm", "after BatchNorm"]. */
  stages: string[];
  rows: DistributionRow[];
}

export interface DistributionRow {
  /** Row title, for example "feature 1 (×1000)". */
  label: string;
  /** One distribution per stage, in the order of `stages`. */
  distributions: Distribution[];
}

/** Message a renderer posts to the extension after it has drawn (or failed to draw) an output item. */
export interface RendererReport {
  type: 'rendered' | 'render-error';
  outputId: string;
  kind?: string;
  /** Number of plotly traces drawn. */
  traces?: number;
  message?: string;
}
