/**
 * The `.bnnb` file format, version 1 (documented in docs/bnnb-format.md).
 *
 * Pure: no `vscode` import, so the serializer, the headless runner and the tests share it.
 * Reading never guesses: a file that is not a valid `.bnnb` throws a {@link BnnbFormatError} that names
 * the problem and where it is, because an editor that opened it as an empty notebook would destroy the
 * user's file on the next save.
 */
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';

export const BNNB_FORMAT = 'bnnb';
export const BNNB_VERSION = 1;

export type CellKind = 'markdown' | 'code';

/** One output item. JSON MIME types keep their value as JSON; text is a string; anything else is base64. */
export interface BnnbOutputItem {
  mime: string;
  data: unknown;
  encoding?: 'base64';
}

export interface BnnbOutput {
  items: BnnbOutputItem[];
  metadata?: Record<string, unknown>;
}

/** What the last run of a cell left: its order in the session, success, and wall-clock times (ms since epoch). */
export interface BnnbExecution {
  order?: number;
  success?: boolean;
  startTime?: number;
  endTime?: number;
}

export interface BnnbCell {
  kind: CellKind;
  language: string;
  source: string;
  outputs: BnnbOutput[];
  execution?: BnnbExecution;
  metadata?: Record<string, unknown>;
}

export interface BnnbNotebook {
  metadata: Record<string, unknown>;
  cells: BnnbCell[];
}

/** Where in the file a problem is: 1-based line and column, and the JSON path. */
export interface BnnbLocation {
  line: number;
  column: number;
  path: string;
}

export class BnnbFormatError extends Error {
  override readonly name = 'BnnbFormatError';
  constructor(
    readonly problem: string,
    readonly location?: BnnbLocation,
  ) {
    super(location ? `${problem} (line ${location.line}, column ${location.column}${location.path ? `, at ${location.path}` : ''})` : problem);
  }
}

/** A MIME type whose data is stored as a JSON value rather than a string. */
export function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json') || mime === 'application/vnd.code.notebook.error';
}

/** A MIME type whose data is stored as a UTF-8 string. */
export function isTextMime(mime: string): boolean {
  return (
    mime.startsWith('text/') ||
    mime === 'application/vnd.code.notebook.stdout' ||
    mime === 'application/vnd.code.notebook.stderr' ||
    mime === 'image/svg+xml' ||
    mime === 'application/javascript'
  );
}

// ---------------------------------------------------------------------------------------------- reading

/** Parses and validates the text of a `.bnnb` file. An empty (or whitespace-only) file is an empty notebook. */
export function parseBnnb(text: string): BnnbNotebook {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return { metadata: {}, cells: [] };
  rejectMergeConflict(text);

  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length > 0 || !root) {
    const first = errors[0];
    const offset = first?.offset ?? 0;
    const what = first ? describeParseError(printParseErrorCode(first.error)) : 'no JSON value';
    throw new BnnbFormatError(`Not a valid .bnnb file: the JSON is broken (${what})`, locate(text, offset, ''));
  }
  return new Validator(text, root).notebook();
}

function rejectMergeConflict(text: string): void {
  const match = /^(<{7}|={7}|>{7})(?: |$)/m.exec(text);
  if (!match) return;
  throw new BnnbFormatError(
    'Not a valid .bnnb file: it contains git merge-conflict markers. Resolve the conflict in a text editor (Reopen Editor With… > Text Editor), then open it again',
    locate(text, match.index, ''),
  );
}

function describeParseError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'invalid number',
    PropertyNameExpected: 'a property name was expected',
    ValueExpected: 'a value was expected',
    ColonExpected: 'a colon was expected',
    CommaExpected: 'a comma was expected',
    CloseBraceExpected: 'a closing brace } was expected',
    CloseBracketExpected: 'a closing bracket ] was expected',
    EndOfFileExpected: 'extra text after the end of the document',
    InvalidCommentToken: 'comments are not allowed',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character in a string',
  };
  return words[code] ?? code;
}

function locate(text: string, offset: number, path: string): BnnbLocation {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1, path };
}

type JsonPath = (string | number)[];

