/**
 * Validation of plot payloads (schema v1, docs/plot-payload.md). Pure: no DOM, no plotly.
 *
 * The kernel writes payloads with the same types, so a problem here means a version skew or a bug;
 * the renderer shows the first problem with its exact path (for example
 * `plot.rows[2].distributions[0].histogram.counts: expected an array of numbers`) instead of a blank box.
 */
import { PLOT_PAYLOAD_VERSION, type PlotPayload } from '../src/shared/payload';

export type ValidationResult = { ok: true; payload: PlotPayload } | { ok: false; path: string; message: string };

/** Plot kinds this renderer can draw. */
export const KNOWN_KINDS = ['distribution-comparison', 'percentile-bands', 'training-curves', 'sweep', 'heatmap', 'small-multiples'] as const;

class Invalid extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

type Obj = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isFinite(value) ? `the number ${value}` : `${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return typeof value === 'object' ? 'an object' : String(typeof value);
}

function object(value: unknown, path: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Invalid(path, `expected an object, got ${describe(value)}`);
  }
  return value as Obj;
}

function field(obj: Obj, key: string, path: string): unknown {
  const at = join(path, key);
  if (!(key in obj) || obj[key] === undefined) throw new Invalid(at, 'missing required field');
  return obj[key];
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new Invalid(path, `expected a string, got ${describe(value)}`);
  return value;
}

function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Invalid(path, `expected a finite number, got ${describe(value)}`);
  }
  return value;
}

function array(value: unknown, path: string, of: string): unknown[] {
  if (!Array.isArray(value)) throw new Invalid(path, `expected an array of ${of}, got ${describe(value)}`);
  return value;
}

function numbers(value: unknown, path: string): number[] {
  const items = array(value, path, 'numbers');
  items.forEach((item, i) => {
    if (typeof item !== 'number' || !Number.isFinite(item)) {
      throw new Invalid(path, `expected an array of numbers, but [${i}] is ${describe(item)}`);
    }
  });
  return items as number[];
}

function strings(value: unknown, path: string): string[] {
  const items = array(value, path, 'strings');
  items.forEach((item, i) => string(item, `${path}[${i}]`));
  return items as string[];
}

function histogram(value: unknown, path: string): void {
  const h = object(value, path);
  const edgesPath = join(path, 'edges');
  const countsPath = join(path, 'counts');
  const edges = numbers(field(h, 'edges', path), edgesPath);
  const counts = numbers(field(h, 'counts', path), countsPath);
  if (edges.length < 2) throw new Invalid(edgesPath, `expected at least 2 bin edges, got ${edges.length}`);
  for (let i = 1; i < edges.length; i++) {
    if (edges[i]! < edges[i - 1]!) {
      throw new Invalid(edgesPath, `bin edges must not decrease, but [${i}] = ${edges[i]} < [${i - 1}] = ${edges[i - 1]}`);
    }
  }
  if (counts.length !== edges.length - 1) {
    throw new Invalid(countsPath, `expected ${edges.length - 1} counts (one per bin between ${edges.length} edges), got ${counts.length}`);
  }
  counts.forEach((c, i) => {
    if (c < 0) throw new Invalid(`${countsPath}[${i}]`, `expected a count ≥ 0, got ${c}`);
  });
}

function moments(value: unknown, path: string): void {
  const m = object(value, path);
  for (const key of ['count', 'mean', 'std', 'min', 'max']) finite(field(m, key, path), join(path, key));
  if ((m.std as number) < 0) throw new Invalid(join(path, 'std'), `expected a standard deviation ≥ 0, got ${m.std}`);
  if ((m.count as number) < 0) throw new Invalid(join(path, 'count'), `expected a count ≥ 0, got ${m.count}`);
}

/** An optional field: undefined when absent, else the value (null is not absent: it is reported). */
function optional(obj: Obj, key: string): unknown {
  return key in obj ? obj[key] : undefined;
}

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new Invalid(path, `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

