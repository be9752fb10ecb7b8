/**
 * A cell's value as text where Node's util.inspect is not available (the Web Worker kernel). It follows
 * util.inspect's conventions for what cells usually return (numbers, strings, arrays, plain objects,
 * typed arrays, Map, Set, class instances, functions, errors), so a value reads the same on the web as on
 * the desktop; short values print exactly as util.inspect prints them (see test/unit/kernel/format-value.test.ts).
 */
export interface FormatOptions {
  depth: number;
  maxArrayLength: number;
  breakLength: number;
}

const DEFAULTS: FormatOptions = { depth: 4, maxArrayLength: 50, breakLength: 100 };
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

interface Context extends FormatOptions {
  seen: object[];
  circular: Map<object, number>;
  /** The level of the object formatted last: how deep the nesting below an object went (util.inspect's rule). */
  currentDepth: number;
}

export function formatValue(value: unknown, options: Partial<FormatOptions> = {}): string {
  const ctx: Context = { ...DEFAULTS, ...options, seen: [], circular: new Map(), currentDepth: 0 };
  const circular = ctx.circular;
  const text = format(value, 0, ctx);
  const ref = typeof value === 'object' && value !== null ? circular.get(value) : undefined;
  return ref !== undefined ? `<ref *${ref}> ${text}` : text;
}

