/**
 * Knobs: controls for an experiment cell's main parameters, and the edit that writes a knob's value back
 * into the cell's YAML. The edit replaces only the value's characters, so comments, key order and the
 * formatting of everything else stay as the person wrote them.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import type { Knob, KnobValue } from '../shared/payload';
import type { Experiment } from './experiment';
import { checkParam, describeAllowed, type ParamSpec } from './params';

/** A linear slider over more than this many steps is too coarse to use: it becomes log (min > 0) or is capped. */
const MAX_LINEAR_SPAN = 10_000;
/** The largest span a capped linear slider (a seed) offers above its minimum. */
const CAPPED_SPAN = 1_000;
/** For a log slider over an open interval (0, max]: the smallest value offered, relative to max. */
const LOG_FLOOR = 1e-10;

/** The knobs of an experiment, at the values a run used (keys it names that are not parameters are ignored). */
export function knobsFor(experiment: Experiment, params: Record<string, unknown>): Knob[] {
  const knobs: Knob[] = [];
  for (const key of experiment.knobs ?? []) {
    const spec = experiment.params[key];
    if (!spec) continue;
    const knob = knobOf(key, spec, params[key] ?? spec.default);
    if (knob) knobs.push(knob);
  }
  return knobs;
}

function knobOf(key: string, spec: ParamSpec, value: unknown): Knob | undefined {
  const description = `${spec.description} Allowed: ${describeAllowed(spec)}.`;
  switch (spec.kind) {
    case 'integer':
    case 'number': {
      const current = value as number;
      const open = spec.kind === 'number' && spec.exclusiveMin === true;
      const decades = spec.min > 0 ? Math.log10(spec.max / spec.min) : open && spec.min === 0 ? Infinity : 0;
      const wide = spec.max - spec.min > MAX_LINEAR_SPAN || decades >= 2;
      if (wide && (spec.min > 0 || (open && spec.min === 0))) {
        const min = spec.min > 0 ? spec.min : spec.max * LOG_FLOOR;
        return { key, description, kind: spec.kind, min: Math.min(min, current), max: spec.max, scale: 'log', value: current };
      }
      const max = wide ? Math.max(spec.min + CAPPED_SPAN, current) : spec.max;
      return { key, description, kind: spec.kind, min: spec.min, max, ...(open ? { exclusiveMin: true } : {}), scale: 'linear', value: current };
    }
    case 'choice':
      return { key, description, kind: 'choice', choices: [...spec.choices], value: value as string };
    case 'boolean':
      return { key, description, kind: 'boolean', value: value as boolean };
    case 'ranges':
      return { key, description, kind: 'ranges', value: structuredClone(value as [number, number][]) };
    case 'files':
      return undefined;
  }
}

/** A knob's value as the cell shows it: integers as integers, other numbers to 3 significant digits. */
export function roundKnobValue(spec: ParamSpec, value: KnobValue): KnobValue {
  if (typeof value !== 'number') return value;
  if (spec.kind === 'integer') return Math.round(value);
  return Number(value.toPrecision(3));
}

export class KnobError extends Error {
  override readonly name = 'KnobError';
}

/**
 * The cell's source with `key` set to `value` (checked against the experiment's spec, rounded as the
 * knob shows it). Throws a KnobError for a key the experiment lacks or a value the spec refuses.
 */
export function setCellParam(source: string, experiment: Experiment, key: string, value: KnobValue): string {
  const spec = experiment.params[key];
  if (!spec) throw new KnobError(`${experiment.id} has no parameter "${key}"`);
  const rounded = roundKnobValue(spec, value);
  const checked = checkParam(spec, rounded);
  if ('problem' in checked) throw new KnobError(`"${key}" must be ${describeAllowed(spec)}; ${checked.problem}`);

  const doc = parseDocument(source, { keepSourceTokens: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) throw new KnobError('The cell is not a valid experiment cell: fix it before turning a knob');
  const pair = (doc.contents.items as Pair<Node, Node>[]).find((p) => isScalar(p.key) && String(p.key.value) === key);
  if (!pair?.value) return appendParam(source, key, rounded);

  const edits = valueEdits(pair.value, rounded);
  // A different shape (another number of ranges): the whole value, in flow style on the key's line.
  if (!edits) return replaceRange(source, (pair.key as Node).range![1], trimEnd(source, pair.value.range![1]), `: ${yamlValue(rounded)}`);
  // Apply from the end so that earlier offsets stay valid.
  return edits.sort((a, b) => b.start - a.start).reduce((text, e) => replaceRange(text, e.start, e.end, e.text), source);
}

interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Edits of the value's scalars in place (a scalar, or a list of [low, high] with as many items); undefined when the shape differs. */
function valueEdits(node: Node, value: KnobValue): TextEdit[] | undefined {
  if (isScalar(node) && !Array.isArray(value)) return [{ start: node.range![0], end: node.range![1], text: yamlValue(value) }];
  if (!isSeq(node) || !Array.isArray(value) || node.items.length !== value.length) return undefined;
  const edits: TextEdit[] = [];
  for (let i = 0; i < value.length; i++) {
    const item = node.items[i] as Node;
    if (!isSeq(item) || item.items.length !== 2 || !item.items.every((x) => isScalar(x))) return undefined;
    item.items.forEach((x, j) => edits.push({ start: (x as Node).range![0], end: (x as Node).range![1], text: yamlValue(value[i]![j]!) }));
  }
  return edits;
}

/** A value as YAML: numbers in a form YAML 1.2 reads back as the same number (1e-5, not 0.00001), lists in flow style. */
export function yamlValue(value: KnobValue): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return /^[A-Za-z][\w.-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|~)$/i.test(value) ? value : JSON.stringify(value);
  return `[${value.map((r) => `[${r.map(formatNumber).join(', ')}]`).join(', ')}]`;
}

function formatNumber(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return x.toExponential().replace('e+', 'e');
  return String(x);
}

/** Adds `key: value` as the last line of the mapping (the cell had no such key: it used the default). */
function appendParam(source: string, key: string, value: KnobValue): string {
  const body = source.replace(/\s*$/, '');
  return `${body}\n${key}: ${yamlValue(value)}\n`;
}

/** A block value's range takes in the line break after it: the edit stops before it. */
function trimEnd(text: string, end: number): number {
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  return end;
}

function replaceRange(text: string, start: number, end: number, replacement: string): string {
  return text.slice(0, start) + replacement + text.slice(end);
}