/** Title (required string) and notes (optional string) of every kind. */
function base(plot: Obj, path: string): void {
  string(field(plot, 'title', path), join(path, 'title'));
  const notes = optional(plot, 'notes');
  if (notes !== undefined) string(notes, join(path, 'notes'));
}

interface Axis {
  log: boolean;
}

function axisSpec(value: unknown, path: string): Axis {
  const a = object(value, path);
  const label = string(field(a, 'label', path), join(path, 'label'));
  if (!label.trim()) throw new Invalid(join(path, 'label'), 'expected a non-empty axis label');
  const unit = optional(a, 'unit');
  if (unit !== undefined) string(unit, join(path, 'unit'));
  const scale = optional(a, 'scale');
  return { log: scale !== undefined && oneOf(scale, join(path, 'scale'), ['linear', 'log'] as const) === 'log' };
}

function increasing(values: number[], path: string, what = 'values'): void {
  for (let i = 1; i < values.length; i++) {
    if (!(values[i]! > values[i - 1]!)) {
      throw new Invalid(path, `${what} must increase, but [${i}] = ${values[i]} ≤ [${i - 1}] = ${values[i - 1]}`);
    }
  }
}

/** On a log axis every value must be > 0. */
function positiveOnLog(values: number[], path: string, axis: Axis, axisPath: string): void {
  if (!axis.log) return;
  values.forEach((v, i) => {
    if (!(v > 0)) throw new Invalid(`${path}[${i}]`, `expected a value > 0 on a log axis (${axisPath}.scale is "log"), got ${v}`);
  });
}

function nonEmpty<T>(items: T[], path: string, what: string): T[] {
  if (items.length === 0) throw new Invalid(path, `expected at least one ${what}`);
  return items;
}

function divergence(value: unknown, path: string): void {
  const d = object(value, path);
  finite(field(d, 'step', path), join(path, 'step'));
  string(field(d, 'reason', path), join(path, 'reason'));
}

function percentileBands(plot: Obj, path: string): void {
  base(plot, path);
  axisSpec(field(plot, 'x', path), join(path, 'x'));
  const y = axisSpec(field(plot, 'y', path), join(path, 'y'));
  const pPath = join(path, 'percentiles');
  const percentiles = nonEmpty(numbers(field(plot, 'percentiles', path), pPath), pPath, 'percentile');
  percentiles.forEach((p, i) => {
    if (p < 0 || p > 100) throw new Invalid(`${pPath}[${i}]`, `expected a percentile in [0, 100], got ${p}`);
  });
  increasing(percentiles, pPath, 'percentiles');
  const armsPath = join(path, 'arms');
  const arms = nonEmpty(array(field(plot, 'arms', path), armsPath, 'arms'), armsPath, 'arm');
  arms.forEach((armValue, a) => {
    const armPath = `${armsPath}[${a}]`;
    const arm = object(armValue, armPath);
    string(field(arm, 'arm', armPath), join(armPath, 'arm'));
    const stepsPath = join(armPath, 'steps');
    const steps = nonEmpty(numbers(field(arm, 'steps', armPath), stepsPath), stepsPath, 'step');
    increasing(steps, stepsPath, 'steps');
    const valuesPath = join(armPath, 'values');
    const series = array(field(arm, 'values', armPath), valuesPath, 'arrays of numbers (one per percentile)');
    if (series.length !== percentiles.length) {
      throw new Invalid(valuesPath, `expected ${percentiles.length} arrays (one per percentile), got ${series.length}`);
    }
    series.forEach((values, p) => {
      const vPath = `${valuesPath}[${p}]`;
      const v = numbers(values, vPath);
      if (v.length !== steps.length) throw new Invalid(vPath, `expected ${steps.length} values (one per step), got ${v.length}`);
      positiveOnLog(v, vPath, y, join(path, 'y'));
    });
    const diverged = optional(arm, 'diverged');
    if (diverged !== undefined) divergence(diverged, join(armPath, 'diverged'));
  });
}

