/**
 * Runs cells inside a notebook's worker and keeps the notebook's state between them: the globals that
 * TypeScript cells declare live on the worker's global object, next to the engine API.
 */
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import vm from 'node:vm';
import * as engine from '../engine';
import * as scope from './cell-scope';
import { InterruptedError, type Datasets, type ExperimentContext, type Progress } from '../experiments/experiment';
import { ExperimentCellError } from '../experiments/cell';
import { DivergenceError } from '../experiments/divergence';
import type { BnnbOutput } from '../notebook/format';
import { EXPERIMENT_LANGUAGE, runExperimentCell } from './experiment-cell';
import type { InterruptFlag } from './interrupt';
import { notebookFiles } from './notebook-files';
import { errorOutput, streamOutput, textOutput } from './outputs';
import type { CellRequest } from './protocol';
import { createShow } from './show';
import { formatTensor } from './tensor-format';
import { CellCompileError, compileCell, type Transform } from './typescript/compile';
import { reportCellError } from './typescript/errors';

export const TYPESCRIPT_LANGUAGE = 'typescript';

/** Where a running cell's streamed outputs and progress go. */
export interface CellSink {
  output(output: BnnbOutput): void;
  progress(progress: Progress): void;
}

export interface CellResult {
  success: boolean;
  /** Outputs that come at the end (the value of a last expression, or the error), after the streamed ones. */
  outputs: BnnbOutput[];
}

/** Progress is forwarded at most this often (and always at the last step). */
const PROGRESS_INTERVAL_MS = 200;

export class CellRunner {
  private sink: CellSink | undefined;
  /** The running cell's context, so that the `progress` global throttles per cell. */
  private cellContext: ExperimentContext | undefined;
  private compiledCount = 0;

  constructor(
    private readonly interrupt: InterruptFlag,
    private readonly transform: Transform,
    private readonly datasets: Datasets,
  ) {
    this.installGlobals();
  }

  async run(cell: CellRequest, sink: CellSink): Promise<CellResult> {
    this.sink = sink;
    this.cellContext = this.context(cell.directory);
    this.interrupt.clear();
    try {
      const outputs = cell.language === EXPERIMENT_LANGUAGE ? await runExperimentCell(cell.source, this.cellContext) : await this.runTypeScript(cell);
      return { success: true, outputs };
    } catch (error) {
      return { success: false, outputs: [this.errorFor(error)] };
    } finally {
      this.sink = undefined;
      this.cellContext = undefined;
    }
  }

  private async runTypeScript(cell: CellRequest): Promise<BnnbOutput[]> {
    if (cell.language !== TYPESCRIPT_LANGUAGE) {
      throw new UnsupportedLanguageError(`BatchNorm Lab runs "${EXPERIMENT_LANGUAGE}" experiment cells and "${TYPESCRIPT_LANGUAGE}" cells; this cell's language is "${cell.language}".`);
    }
    // Each run gets its own file name, so that stack frames of earlier runs are not mapped with this one's map.
    const filename = `bnlab-cell-${++this.compiledCount}.js`;
    const compiled = await compileCell(cell.source, filename, this.transform);
    try {
      const value = await (new vm.Script(compiled.code, { filename }).runInThisContext() as Promise<unknown>);
      return value === undefined ? [] : [textOutput(describeValue(value))];
    } catch (error) {
      if (error instanceof InterruptedError) throw error;
      const report = reportCellError(error, filename, compiled.map, cell.label);
      throw new CellError(report.name, report.message, report.stack);
    }
  }

  private errorFor(error: unknown): BnnbOutput {
    if (error instanceof CellError) return errorOutput(error.reportedName, error.message, error.reportedStack);
    // Problems with the cell itself: the message says where; a stack would only point into the lab.
    const ownMessage = [ExperimentCellError, CellCompileError, UnsupportedLanguageError, InterruptedError, DivergenceError].some((type) => error instanceof type);
    if (ownMessage) {
      return errorOutput((error as Error).name, (error as Error).message);
    }
    const err = error instanceof Error ? error : new Error(String(error));
    return errorOutput(err.name, err.message, err.stack ?? '');
  }

  /** The experiment context: interrupt checks against the shared flag, throttled progress. */
  private context(directory: string | undefined): ExperimentContext {
    let lastSent = 0;
    return {
      datasets: this.datasets,
      ...(directory !== undefined ? { files: notebookFiles(directory) } : {}),
      checkInterrupt: () => this.interrupt.throwIfSet(),
      progress: (progress) => {
        this.interrupt.throwIfSet();
        const now = Date.now();
        if (now - lastSent < PROGRESS_INTERVAL_MS && progress.step < progress.total) return;
        lastSent = now;
        this.sink?.progress(progress);
      },
    };
  }

  /** The engine API and the lab's helpers, as globals of every TypeScript cell. */
  private installGlobals(): void {
    const emit = (output: BnnbOutput) => {
      if (!this.sink) throw new Error('show() was called after its cell finished (from a timer or an unawaited promise?)');
      this.sink.output(output);
    };
    const stream = (name: 'stdout' | 'stderr') =>
      new Writable({
        write: (chunk: Buffer | string, _encoding, callback) => {
          // Output written after its cell ended has no cell to go to: the worker's own stream gets it.
          if (this.sink) this.sink.output(streamOutput(name, chunk.toString()));
          else process[name].write(chunk);
          callback();
        },
      });
    Object.assign(globalThis, cellGlobals({
      show: createShow(emit),
      /** Reports progress of a long loop in the cell, and stops it there if the user interrupted. */
      progress: (progress: Progress) => this.cellContext?.progress(progress),
      /** Stops the cell here if the user interrupted it. */
      checkInterrupt: () => this.interrupt.throwIfSet(),
    }));
    Object.assign(globalThis, { console: new Console({ stdout: stream('stdout'), stderr: stream('stderr'), colorMode: false }) });
  }
}

/**
 * The globals of TypeScript cells: every name of ./cell-scope (the engine's API and the lab's helpers),
 * with the helpers that cell-scope only declares bound to this runner. `var` is a reserved word, no name
 * in a cell (`variance` is the same function).
 */
export function cellGlobals(helpers: Pick<typeof scope, 'show' | 'progress' | 'checkInterrupt'>): Record<string, unknown> {
  const { var: _var, ...names } = scope;
  return { ...names, ...helpers };
}

/** An error raised by the cell's own code, already mapped to the cell's lines. */
class CellError extends Error {
  constructor(
    readonly reportedName: string,
    message: string,
    readonly reportedStack: string,
  ) {
    super(message);
  }
}

class UnsupportedLanguageError extends Error {
  override readonly name = 'UnsupportedLanguageError';
}

function describeValue(value: unknown): string {
  if (value instanceof engine.Tensor) return formatTensor(value);
  return inspect(value, { depth: 4, maxArrayLength: 50, breakLength: 100 });
}
