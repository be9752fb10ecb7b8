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
  /** Present on a plot drawn while its experiment still runs (or was interrupted): the data so far. */
  live?: LiveState;
  /**
   * The cell's previous result, drawn faintly under `plot` (no legend, no hover) while a re-run started by
   * a knob has not landed yet, so that a person sees what changed.
   */
  previous?: PlotSpec;
  /** Controls for the experiment's main parameters; the first plot of an experiment cell carries them. */
  knobs?: Knob[];
}

/** A partial plot: `running` while it grows, `interrupted` when the user stopped the run (the data kept). */
export interface LiveState {
  state: 'running' | 'interrupted';
  /** What is running, e.g. "BatchNorm, seed 2", or a short note such as "step 400 of 1500". */
  label?: string;
}

/**
 * A control for one parameter of an experiment cell, with the catalog's allowed values. Changing it edits
 * the cell's YAML (`key: value`) and re-runs the cell.
 */
export type Knob = NumberKnob | ChoiceKnob | BooleanKnob | RangesKnob;

interface KnobBase {
  /** The parameter's key in the cell's YAML, e.g. "eps". */
  key: string;
  /** The parameter's one-line description (a tooltip). */
  description: string;
}

/** A slider: `log` when the allowed values span decades and are > 0 (eps, learning rate, steps). */
export interface NumberKnob extends KnobBase {
  kind: 'integer' | 'number';
  min: number;
  max: number;
  /** Strictly greater than `min` (the slider then starts just above it). */
  exclusiveMin?: boolean;
  scale: 'linear' | 'log';
  value: number;
}

export interface ChoiceKnob extends KnobBase {
  kind: 'choice';
  choices: string[];
  value: string;
}

export interface BooleanKnob extends KnobBase {
  kind: 'boolean';
  value: boolean;
}

/** A list of [low, high] ranges (e.g. feature value ranges): one pair of inputs per range. */
export interface RangesKnob extends KnobBase {
  kind: 'ranges';
  value: [number, number][];
}

export type KnobValue = number | string | boolean | [number, number][];

/**
 * The renderer's request when a person releases a knob: set `key` to `value` in the cell whose output
 * `outputId` is (the extension finds the cell, edits its YAML and re-runs it).
 */
export interface KnobChange {
  type: 'knob';
  outputId: string;
  key: string;
  value: KnobValue;
}

/**
 * The extension's request to a renderer to operate a knob as a person would (set the control, fire its
 * input and change events): how the tests inside a real VS Code move a knob in the webview.
 */
export interface DriveKnob {
  type: 'drive-knob';
  /** The output whose knob to move; every drawn output with that knob when absent. */
  outputId?: string;
  key: string;
  value: KnobValue;
}

/** Every plot kind of schema version 1. `plot.kind` picks one. */
export type PlotSpec =
  | DistributionComparisonPlot
  | PercentileBandsPlot
  | TrainingCurvesPlot
  | SweepPlot
  | HeatmapPlot
  | SmallMultiplesPlot;

export type PlotKind = PlotSpec['kind'];

/** What a panel of a small-multiples grid can be: any kind but small-multiples itself. */
export type PanelSpec = Exclude<PlotSpec, SmallMultiplesPlot>;

/** Fields every plot kind has. */
export interface PlotBase {
  /** Plot title. A blank title is replaced by a generic one for the kind. */
  title: string;
  /** Optional short caption shown under the plot (plain text, one or two sentences). */
  notes?: string;
}

/** A numeric axis: its label, its unit (shown as "label (unit)") and its scale. */
export interface AxisSpec {
  /** For example "training step", "learning rate", "sigmoid input". */
  label: string;
  /** For example "s", "%", "nats". Omit for unitless quantities. */
  unit?: string;
  /** `log` for quantities spanning decades (all values must then be > 0). Default `linear`. */
  scale?: 'linear' | 'log';
}

/** Where and why a run diverged, e.g. `{ step: 812, reason: "loss became NaN at step 812" }`. */
export interface Divergence {
  step: number;
  reason: string;
}

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
export interface DistributionComparisonPlot extends PlotBase {
  kind: 'distribution-comparison';
  /** Label of the value axis, with units where there are any. */
  valueLabel: string;
  /** Unit of the value axis, shown as "valueLabel (unit)". Optional. */
  valueUnit?: string;
  /** Column titles, for example ["before BatchNorm", "after BatchNorm"]. */
  stages: string[];
  rows: DistributionRow[];
  /**
   * `histogram` (default): a grid of histograms, rows × stages. `violin`: one panel per stage with one
   * violin per row, drawn from the histogram (mirrored bin counts), mean ± std marked.
   */
  presentation?: 'histogram' | 'violin';
  /**
   * One flag per stage: `true` makes all rows of that stage share one value axis, `false` gives each
   * cell its own range. Without it, the renderer shares a stage's axis when its rows are on comparable
   * scales (histogram presentation only; violin panels always hold their rows on one axis).
   */
  shareAxis?: boolean[];
}