function trainingCurves(plot: Obj, path: string): void {
  base(plot, path);
  axisSpec(field(plot, 'x', path), join(path, 'x'));
  const metricsPath = join(path, 'metrics');
  const metrics = nonEmpty(array(field(plot, 'metrics', path), metricsPath, 'metrics'), metricsPath, 'metric');
  const ids = new Map<string, Axis>();
  metrics.forEach((metricValue, m) => {
    const mPath = `${metricsPath}[${m}]`;
    const metric = object(metricValue, mPath);
    const id = string(field(metric, 'id', mPath), join(mPath, 'id'));
    if (ids.has(id)) throw new Invalid(join(mPath, 'id'), `duplicate metric id ${JSON.stringify(id)}`);
    ids.set(id, axisSpec(metric, mPath));
  });
  const curvesPath = join(path, 'curves');
  const curves = nonEmpty(array(field(plot, 'curves', path), curvesPath, 'curves'), curvesPath, 'curve');
  curves.forEach((curveValue, c) => {
    const cPath = `${curvesPath}[${c}]`;
    const curve = object(curveValue, cPath);
    string(field(curve, 'arm', cPath), join(cPath, 'arm'));
    const metric = string(field(curve, 'metric', cPath), join(cPath, 'metric'));
    const axis = ids.get(metric);
    if (!axis) throw new Invalid(join(cPath, 'metric'), `unknown metric ${JSON.stringify(metric)} (metrics: ${[...ids.keys()].join(', ')})`);
    const split = optional(curve, 'split');
    if (split !== undefined) oneOf(split, join(cPath, 'split'), ['train', 'test', 'validation'] as const);
    const stepsPath = join(cPath, 'steps');
    const steps = nonEmpty(numbers(field(curve, 'steps', cPath), stepsPath), stepsPath, 'step');
    increasing(steps, stepsPath, 'steps');
    const valuesPath = join(cPath, 'values');
    const values = numbers(field(curve, 'values', cPath), valuesPath);
    if (values.length !== steps.length) throw new Invalid(valuesPath, `expected ${steps.length} values (one per step), got ${values.length}`);
    positiveOnLog(values, valuesPath, axis, `${metricsPath}[${[...ids.keys()].indexOf(metric)}]`);
  });
  const divergences = optional(plot, 'divergences');
  if (divergences !== undefined) {
    const dPath = join(path, 'divergences');
    array(divergences, dPath, 'divergences').forEach((d, i) => {
      divergence(d, `${dPath}[${i}]`);
      string(field(d as Obj, 'arm', `${dPath}[${i}]`), `${dPath}[${i}].arm`);
    });
  }
}

function sweep(plot: Obj, path: string): void {
  base(plot, path);
  const x = axisSpec(field(plot, 'x', path), join(path, 'x'));
  const y = axisSpec(field(plot, 'y', path), join(path, 'y'));
  const spread = optional(plot, 'spread');
  if (spread !== undefined) oneOf(spread, join(path, 'spread'), ['std', 'min-max', 'none'] as const);
  const style = optional(plot, 'spreadStyle');
  if (style !== undefined) oneOf(style, join(path, 'spreadStyle'), ['error-bars', 'band'] as const);
  const armsPath = join(path, 'arms');
  const arms = nonEmpty(array(field(plot, 'arms', path), armsPath, 'arms'), armsPath, 'arm');
  arms.forEach((armValue, a) => {
    const armPath = `${armsPath}[${a}]`;
    const arm = object(armValue, armPath);
    string(field(arm, 'arm', armPath), join(armPath, 'arm'));
    const pointsPath = join(armPath, 'points');
    const points = nonEmpty(array(field(arm, 'points', armPath), pointsPath, 'points'), pointsPath, 'point');
    const xs = points.map((pointValue, p) => {
      const pPath = `${pointsPath}[${p}]`;
      const point = object(pointValue, pPath);
      const px = finite(field(point, 'x', pPath), join(pPath, 'x'));
      if (x.log && !(px > 0)) throw new Invalid(join(pPath, 'x'), `expected a value > 0 on a log axis (${path}.x.scale is "log"), got ${px}`);
      const valuesPath = join(pPath, 'values');
      positiveOnLog(numbers(field(point, 'values', pPath), valuesPath), valuesPath, y, join(path, 'y'));
      const diverged = optional(point, 'diverged');
      if (diverged !== undefined) {
        const n = finite(diverged, join(pPath, 'diverged'));
        if (n < 0 || !Number.isInteger(n)) throw new Invalid(join(pPath, 'diverged'), `expected a whole number of seeds ≥ 0, got ${n}`);
      }
      const reason = optional(point, 'reason');
      if (reason !== undefined) string(reason, join(pPath, 'reason'));
      if ((point.values as number[]).length === 0 && !((diverged as number | undefined) ?? 0)) {
        throw new Invalid(valuesPath, 'expected at least one value (or `diverged` > 0 when every seed diverged)');
      }
      return px;
    });
    increasing(xs, pointsPath, 'points[].x');
  });
}

