/**
 * The kernel's platform seam, inside a notebook's worker: what differs between a Node worker thread
 * (the desktop extension host, the headless runner) and a Web Worker (vscode.dev, github.dev). Everything
 * else in the kernel is shared. Implementations: ./node.ts and ./web.ts, picked by the worker's entry file.
 */
import type { NotebookFiles } from '../../experiments/experiment';
import type { JobPool } from '../../experiments/runs';

export type StreamName = 'stdout' | 'stderr';

export interface KernelPlatform {
  /** Runs a compiled cell (a script) in the worker's global scope and returns its completion value. */
  evaluate(code: string, filename: string): unknown;
  /** A cell's last value as text, the way a REPL shows it. */
  describe(value: unknown): string;
  /** The `console` of TypeScript cells: each call becomes text on stdout or stderr. */
  createConsole(write: (stream: StreamName, text: string) => void): Console;
  /** Output written when no cell is running (a timer that logs after its cell ended). */
  writeStray(stream: StreamName, text: string): void;
  /** Files next to the notebook; `directory` is what the host sent with the cell. */
  notebookFiles(directory: string): NotebookFiles;
  /** Workers for an experiment's independent runs (ExperimentContext.pool); absent or undefined: they run in this thread. */
  jobPool?(): JobPool | undefined;
}

/** Thrown when an allocation of a cell fails: the kernel has no memory for it (both platforms). */
export class MemoryLimitError extends Error {
  override readonly name = 'OutOfMemory';
}
