/** Maps an error thrown by a cell's compiled code back to the cell's own lines and columns. */
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';

export interface CellErrorReport {
  name: string;
  message: string;
  /** The stack with only the cell's frames, each at the cell's own line and column. */
  stack: string;
}

/**
 * `filename` is what the script was compiled with; its frames are remapped through `map` and shown as
 * `label:line:column`. Frames inside the lab (the engine, the worker) are left out: they would send the
 * user into code that is not theirs.
 */
export function reportCellError(error: unknown, filename: string, map: string | undefined, label: string): CellErrorReport {
  if (!(error instanceof Error)) return { name: 'Error', message: `The cell threw a non-Error value: ${String(error)}`, stack: '' };
  const trace = map ? new TraceMap(map) : undefined;
  const framePattern = new RegExp(`${escape(filename)}:(\\d+):(\\d+)`);
  const frames: string[] = [];
  let firstPosition: { line: number; column: number } | undefined;
  for (const line of (error.stack ?? '').split('\n')) {
    if (!/^\s+at /.test(line)) continue;
    const match = framePattern.exec(line);
    if (!match) continue;
    const generated = { line: Number(match[1]), column: Number(match[2]) - 1 };
    const original = trace ? originalPositionFor(trace, generated) : undefined;
    // Frames in the code the lab wrapped around the cell (the async wrapper) have no place in the cell.
    if (trace && (!original || original.line === null)) continue;
    const position = original && original.line !== null ? { line: original.line, column: original.column + 1 } : { line: generated.line, column: generated.column + 1 };
    firstPosition ??= position;
    const rewritten = line.replace(framePattern, `${label}:${position.line}:${position.column}`).replace(/ \(?eval at [^)]*\)?/, '');
    // The cell's top level is a function V8 names `Object.<anonymous>` (vm in Node) or `eval` (global eval in a Web Worker).
    frames.push(rewritten.replace(/at async (\S+) \(/, 'at $1 (').replace(/at (\S+) \((.+)\)$/, (all, fn: string, where: string) => (fn === 'Object.<anonymous>' || fn === '<anonymous>' || fn === 'eval' ? `at ${where}` : all)));
  }
  const where = firstPosition ? ` (${label}, line ${firstPosition.line}, column ${firstPosition.column})` : '';
  const message = error.message + where;
  return { name: error.name, message, stack: frames.length > 0 ? `${error.name}: ${message}\n${frames.join('\n')}` : '' };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