function heatmap(plot: Obj, path: string): void {
  base(plot, path);
  const x = axisSpec(field(plot, 'x', path), join(path, 'x'));
  axisSpec(field(plot, 'y', path), join(path, 'y'));
  axisSpec(field(plot, 'value', path), join(path, 'value'));
  const xPath = join(path, 'xValues');
  const xs = nonEmpty(numbers(field(plot, 'xValues', path), xPath), xPath, 'x value');
  increasing(xs, xPath, 'x values');
  positiveOnLog(xs, xPath, x, join(path, 'x'));
  const yPath = join(path, 'yLabels');
  const labels = nonEmpty(strings(field(plot, 'yLabels', path), yPath), yPath, 'row label');
  const zPath = join(path, 'z');
  const z = array(field(plot, 'z', path), zPath, 'rows of numbers');
  if (z.length !== labels.length) throw new Invalid(zPath, `expected ${labels.length} rows (one per y label), got ${z.length}`);
  z.forEach((row, r) => {
    const rPath = `${zPath}[${r}]`;
    const values = numbers(row, rPath);
    if (values.length !== xs.length) throw new Invalid(rPath, `expected ${xs.length} values (one per x value), got ${values.length}`);
  });
  const scale = optional(plot, 'colorScale');
  if (scale !== undefined) oneOf(scale, join(path, 'colorScale'), ['sequential', 'diverging'] as const);
  const center = optional(plot, 'center');
  if (center !== undefined) finite(center, join(path, 'center'));
}

function smallMultiples(plot: Obj, path: string): void {
  base(plot, path);
  const columns = optional(plot, 'columns');
  if (columns !== undefined) {
    const c = finite(columns, join(path, 'columns'));
    if (c < 1 || !Number.isInteger(c)) throw new Invalid(join(path, 'columns'), `expected a whole number ≥ 1, got ${c}`);
  }
  const share = optional(plot, 'shareY');
  if (share !== undefined && typeof share !== 'boolean') throw new Invalid(join(path, 'shareY'), `expected true or false, got ${describe(share)}`);
  const panelsPath = join(path, 'panels');
  const panels = nonEmpty(array(field(plot, 'panels', path), panelsPath, 'panels'), panelsPath, 'panel');
  panels.forEach((panel, i) => spec(panel, `${panelsPath}[${i}]`, false));
}

/** Checks one PlotSpec at `path` (a panel must not itself be small multiples). */
function spec(value: unknown, path: string, topLevel: boolean): void {
  const plot = object(value, path);
  const kindPath = join(path, 'kind');
  const kind = string(field(plot, 'kind', path), kindPath);
  switch (kind) {
    case 'distribution-comparison':
      return distributionComparison(plot, path);
    case 'percentile-bands':
      return percentileBands(plot, path);
    case 'training-curves':
      return trainingCurves(plot, path);
    case 'sweep':
      return sweep(plot, path);
    case 'heatmap':
      return heatmap(plot, path);
    case 'small-multiples':
      if (!topLevel) throw new Invalid(kindPath, 'a small-multiples panel cannot itself be small multiples');
      return smallMultiples(plot, path);
    default:
      throw new Invalid(kindPath, `unknown plot kind ${JSON.stringify(kind)} (this renderer knows: ${KNOWN_KINDS.join(', ')})`);
  }
}