function formatPath(path: JsonPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function typeOfJson(node: Node | undefined): string {
  if (!node) return 'nothing';
  if (node.type === 'number' && !Number.isInteger(node.value)) return 'a number';
  const words: Record<Node['type'], string> = {
    object: 'an object',
    array: 'an array',
    string: 'a string',
    number: 'a number',
    boolean: 'a boolean',
    null: 'null',
    property: 'a property',
  };
  return words[node.type];
}

/** Walks the parse tree and builds the notebook, failing at the first problem with its position. */
class Validator {
  /** Plain values come from JSON.parse (ordinary objects); the tree only gives positions. */
  private readonly json: unknown;

  constructor(
    private readonly text: string,
    private readonly root: Node,
  ) {
    this.json = JSON.parse(text);
  }

  private valueAt(path: JsonPath): unknown {
    let value = this.json;
    for (const key of path) value = (value as Record<string | number, unknown>)[key];
    return value;
  }

  notebook(): BnnbNotebook {
    this.expect([], 'object', 'a .bnnb notebook must be a JSON object');
    const format = this.node(['format']);
    if (!format || format.type !== 'string' || format.value !== BNNB_FORMAT) {
      this.fail(['format'], `Not a .bnnb notebook: "format" must be "${BNNB_FORMAT}"`, format ?? this.root);
    }
    const version = this.node(['version']);
    if (!version) this.fail([], 'Not a valid .bnnb file: the "version" field is missing', this.root);
    if (version.type !== 'number' || !Number.isInteger(version.value)) {
      this.fail(['version'], `Not a valid .bnnb file: "version" must be an integer, got ${typeOfJson(version)}`);
    }
    if (version.value !== BNNB_VERSION) {
      const newer = version.value > BNNB_VERSION ? ' It was written by a newer BatchNorm Lab: update the extension to open it.' : '';
      this.fail(['version'], `Unsupported .bnnb version ${version.value}: this BatchNorm Lab reads version ${BNNB_VERSION}.${newer}`);
    }
    this.knownKeys([], ['format', 'version', 'metadata', 'cells']);
    const metadata = this.optionalObject(['metadata']) ?? {};
    this.expect(['cells'], 'array', '"cells" must be an array');
    const cells = this.node(['cells'])!.children!.map((_, i) => this.cell(['cells', i]));
    return { metadata, cells };
  }

  private cell(path: JsonPath): BnnbCell {
    this.expect(path, 'object', 'a cell must be an object');
    this.knownKeys(path, ['kind', 'language', 'source', 'outputs', 'execution', 'metadata']);
    const kind = this.string([...path, 'kind']);
    if (kind !== 'markdown' && kind !== 'code') {
      this.fail([...path, 'kind'], `a cell's "kind" must be "markdown" or "code", got ${JSON.stringify(kind)}`);
    }
    const language = this.string([...path, 'language']);
    const source = this.source([...path, 'source']);
    const outputs = this.optionalArray([...path, 'outputs'], (p) => this.output(p)) ?? [];
    const cell: BnnbCell = { kind, language, source, outputs };
    const execution = this.execution([...path, 'execution']);
    if (execution) cell.execution = execution;
    const metadata = this.optionalObject([...path, 'metadata']);
    if (metadata) cell.metadata = metadata;
    return cell;
  }

  /** Source is a list of lines (clean diffs); a single string is accepted for hand-written files. */
  private source(path: JsonPath): string {
    const node = this.node(path);
    if (node?.type === 'string') return node.value as string;
    if (node?.type === 'array') {
      return node.children!.map((_, i) => this.string([...path, i], 'each line of "source" must be a string')).join('\n');
    }
    this.fail(path, `"source" must be an array of lines or a string, got ${typeOfJson(node)}`, node);
  }

  private output(path: JsonPath): BnnbOutput {
    this.expect(path, 'object', 'an output must be an object');
    this.knownKeys(path, ['items', 'metadata']);
    this.expect([...path, 'items'], 'array', 'an output\'s "items" must be an array');
    const items = this.node([...path, 'items'])!.children!.map((_, i) => this.outputItem([...path, 'items', i]));
    const output: BnnbOutput = { items };
    const metadata = this.optionalObject([...path, 'metadata']);
    if (metadata) output.metadata = metadata;
    return output;
  }

  private outputItem(path: JsonPath): BnnbOutputItem {
    this.expect(path, 'object', 'an output item must be an object');
    this.knownKeys(path, ['mime', 'data', 'encoding']);
    const mime = this.string([...path, 'mime']);
    const dataNode = this.node([...path, 'data']);
    if (!dataNode) this.fail(path, 'an output item needs "data"', this.node(path));
    const encodingNode = this.node([...path, 'encoding']);
    if (encodingNode) {
      if (encodingNode.value !== 'base64') this.fail([...path, 'encoding'], '"encoding" can only be "base64"');
      if (dataNode.type !== 'string') this.fail([...path, 'data'], `base64 "data" must be a string, got ${typeOfJson(dataNode)}`);
      return { mime, data: dataNode.value, encoding: 'base64' };
    }
    if (!isJsonMime(mime) && dataNode.type !== 'string') {
      this.fail([...path, 'data'], `"data" of ${mime} must be a string, got ${typeOfJson(dataNode)}`);
    }
    return { mime, data: this.valueAt([...path, 'data']) };
  }

  private execution(path: JsonPath): BnnbExecution | undefined {
    const node = this.node(path);
    if (!node) return undefined;
    this.expect(path, 'object', '"execution" must be an object');
    this.knownKeys(path, ['order', 'success', 'startTime', 'endTime']);
    const execution: BnnbExecution = {};
    for (const key of ['order', 'startTime', 'endTime'] as const) {
      const value = this.node([...path, key]);
      if (!value) continue;
      if (value.type !== 'number' || !Number.isInteger(value.value) || value.value < 0) {
        this.fail([...path, key], `"${key}" must be a non-negative integer, got ${typeOfJson(value)}`);
      }
      execution[key] = value.value;
    }
    const success = this.node([...path, 'success']);
    if (success) {
      if (success.type !== 'boolean') this.fail([...path, 'success'], `"success" must be a boolean, got ${typeOfJson(success)}`);
      execution.success = success.value;
    }
    return execution;
  }

  private string(path: JsonPath, message?: string): string {
    const node = this.node(path);
    if (node?.type !== 'string') {
      const key = path[path.length - 1];
      this.fail(path, message ?? `"${String(key)}" must be a string, got ${typeOfJson(node)}`, node ?? this.node(path.slice(0, -1)));
    }
    return node.value as string;
  }

  private optionalObject(path: JsonPath): Record<string, unknown> | undefined {
    const node = this.node(path);
    if (!node) return undefined;
    if (node.type !== 'object') this.fail(path, `"${String(path[path.length - 1])}" must be an object, got ${typeOfJson(node)}`);
    return this.valueAt(path) as Record<string, unknown>;
  }

  private optionalArray<T>(path: JsonPath, each: (path: JsonPath) => T): T[] | undefined {
    const node = this.node(path);
    if (!node) return undefined;
    if (node.type !== 'array') this.fail(path, `"${String(path[path.length - 1])}" must be an array, got ${typeOfJson(node)}`);
    return node.children!.map((_, i) => each([...path, i]));
  }

  private knownKeys(path: JsonPath, allowed: string[]): void {
    for (const property of this.node(path)?.children ?? []) {
      const key = property.children![0]!.value as string;
      if (!allowed.includes(key)) {
        this.fail([...path, key], `unknown field "${key}"; allowed here: ${allowed.join(', ')}`, property);
      }
    }
  }

  private expect(path: JsonPath, type: Node['type'], message: string): void {
    const node = this.node(path);
    if (node?.type !== type) {
      this.fail(path, `${message}, got ${typeOfJson(node)}`, node ?? this.node(path.slice(0, -1)));
    }
  }

  private node(path: JsonPath): Node | undefined {
    return path.length === 0 ? this.root : findNodeAtLocation(this.root, path);
  }

  private fail(path: JsonPath, problem: string, at?: Node): never {
    const node = at ?? this.node(path) ?? this.root;
    const where = formatPath(path);
    const prefix = problem.startsWith('Not') || problem.startsWith('Unsupported') ? '' : 'Not a valid .bnnb file: ';
    throw new BnnbFormatError(prefix + problem, locate(this.text, node.offset, where));
  }
}

// ---------------------------------------------------------------------------------------------- writing

/** Serializes with a stable key order, 2-space indent and a trailing newline, for clean git diffs. */
export function stringifyBnnb(notebook: BnnbNotebook): string {
  const file = {
    format: BNNB_FORMAT,
    version: BNNB_VERSION,
    metadata: sortKeys(notebook.metadata),
    cells: notebook.cells.map(orderCell),
  };
  return JSON.stringify(file, null, 2) + '\n';
}

function orderCell(cell: BnnbCell): Record<string, unknown> {
  const ordered: Record<string, unknown> = {
    kind: cell.kind,
    language: cell.language,
    source: cell.source.split(/\r?\n/),
  };
  if (cell.kind === 'code') ordered.outputs = cell.outputs.map(orderOutput);
  if (cell.execution && Object.keys(cell.execution).length > 0) {
    const { order, success, startTime, endTime } = cell.execution;
    ordered.execution = dropUndefined({ order, success, startTime, endTime });
  }
  if (cell.metadata && Object.keys(cell.metadata).length > 0) ordered.metadata = sortKeys(cell.metadata);
  return ordered;
}

function orderOutput(output: BnnbOutput): Record<string, unknown> {
  const ordered: Record<string, unknown> = {
    items: output.items.map((item) => dropUndefined({ mime: item.mime, encoding: item.encoding, data: item.data })),
  };
  if (output.metadata && Object.keys(output.metadata).length > 0) ordered.metadata = sortKeys(output.metadata);
  return ordered;
}

function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** Metadata keys are sorted recursively so that the same content always writes the same bytes. */
function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    ) as T;
  }
  return value;
}
