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
export const KNOWN_KINDS = ['distribution-comparison'] as const;

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

function distributionComparison(plot: Obj, path: string): void {
  string(field(plot, 'title', path), join(path, 'title'));
  string(field(plot, 'valueLabel', path), join(path, 'valueLabel'));
  const stagesPath = join(path, 'stages');
  const stages = strings(field(plot, 'stages', path), stagesPath);
  if (stages.length === 0) throw new Invalid(stagesPath, 'expected at least one stage');
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
    const plot = object(field(root, 'plot', ''), 'plot');
    const kind = string(field(plot, 'kind', 'plot'), 'plot.kind');
    switch (kind) {
      case 'distribution-comparison':
        distributionComparison(plot, 'plot');
        break;
      default:
        throw new Invalid('plot.kind', `unknown plot kind ${JSON.stringify(kind)} (this renderer knows: ${KNOWN_KINDS.join(', ')})`);
    }
    return { ok: true, payload: value as PlotPayload };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, path: error.path, message: error.message };
    throw error;
  }
}