function distributionComparison(plot: Obj, path: string): void {
  base(plot, path);
  string(field(plot, 'valueLabel', path), join(path, 'valueLabel'));
  const unit = optional(plot, 'valueUnit');
  if (unit !== undefined) string(unit, join(path, 'valueUnit'));
  const presentation = optional(plot, 'presentation');
  if (presentation !== undefined) oneOf(presentation, join(path, 'presentation'), ['histogram', 'violin'] as const);
  const stagesPath = join(path, 'stages');
  const stages = strings(field(plot, 'stages', path), stagesPath);
  if (stages.length === 0) throw new Invalid(stagesPath, 'expected at least one stage');
  const share = optional(plot, 'shareAxis');
  if (share !== undefined) {
    const sharePath = join(path, 'shareAxis');
    const flags = array(share, sharePath, 'booleans');
    if (flags.length !== stages.length) throw new Invalid(sharePath, `expected ${stages.length} flags (one per stage), got ${flags.length}`);
    flags.forEach((f, i) => {
      if (typeof f !== 'boolean') throw new Invalid(`${sharePath}[${i}]`, `expected true or false, got ${describe(f)}`);
    });
  }
  const rowsPath = join(path, 'rows');
  const rows = array(field(plot, 'rows', path), rowsPath, 'rows');
  if (rows.length === 0) throw new Invalid(rowsPath, 'expected at least one row');
  rows.forEach((rowValue, r) => {
    const rowPath = `${rowsPath}[${r}]`;
    const row = object(rowValue, rowPath);
    string(field(row, 'label', rowPath), join(rowPath, 'label'));
    const distPath = join(rowPath, 'distributions');
    const dists = array(field(row, 'distributions', rowPath), distPath, 'distributions');
    if (dists.length !== stages.length) {
      throw new Invalid(distPath, `expected ${stages.length} distributions (one per stage), got ${dists.length}`);
    }
    dists.forEach((distValue, d) => {
      const dPath = `${distPath}[${d}]`;
      const dist = object(distValue, dPath);
      histogram(field(dist, 'histogram', dPath), join(dPath, 'histogram'));
      moments(field(dist, 'moments', dPath), join(dPath, 'moments'));
    });
  });
}

function liveState(value: unknown, path: string): void {
  const live = object(value, path);
  oneOf(field(live, 'state', path), join(path, 'state'), ['running', 'interrupted'] as const);
  const label = optional(live, 'label');
  if (label !== undefined) string(label, join(path, 'label'));
}

const KNOB_KINDS = ['integer', 'number', 'choice', 'boolean', 'ranges'] as const;

function knobs(value: unknown, path: string): void {
  const keys = new Set<string>();
  array(value, path, 'knobs').forEach((knobValue, i) => {
    const kPath = `${path}[${i}]`;
    const knob = object(knobValue, kPath);
    const key = string(field(knob, 'key', kPath), join(kPath, 'key'));
    if (!key.trim()) throw new Invalid(join(kPath, 'key'), 'expected a non-empty parameter key');
    if (keys.has(key)) throw new Invalid(join(kPath, 'key'), `duplicate knob key ${JSON.stringify(key)}`);
    keys.add(key);
    string(field(knob, 'description', kPath), join(kPath, 'description'));
    const kind = oneOf(field(knob, 'kind', kPath), join(kPath, 'kind'), KNOB_KINDS);
    if (kind === 'integer' || kind === 'number') numberKnob(knob, kPath, kind);
    else if (kind === 'choice') choiceKnob(knob, kPath);
    else if (kind === 'boolean') {
      const v = field(knob, 'value', kPath);
      if (typeof v !== 'boolean') throw new Invalid(join(kPath, 'value'), `expected true or false, got ${describe(v)}`);
    } else rangesKnob(knob, kPath);
  });
}

