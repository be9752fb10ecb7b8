/**
 * Parses a `bnlab` experiment cell: a YAML document naming an experiment and its parameters, e.g.
 *
 *     experiment: normalize-features
 *     batchSize: 256
 *
 * Every problem becomes an {@link ExperimentCellError} that says which key, which line, and what is allowed.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
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

const EXPERIMENT_KEY = 'experiment';

export function parseExperimentCell(source: string, catalog: ReadonlyMap<string, Experiment>): ParsedCell {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (node: Node | null | undefined): { line?: number; column?: number } => {
    const offset = node?.range?.[0];
    if (offset === undefined) return {};
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };

  const yamlError = doc.errors[0];
  if (yamlError) {
    // An error at the end of input (an unclosed bracket) is shown on the last line that has text.
    const pos = lines.linePos(Math.min(yamlError.pos[0], Math.max(0, source.trimEnd().length - 1)));
    throw new ExperimentCellError(`This cell is not valid YAML: ${yamlError.message.split('\n')[0]}`, pos.line, pos.col);
  }
  const ids = [...catalog.keys()].join(', ');
  const root = doc.contents;
  if (!isMap(root)) {
    throw new ExperimentCellError(`An experiment cell is a YAML mapping that starts with "experiment: <id>". Experiments: ${ids}`, at(root).line ?? 1);
  }

  const pairs = root.items as Pair<Node, Node>[];
  const keyOf = (pair: Pair<Node, Node>): string => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key));
  const experimentPair = pairs.find((pair) => keyOf(pair) === EXPERIMENT_KEY);
  if (!experimentPair) {
    throw new ExperimentCellError(`The "experiment" key is missing: name one of ${ids}`, 1, 1, EXPERIMENT_KEY);
  }
  const id = isScalar(experimentPair.value) ? experimentPair.value.value : undefined;
  const experiment = typeof id === 'string' ? catalog.get(id) : undefined;
  if (!experiment) {
    const suggestion = typeof id === 'string' ? closest(id, [...catalog.keys()]) : undefined;
    const hint = suggestion ? ` Did you mean "${suggestion}"?` : '';
    const { line, column } = at(experimentPair.value ?? experimentPair.key);
    throw new ExperimentCellError(`Unknown experiment ${JSON.stringify(id ?? null)}.${hint} Experiments: ${ids}`, line, column, EXPERIMENT_KEY);
  }

  const specs: ParamSpecs = experiment.params;
  const names = Object.keys(specs);
  const params: Record<string, unknown> = {};
  for (const pair of pairs) {
    const key = keyOf(pair);
    if (key === EXPERIMENT_KEY) continue;
    const spec = specs[key];
    if (!spec) {
      const suggestion = closest(key, names);
      const hint = suggestion ? ` Did you mean "${suggestion}"?` : '';
      const { line, column } = at(pair.key);
      throw new ExperimentCellError(`Unknown parameter "${key}" for ${experiment.id}.${hint} Parameters: ${names.join(', ')}`, line, column, key);
    }
    const value: unknown = pair.value === null ? null : (pair.value as Node).toJS(doc);
    const checked = checkParam(spec, value);
    if ('problem' in checked) {
      let node: Node | null | undefined = pair.value ?? pair.key;
      if (checked.problemAt !== undefined && isSeq(pair.value)) node = (pair.value.items[checked.problemAt] as Node | undefined) ?? node;
      const { line, column } = at(node);
      throw new ExperimentCellError(`"${key}" must be ${describeAllowed(spec)}; ${checked.problem}`, line, column, key);
    }
    params[key] = checked.value;
  }
  for (const name of names) {
    if (!(name in params)) params[name] = structuredClone(specs[name]!.default);
  }
  // Every key was checked against its spec above, or filled from the spec's default.
  return { experiment, params: params as ParamValues<ParamSpecs> };
}