export interface DistributionRow {
  /** Row title, for example "feature 1 (×1000)". */
  label: string;
  /** One distribution per stage, in the order of `stages`. */
  distributions: Distribution[];
}

/**
 * Percentiles of a quantity over training steps, one subplot per arm side by side, sharing the y axis
 * (e.g. the 15th, 50th and 85th percentiles of a sigmoid input, Ioffe & Szegedy 2015, Fig. 1 b–c).
 * Symmetric pairs of percentiles are shaded as bands; the middle one (if the count is odd) is a line.
 */
export interface PercentileBandsPlot extends PlotBase {
  kind: 'percentile-bands';
  /** Usually `{ label: "training step" }`. */
  x: AxisSpec;
  /** The quantity, e.g. `{ label: "input to the sigmoid" }`. */
  y: AxisSpec;
  /** Ascending, each in [0, 100], e.g. [15, 50, 85]. */
  percentiles: number[];
  arms: PercentileArm[];
}

export interface PercentileArm {
  /** Arm name, e.g. "no norm", "BatchNorm": it picks the arm's colour in every plot. */
  arm: string;
  /** Increasing steps (binned or downsampled). */
  steps: number[];
  /** One array per percentile (in the order of `percentiles`), each as long as `steps`. */
  values: number[][];
  /** The run diverged: marked at that step. Steps after it are simply absent. */
  diverged?: Divergence;
}

/**
 * Training curves: any named metrics (loss, accuracy, …) against steps, one subplot per metric,
 * one colour per arm, one line style per split (train solid, test dashed, validation dotted).
 */
export interface TrainingCurvesPlot extends PlotBase {
  kind: 'training-curves';
  x: AxisSpec;
  /** One subplot per metric, in this order. */
  metrics: MetricSpec[];
  curves: Curve[];
  /** Runs that diverged: a marker in every subplot at that step, the reason on hover. */
  divergences?: ArmDivergence[];
}

export interface MetricSpec extends AxisSpec {
  /** Identifier curves refer to, e.g. "loss". */
  id: string;
}

export interface Curve {
  arm: string;
  /** A `metrics[].id`. */
  metric: string;
  /** `train` (default), `test` or `validation`. */
  split?: 'train' | 'test' | 'validation';
  /** Increasing steps. */
  steps: number[];
  /** As long as `steps`. */
  values: number[];
}

export interface ArmDivergence extends Divergence {
  arm: string;
}

/**
 * A metric against a swept parameter (learning rate, batch size, …): one line per arm through the mean
 * over seeds, the spread over seeds as error bars or a band, and diverged runs marked distinctly.
 */
export interface SweepPlot extends PlotBase {
  kind: 'sweep';
  /** The parameter; `scale: "log"` when it spans decades (e.g. learning rates 1e-3 … 10). */
  x: AxisSpec;
  /** The metric. */
  y: AxisSpec;
  /** `std` (default): mean ± sample std over seeds. `min-max`: the range over seeds. `none`. */
  spread?: 'std' | 'min-max' | 'none';
  /** `error-bars` (default) or `band`. */
  spreadStyle?: 'error-bars' | 'band';
  arms: SweepArm[];
}

export interface SweepArm {
  arm: string;
  /** Increasing parameter values. */
  points: SweepPoint[];
}

export interface SweepPoint {
  /** The parameter value. */
  x: number;
  /** The metric of every seed that finished (may be empty when all diverged). */
  values: number[];
  /** How many seeds diverged at this parameter value (default 0). */
  diverged?: number;
  /** Why, e.g. "loss became NaN". */
  reason?: string;
}

/**
 * Per-channel or per-layer statistics over time: x steps, y labelled rows (channels, layers), a colour
 * per cell. Signed values get a diverging colour scale centred on `center` (default 0).
 */
export interface HeatmapPlot extends PlotBase {
  kind: 'heatmap';
  x: AxisSpec;
  /** Label of the rows, e.g. `{ label: "channel" }`. */
  y: AxisSpec;
  /** The statistic coloured, e.g. `{ label: "running mean" }`: the colour bar's title. */
  value: AxisSpec;
  /** Increasing x positions (steps), one per column of `z`. */
  xValues: number[];
  /** Row labels, top to bottom. */
  yLabels: string[];
  /** `z[row][column]`: one row per label, one column per x value. */
  z: number[][];
  /** Default: `diverging` when `z` has values on both sides of `center`, else `sequential`. */
  colorScale?: 'sequential' | 'diverging';
  /** Midpoint of a diverging scale (default 0). */
  center?: number;
}

/** A grid of panels, each any other kind, with a title per panel (e.g. layers × checkpoints). */
export interface SmallMultiplesPlot extends PlotBase {
  kind: 'small-multiples';
  /** Panels per grid row (default: up to 3, fewer on narrow outputs). */
  columns?: number;
  /** Left to right, top to bottom. Each panel's `title` is shown above it; its `notes` are ignored. */
  panels: PanelSpec[];
  /** Link the value (y) axes of all panels, so zooming one zooms all. Default false. */
  shareY?: boolean;
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