function numberKnob(knob: Obj, path: string, kind: 'integer' | 'number'): void {
  const min = finite(field(knob, 'min', path), join(path, 'min'));
  const max = finite(field(knob, 'max', path), join(path, 'max'));
  const value = finite(field(knob, 'value', path), join(path, 'value'));
  const scale = oneOf(field(knob, 'scale', path), join(path, 'scale'), ['linear', 'log'] as const);
  const exclusiveValue = optional(knob, 'exclusiveMin');
  if (exclusiveValue !== undefined && typeof exclusiveValue !== 'boolean') {
    throw new Invalid(join(path, 'exclusiveMin'), `expected true or false, got ${describe(exclusiveValue)}`);
  }
  const exclusive = exclusiveValue === true;
  if (!(max > min)) throw new Invalid(join(path, 'max'), `expected a maximum greater than min (${min}), got ${max}`);
  if (kind === 'integer') {
    for (const [name, v] of [['min', min], ['max', max], ['value', value]] as const) {
      if (!Number.isInteger(v)) throw new Invalid(join(path, name), `expected a whole number (the knob is an integer), got ${v}`);
    }
  }
  if (scale === 'log' && (min < 0 || (min === 0 && !exclusive))) {
    throw new Invalid(join(path, 'min'), `a log-scale knob needs min > 0 (or min 0 with exclusiveMin: true), got ${min}${exclusive ? '' : ' without exclusiveMin'}`);
  }
  const tooSmall = exclusive ? value <= min : value < min;
  if (tooSmall || value > max) {
    throw new Invalid(join(path, 'value'), `expected a value ${exclusive ? `> ${min}` : `≥ ${min}`} and ≤ ${max}, got ${value}`);
  }
}

function choiceKnob(knob: Obj, path: string): void {
  const choicesPath = join(path, 'choices');
  const choices = nonEmpty(strings(field(knob, 'choices', path), choicesPath), choicesPath, 'choice');
  const duplicate = choices.find((c, i) => choices.indexOf(c) !== i);
  if (duplicate !== undefined) throw new Invalid(choicesPath, `duplicate choice ${JSON.stringify(duplicate)}`);
  const value = string(field(knob, 'value', path), join(path, 'value'));
  if (!choices.includes(value)) {
    throw new Invalid(join(path, 'value'), `expected one of the choices (${choices.map((c) => JSON.stringify(c)).join(', ')}), got ${describe(value)}`);
  }
}

function rangesKnob(knob: Obj, path: string): void {
  const valuePath = join(path, 'value');
  const ranges = nonEmpty(array(field(knob, 'value', path), valuePath, '[low, high] pairs'), valuePath, 'range');
  ranges.forEach((range, i) => {
    const rPath = `${valuePath}[${i}]`;
    const pair = numbers(range, rPath);
    if (pair.length !== 2) throw new Invalid(rPath, `expected a [low, high] pair, got ${pair.length} numbers`);
    if (pair[0]! > pair[1]!) throw new Invalid(rPath, `expected low ≤ high, got [${pair[0]}, ${pair[1]}]`);
  });
}

/** Checks `value` against payload schema v1 and names the path of the first problem. */
export function validatePayload(value: unknown): ValidationResult {
  try {
    const root = object(value, '(payload)');
    const version = field(root, 'version', '');
    if (version !== PLOT_PAYLOAD_VERSION) {
      throw new Invalid(
        'version',
        `expected ${PLOT_PAYLOAD_VERSION}, got ${describe(version)} (this renderer reads plot payload version ${PLOT_PAYLOAD_VERSION}; update the extension or re-run the cell)`,
      );
    }
    spec(field(root, 'plot', ''), 'plot', true);
    const live = optional(root, 'live');
    if (live !== undefined) liveState(live, 'live');
    const previous = optional(root, 'previous');
    if (previous !== undefined) spec(previous, 'previous', true);
    const knobList = optional(root, 'knobs');
    if (knobList !== undefined) knobs(knobList, 'knobs');
    return { ok: true, payload: value as PlotPayload };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, path: error.path, message: error.message };
    throw error;
  }
}
