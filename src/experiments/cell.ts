/**
 * Parses a `bnlab` experiment cell: a YAML document naming an experiment and its parameters, e.g.
 *
 *     experiment: normalize-features
 *     batchSize: 256
 *
 * {@link checkExperimentCell} finds every problem with its place (the editor shows them as you type);
 * {@link parseExperimentCell} throws the first as an {@link ExperimentCellError} (a run reports it), so that
 * the editor and a run say exactly the same words.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { Experiment } from './experiment';
import { checkParam, closest, describeAllowed, type ParamSpecs, type ParamValues } from './params';

export class ExperimentCellError extends Error {
  override readonly name = 'ExperimentCellError';
  constructor(
    readonly problem: string,
    /** 1-based line and column in the cell, when the problem has a place. */
    readonly line?: number,
    readonly column?: number,
    readonly key?: string,
  ) {
    super(line ? `Line ${line}${column ? `, column ${column}` : ''}: ${problem}` : problem);
  }
}

export interface ParsedCell {
  experiment: Experiment;
  params: ParamValues<ParamSpecs>;
}

/** One problem of a cell: its words (those of the run's error) and where it is, as offsets into the source. */
export interface CellProblem {
  problem: string;
  start: number;
  end: number;
  /** The key at fault, when there is one. */
  key?: string;
  /** For an unknown key or experiment: the closest known one, which a quick fix can put in its place. */
  suggestion?: string;
}

/** A cell's YAML with its places: what the editor's completions and hovers read. */
export interface CellOutline {
  /** The experiment the cell names, when it names a known one. */
  experiment?: Experiment;
  /** Top-level keys in order, with the offsets of the key and of its value. */
  entries: { key: string; keyStart: number; keyEnd: number; valueStart?: number; valueEnd?: number }[];
}

export interface CellCheck {
  /** Set when the cell has no problem. */
  parsed?: ParsedCell;
  problems: CellProblem[];
  outline: CellOutline;
}

export const EXPERIMENT_KEY = 'experiment';

export function parseExperimentCell(source: string, catalog: ReadonlyMap<string, Experiment>): ParsedCell {
  const check = checkExperimentCell(source, catalog);
  const first = check.problems[0];
  if (first) {
    const { line, column } = linePosition(source, first.start);
    throw new ExperimentCellError(first.problem, line, column, first.key);
  }
  return check.parsed!;
}

/** 1-based line and column of an offset in a cell's source. */
export function linePosition(source: string, offset: number): { line: number; column: number } {
  const lines = new LineCounter();
  parseDocument(source, { lineCounter: lines });
  const pos = lines.linePos(Math.max(0, Math.min(offset, source.length)));
  return { line: pos.line, column: pos.col };
}

export function checkExperimentCell(source: string, catalog: ReadonlyMap<string, Experiment>): CellCheck {
  const doc = parseDocument(source, { prettyErrors: false, uniqueKeys: true });
  const outline: CellOutline = { entries: [] };
  if (doc.errors.length > 0) {
    // An error at the end of input (an unclosed bracket) is shown on the last character that has text.
    const last = Math.max(0, source.trimEnd().length - 1);
    const problems = doc.errors.map((error) => {
      const start = Math.min(error.pos[0], last);
      return { problem: `This cell is not valid YAML: ${error.message.split('\n')[0]}`, start, end: Math.max(start + 1, Math.min(error.pos[1], source.length)) };
    });
    return { problems, outline };
  }

  const ids = [...catalog.keys()].join(', ');
  const root = doc.contents;
  if (!isMap(root)) {
    const start = root?.range?.[0] ?? 0;
    const problem = `An experiment cell is a YAML mapping that starts with "experiment: <id>". Experiments: ${ids}`;
    return { problems: [{ problem, start, end: firstLineEnd(source, start) }], outline };
  }

  const pairs = root.items as Pair<Node, Node>[];
  outline.entries = pairs.map((pair) => ({
    key: keyOf(pair),
    keyStart: pair.key?.range?.[0] ?? 0,
    keyEnd: pair.key?.range?.[1] ?? 0,
    ...(pair.value?.range ? { valueStart: pair.value.range[0], valueEnd: pair.value.range[1] } : {}),
  }));
  const experimentPair = pairs.find((pair) => keyOf(pair) === EXPERIMENT_KEY);
  if (!experimentPair) {
    const problem = `The "experiment" key is missing: name one of ${ids}`;
    return { problems: [{ problem, start: 0, end: firstLineEnd(source, 0), key: EXPERIMENT_KEY }], outline };
  }
  const id = isScalar(experimentPair.value) ? experimentPair.value.value : undefined;
  const experiment = typeof id === 'string' ? catalog.get(id) : undefined;
  if (!experiment) {
    const suggestion = typeof id === 'string' ? closest(id, [...catalog.keys()]) : undefined;
    const hint = suggestion ? ` Did you mean "${suggestion}"?` : '';
    const problem = `Unknown experiment ${JSON.stringify(id ?? null)}.${hint} Experiments: ${ids}`;
    return { problems: [{ problem, ...rangeOf(experimentPair.value ?? experimentPair.key, source), key: EXPERIMENT_KEY, ...(suggestion ? { suggestion } : {}) }], outline };
  }
  outline.experiment = experiment;

  const { params, problems } = checkParams(experiment, pairs, doc, source);
  // Every key was checked against its spec, or filled from the spec's default.
  return problems.length > 0 ? { problems, outline } : { parsed: { experiment, params: params as ParamValues<ParamSpecs> }, problems, outline };
}

function checkParams(experiment: Experiment, pairs: Pair<Node, Node>[], doc: Document, source: string): { params: Record<string, unknown>; problems: CellProblem[] } {
  const specs: ParamSpecs = experiment.params;
  const names = Object.keys(specs);
  const params: Record<string, unknown> = {};
  const problems: CellProblem[] = [];
  for (const pair of pairs) {
    const key = keyOf(pair);
    if (key === EXPERIMENT_KEY) continue;
    const spec = specs[key];
    if (!spec) {
      const suggestion = closest(key, names);
      const hint = suggestion ? ` Did you mean "${suggestion}"?` : '';
      const problem = `Unknown parameter "${key}" for ${experiment.id}.${hint} Parameters: ${names.join(', ')}`;
      problems.push({ problem, ...rangeOf(pair.key, source), key, ...(suggestion ? { suggestion } : {}) });
      continue;
    }
    const value: unknown = pair.value === null ? null : (pair.value as Node).toJS(doc);
    const checked = checkParam(spec, value);
    if ('problem' in checked) {
      let node: Node | null | undefined = pair.value ?? pair.key;
      if (checked.problemAt !== undefined && isSeq(pair.value)) node = (pair.value.items[checked.problemAt] as Node | undefined) ?? node;
      problems.push({ problem: `"${key}" must be ${describeAllowed(spec)}; ${checked.problem}`, ...rangeOf(node, source), key });
      continue;
    }
    params[key] = checked.value;
  }
  for (const name of names) {
    if (!(name in params)) params[name] = structuredClone(specs[name]!.default);
  }
  return { params, problems };
}

function keyOf(pair: Pair<Node, Node>): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function rangeOf(node: Node | null | undefined, source: string): { start: number; end: number } {
  const start = node?.range?.[0] ?? 0;
  const end = node?.range?.[1] ?? firstLineEnd(source, start);
  return { start, end: Math.max(end, start + 1) };
}

function firstLineEnd(source: string, from: number): number {
  const newline = source.indexOf('\n', from);
  return Math.max(from + 1, newline < 0 ? source.length : newline);
}
