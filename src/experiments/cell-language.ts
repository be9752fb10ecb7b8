/**
 * What an editor offers in a `bnlab` experiment cell, from the experiment catalog itself (the same specs
 * that check a run): completions of experiment ids, parameter keys and values; hovers; quick fixes.
 * No editor API here: offsets in, plain data out (src/notebook/language/ turns it into VS Code's types).
 */
import type { Experiment } from './experiment';
import { checkExperimentCell, EXPERIMENT_KEY, type CellCheck, type CellProblem } from './cell';
import { describeAllowed, type ParamSpec } from './params';

export interface CellCompletion {
  label: string;
  kind: 'experiment' | 'key' | 'value';
  /** Type and default, or an experiment's title: shown beside the label. */
  detail: string;
  /** Markdown: the description and what is allowed. */
  documentation: string;
  /** A snippet (VS Code syntax: ${1:default}). */
  insertText: string;
  /** The offsets the completion replaces (the word being typed). */
  start: number;
  end: number;
}

export interface CellHover {
  markdown: string;
  start: number;
  end: number;
}

export interface CellEdit {
  start: number;
  end: number;
  text: string;
}

export interface CellFix {
  title: string;
  edit: CellEdit;
  /** The problem it fixes, when it fixes one. */
  fixes?: CellProblem;
  preferred: boolean;
}

/** A value as a YAML cell writes it: numbers as JS prints them, lists in flow style. */
export function yamlValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(yamlValue).join(', ')}]`;
  return typeof value === 'string' ? value : String(value);
}

/** One line about a parameter: its kind and default, e.g. "integer 1–4096, default 256". */
export function paramDetail(spec: ParamSpec): string {
  let range = '';
  if (spec.kind === 'integer' || spec.kind === 'number') range = spec.kind === 'number' && spec.exclusiveMin ? ` > ${spec.min}, ≤ ${spec.max}` : ` ${spec.min}–${spec.max}`;
  return `${spec.kind}${range}, default ${yamlValue(spec.default)}`;
}

export function paramDocumentation(key: string, spec: ParamSpec): string {
  return `**${key}**: ${spec.description}\n\nMust be ${describeAllowed(spec)}. Default: \`${yamlValue(spec.default)}\`.`;
}

export function experimentDocumentation(experiment: Experiment): string {
  return `**${experiment.title}** (\`${experiment.id}\`)\n\n${experiment.description}`;
}

export class ExperimentCellLanguage {
  constructor(private readonly catalog: ReadonlyMap<string, Experiment>) {}

  check(source: string): CellCheck {
    return checkExperimentCell(source, this.catalog);
  }

  completions(source: string, offset: number): CellCompletion[] {
    const lineStart = source.lastIndexOf('\n', offset - 1) + 1;
    const before = source.slice(lineStart, offset);
    const colon = before.indexOf(':');
    if (colon < 0) {
      // A key being typed, at the top level only (not inside a list of ranges).
      if (/^\s/.test(before) || before.trimStart().startsWith('-') || before.includes('#')) return [];
      return this.keyCompletions(source, lineStart, offset);
    }
    const key = before.slice(0, colon).trim();
    const word = wordAround(source, offset, lineStart + colon + 1);
    if (before.slice(colon + 1).includes('#')) return [];
    if (key === EXPERIMENT_KEY) {
      return [...this.catalog.values()].map((experiment) => ({
        label: experiment.id,
        kind: 'experiment',
        detail: experiment.title,
        documentation: experimentDocumentation(experiment),
        insertText: experiment.id,
        ...word,
      }));
    }
    const spec = this.check(source).outline.experiment?.params[key];
    if (!spec) return [];
    const values = spec.kind === 'choice' ? spec.choices : spec.kind === 'boolean' ? ['true', 'false'] : [yamlValue(spec.default)];
    return values.map((value) => ({
      label: value,
      kind: 'value',
      detail: yamlValue(spec.default) === value ? 'default' : spec.kind,
      documentation: paramDocumentation(key, spec),
      insertText: value,
      ...word,
    }));
  }

