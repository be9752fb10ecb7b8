/**
 * Typed experiment parameters: each has a kind, a default, allowed values and a one-line description,
 * so that cells, the command palette and the docs all validate and explain parameters the same way.
 */

export interface IntegerParam {
  kind: 'integer';
  default: number;
  min: number;
  max: number;
  description: string;
}

export interface NumberParam {
  kind: 'number';
  default: number;
  /** Smallest allowed value; with `exclusiveMin` the value must be strictly greater. */
  min: number;
  max: number;
  exclusiveMin?: boolean;
  description: string;
}

export interface BooleanParam {
  kind: 'boolean';
  default: boolean;
  description: string;
}

export interface ChoiceParam {
  kind: 'choice';
  default: string;
  choices: readonly string[];
  description: string;
}

/** A list of [low, high] intervals with low < high, for example the value ranges of features. */
export interface RangesParam {
  kind: 'ranges';
  default: [number, number][];
  minItems: number;
  maxItems: number;
  description: string;
}

/** A list of file paths, relative to the notebook's folder (e.g. metrics written by an exported script). */
export interface FilesParam {
  kind: 'files';
  default: string[];
  minItems: number;
  maxItems: number;
  description: string;
}

export type ParamSpec = IntegerParam | NumberParam | BooleanParam | ChoiceParam | RangesParam | FilesParam;

export type ParamSpecs = Record<string, ParamSpec>;

type ValueOf<S extends ParamSpec> = S extends RangesParam
  ? [number, number][]
  : S extends FilesParam
    ? string[]
    : S extends BooleanParam
    ? boolean
    : S extends ChoiceParam
      ? string
      : number;

/** The validated parameter values of an experiment, typed from its specs. */
export type ParamValues<S extends ParamSpecs> = { [K in keyof S]: ValueOf<S[K]> };

/** Says in words which values a parameter allows, for error messages and docs. */
export function describeAllowed(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'integer':
      return `an integer from ${spec.min} to ${spec.max}`;
    case 'number':
      return spec.exclusiveMin ? `a number greater than ${spec.min} and at most ${spec.max}` : `a number from ${spec.min} to ${spec.max}`;
    case 'boolean':
      return 'true or false';
    case 'choice':
      return `one of ${spec.choices.map((c) => JSON.stringify(c)).join(', ')}`;
    case 'ranges':
      return `a list of ${spec.minItems} to ${spec.maxItems} ranges [low, high] with low < high, for example [[-1000, 1000], [-1, 1]]`;
    case 'files':
      return `a list of ${spec.minItems} to ${spec.maxItems} file paths relative to the notebook's folder, for example [run.engine.json, run.pytorch-1proc.json]`;
  }
}

/**
 * Checks one value against its spec. Returns the value (typed) or a problem in words.
 * `problemAt` in the result, when present, is the index of the list item at fault.
 */
export function checkParam(spec: ParamSpec, value: unknown): { value: unknown } | { problem: string; problemAt?: number } {
  const got = `got ${describeValue(value)}`;
  switch (spec.kind) {
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < spec.min || value > spec.max) return { problem: got };
      return { value };
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return { problem: got };
      const tooSmall = spec.exclusiveMin ? value <= spec.min : value < spec.min;
      if (tooSmall || value > spec.max) return { problem: got };
      return { value };
    }
    case 'boolean':
      return typeof value === 'boolean' ? { value } : { problem: got };
    case 'choice':
      return typeof value === 'string' && spec.choices.includes(value) ? { value } : { problem: got };
    case 'ranges': {
      if (!Array.isArray(value)) return { problem: got };
      if (value.length < spec.minItems || value.length > spec.maxItems) return { problem: `got ${value.length} ranges` };
      for (let i = 0; i < value.length; i++) {
        const range: unknown = value[i];
        const ok =
          Array.isArray(range) &&
          range.length === 2 &&
          range.every((x) => typeof x === 'number' && Number.isFinite(x)) &&
          (range[0] as number) < (range[1] as number);
        if (!ok) return { problem: `item ${i + 1} is ${describeValue(range)}`, problemAt: i };
      }
      return { value };
    }
    case 'files': {
      if (!Array.isArray(value)) return { problem: got };
      if (value.length < spec.minItems || value.length > spec.maxItems) return { problem: `got ${value.length} paths` };
      const bad = value.findIndex((item) => typeof item !== 'string' || item.trim() === '');
      if (bad >= 0) return { problem: `item ${bad + 1} is ${describeValue(value[bad])}`, problemAt: bad };
      return { value };
    }
  }
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value).slice(0, 60);
}

/** Levenshtein distance, to suggest the closest known key for a misspelled one. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