/** A string the way util.inspect quotes it: single quotes unless the text holds one. */
export function quoteString(text: string): string {
  const quote = !text.includes("'") ? "'" : !text.includes('"') ? '"' : !text.includes('`') && !text.includes('${') ? '`' : "'";
  const escaped = text.replace(/[\\\n\t\r\b\f\v]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\b': '\\b', '\f': '\\f', '\v': '\\v' })[c]!);
  return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
}

function format(value: unknown, level: number, ctx: Context): string {
  const { seen, circular } = ctx;
  const opts = ctx;
  switch (typeof value) {
    case 'string':
      return quoteString(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return functionName(value as (...args: never[]) => unknown);
  }
  if (value === null) return 'null';
  const object = value as object;
  if (seen.includes(object)) {
    if (!circular.has(object)) circular.set(object, circular.size + 1);
    return `[Circular *${circular.get(object)}]`;
  }
  if (object instanceof Error) return object.stack ?? `${object.name}: ${object.message}`;
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (object instanceof RegExp) return object.toString();
  if (object instanceof Promise) return 'Promise { <pending> }';
  if (object instanceof WeakMap || object instanceof WeakSet) return `${object.constructor.name} { <items unknown> }`;

  const name = constructorName(object);
  if (level > opts.depth) return Array.isArray(object) ? '[Array]' : `[${name ?? 'Object'}]`;
  seen.push(object);
  ctx.currentDepth = level;
  try {
    const inner = (v: unknown) => format(v, level + 1, ctx);
    let isArray = false;
    let prefix = '';
    let braces: [string, string] = ['{', '}'];
    let entries: string[];
    if (Array.isArray(object) || ArrayBuffer.isView(object)) {
      const items = object as ArrayLike<unknown>;
      const typed = ArrayBuffer.isView(object) && !(object instanceof DataView);
      if (typed) prefix = `${name}(${items.length}) `;
      else if (name !== 'Array') prefix = `${name ?? '[Array: null prototype]'}(${items.length}) `;
      braces = ['[', ']'];
      isArray = true;
      entries = [];
      const shown = Math.min(items.length, opts.maxArrayLength);
      for (let i = 0; i < shown; i++) entries.push(i in object ? inner(items[i]) : '<1 empty item>');
      if (items.length > shown) entries.push(`... ${items.length - shown} more item${items.length - shown === 1 ? '' : 's'}`);
      entries.push(...ownEntries(object, inner, (key) => !/^\d+$/.test(key)));
    } else if (object instanceof Map) {
      prefix = `${name}(${object.size}) `;
      entries = [...object].map(([k, v]) => `${inner(k)} => ${inner(v)}`);
    } else if (object instanceof Set) {
      prefix = `${name}(${object.size}) `;
      entries = [...object].map(inner);
    } else {
      if (name === undefined) prefix = '[Object: null prototype] ';
      else if (name !== 'Object') prefix = `${name} `;
      entries = ownEntries(object, inner, () => true);
    }
    if (entries.length === 0) return `${prefix}${braces[0]}${braces[1]}`;
    const open = prefix + braces[0];
    const output = isArray && entries.length > 6 ? groupArrayElements(entries, level, opts, object as ArrayLike<unknown>) : entries;
    return join(output, entries.length, [open, braces[1]], level, ctx);
  } finally {
    seen.pop();
  }
}

function ownEntries(object: object, inner: (v: unknown) => string, include: (key: string) => boolean): string[] {
  const out: string[] = [];
  for (const key of Object.keys(object)) {
    if (!include(key)) continue;
    out.push(`${IDENTIFIER.test(key) ? key : quoteString(key)}: ${inner((object as Record<string, unknown>)[key])}`);
  }
  for (const symbol of Object.getOwnPropertySymbols(object)) {
    if (Object.getOwnPropertyDescriptor(object, symbol)?.enumerable) out.push(`[${symbol.toString()}]: ${inner((object as Record<symbol, unknown>)[symbol])}`);
  }
  return out;
}

/**
 * util.inspect's layout (compact: 3): one line when the object has fewer than three levels below it, was
 * not grouped into columns and fits in breakLength; else one entry (or row) per line. Entries already
 * carry their own (absolute) indentation.
 */
function join(output: string[], entries: number, braces: [string, string], level: number, ctx: Context): string {
  const indentation = level * 2;
  if (ctx.currentDepth - level < 3 && entries === output.length) {
    const start = output.length + indentation + braces[0].length + 10;
    const total = output.reduce((sum, e) => sum + e.length, output.length + start);
    if (total <= ctx.breakLength) {
      const joined = output.join(', ');
      if (!joined.includes('\n')) return `${braces[0]} ${joined} ${braces[1]}`;
    }
  }
  const newline = `\n${' '.repeat(indentation)}`;
  return `${braces[0]}${newline}  ${output.join(`,${newline}  `)}${newline}${braces[1]}`;
}

/** util.inspect's columns for arrays of more than six short entries. */
function groupArrayElements(output: string[], level: number, opts: FormatOptions, value: ArrayLike<unknown>): string[] {
  const indentation = level * 2;
  let totalLength = 0;
  let maxLength = 0;
  const outputLength = output.length - (value.length > opts.maxArrayLength ? 1 : 0);
  const separatorSpace = 2;
  const dataLen: number[] = [];
  for (let i = 0; i < outputLength; i++) {
    const len = output[i]!.length;
    dataLen.push(len);
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (actualMax * 3 + indentation < opts.breakLength && (totalLength / actualMax > 5 || maxLength <= 6)) {
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax), Math.floor((opts.breakLength - indentation) / actualMax), 3 * 4, 15);
    if (columns <= 1) return output;
    const maxLineLength: number[] = [];
    for (let i = 0; i < columns; i++) {
      let lineLength = 0;
      for (let j = i; j < output.length; j += columns) if (dataLen[j]! > lineLength) lineLength = dataLen[j]!;
      maxLineLength.push(lineLength + separatorSpace);
    }
    let numbers = true;
    for (let i = 0; i < output.length; i++) if (typeof value[i] !== 'number' && typeof value[i] !== 'bigint') numbers = false;
    const rows: string[] = [];
    for (let i = 0; i < outputLength; i += columns) {
      const max = Math.min(i + columns, outputLength);
      let row = '';
      let j = i;
      for (; j < max - 1; j++) row += numbers ? `${output[j]}, `.padStart(maxLineLength[j - i]!) : `${output[j]}, `.padEnd(maxLineLength[j - i]!);
      row += numbers ? output[j]!.padStart(maxLineLength[j - i]! - separatorSpace) : output[j];
      rows.push(row);
    }
    if (value.length > opts.maxArrayLength) rows.push(output[outputLength]!);
    return rows;
  }
  return output;
}

function constructorName(object: object): string | undefined {
  const proto = Object.getPrototypeOf(object) as { constructor?: { name?: string } } | null;
  if (proto === null) return undefined;
  return proto.constructor?.name || 'Object';
}

function functionName(fn: (...args: never[]) => unknown): string {
  const source = Function.prototype.toString.call(fn);
  if (/^class\b/.test(source)) {
    const base = Object.getPrototypeOf(fn) as { name?: string };
    return `[class ${fn.name || '(anonymous)'}${base && base.name ? ` extends ${base.name}` : ''}]`;
  }
  const kind = fn.constructor?.name === 'AsyncFunction' ? 'AsyncFunction' : fn.constructor?.name === 'GeneratorFunction' ? 'GeneratorFunction' : 'Function';
  return fn.name ? `[${kind}: ${fn.name}]` : `[${kind} (anonymous)]`;
}