  hover(source: string, offset: number): CellHover | undefined {
    const { outline } = this.check(source);
    for (const entry of outline.entries) {
      if (offset >= entry.keyStart && offset <= entry.keyEnd) {
        if (entry.key === EXPERIMENT_KEY) {
          return { markdown: '**experiment**: the id of the experiment this cell runs; the other keys are its parameters.', start: entry.keyStart, end: entry.keyEnd };
        }
        const spec = outline.experiment?.params[entry.key];
        return spec ? { markdown: paramDocumentation(entry.key, spec), start: entry.keyStart, end: entry.keyEnd } : undefined;
      }
      if (entry.key === EXPERIMENT_KEY && entry.valueStart !== undefined && offset >= entry.valueStart && offset <= entry.valueEnd!) {
        const experiment = outline.experiment;
        return experiment ? { markdown: experimentDocumentation(experiment), start: entry.valueStart, end: entry.valueEnd! } : undefined;
      }
    }
    return undefined;
  }

  /** Quick fixes: each did-you-mean applied, and the missing parameters written out with their defaults. */
  fixes(source: string): CellFix[] {
    const check = this.check(source);
    const fixes: CellFix[] = check.problems
      .filter((problem) => problem.suggestion)
      .map((problem) => ({ title: `Change to "${problem.suggestion}"`, edit: { start: problem.start, end: problem.end, text: problem.suggestion! }, fixes: problem, preferred: true }));
    const experiment = check.outline.experiment;
    if (experiment) {
      const present = new Set(check.outline.entries.map((entry) => entry.key));
      const missing = Object.entries(experiment.params).filter(([key]) => !present.has(key));
      if (missing.length > 0) {
        const lines = missing.map(([key, spec]) => `${key}: ${yamlValue(spec.default)}`);
        const text = `${source.length > 0 && !source.endsWith('\n') ? '\n' : ''}${lines.join('\n')}\n`;
        fixes.push({ title: `Add the ${missing.length} missing parameter${missing.length === 1 ? '' : 's'} with their defaults`, edit: { start: source.length, end: source.length, text }, preferred: false });
      }
    }
    return fixes;
  }

  private keyCompletions(source: string, lineStart: number, offset: number): CellCompletion[] {
    const { outline } = this.check(source);
    const lineEnd = source.indexOf('\n', offset);
    const word = { start: lineStart, end: lineEnd < 0 ? source.length : lineEnd };
    // Keys already written elsewhere are not offered again (the one on this line is being rewritten).
    const present = new Set(outline.entries.filter((entry) => entry.keyStart < lineStart || entry.keyStart > word.end).map((entry) => entry.key));
    const items: CellCompletion[] = [];
    if (!present.has(EXPERIMENT_KEY)) {
      items.push({ label: EXPERIMENT_KEY, kind: 'key', detail: 'the experiment to run', documentation: 'The id of the experiment this cell runs.', insertText: `${EXPERIMENT_KEY}: $1`, ...word });
    }
    const experiment = outline.experiment;
    if (!experiment) return items;
    for (const [key, spec] of Object.entries(experiment.params)) {
      if (present.has(key)) continue;
      items.push({ label: key, kind: 'key', detail: paramDetail(spec), documentation: paramDocumentation(key, spec), insertText: `${key}: \${1:${yamlValue(spec.default).replace(/[$}\\]/g, '\\$&')}}`, ...word });
    }
    return items;
  }
}

/** The word at the cursor after `from` (a value being typed), as offsets. */
function wordAround(source: string, offset: number, from: number): { start: number; end: number } {
  let start = offset;
  while (start > from && /[\w.+-]/.test(source[start - 1]!)) start--;
  let end = offset;
  while (end < source.length && /[\w.+-]/.test(source[end]!)) end++;
  return { start, end };
}
