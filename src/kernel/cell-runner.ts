/**
 * Runs cells inside a notebook's worker and keeps the notebook's state between them: the globals that
 * TypeScript cells declare live on the worker's global object, next to the engine API.
 */
import * as engine from '../engine';
import * as scope from './cell-scope';
import { InterruptedError, type Datasets, type ExperimentContext, type Progress } from '../experiments/experiment';
import { ExperimentCellError } from '../experiments/cell';
import { DivergenceError } from '../experiments/divergence';
import type { BnnbOutput } from '../shared/bnnb-format';
import type { PlotPayload } from '../shared/payload';
import { LivePlots } from './live-plots';
import { EXPERIMENT_LANGUAGE, runExperimentCell } from './experiment-cell';
import type { InterruptFlag } from './interrupt';
import { errorOutput, plotOutput, streamOutput, textOutput } from './outputs';
import type { CellRequest } from './protocol';
import { MemoryLimitError, type KernelPlatform } from './platform/types';
import { createShow } from './show';
import { formatTensor } from './tensor-format';
import { CellCompileError, compileCell } from './typescript/compile';
import { reportCellError } from './typescript/errors';

export const TYPESCRIPT_LANGUAGE = 'typescript';

/** Where a running cell's streamed outputs, progress and live plots go. */
export interface CellSink {
  output(output: BnnbOutput): void;
  progress(progress: Progress): void;
  /** The running experiment's plots so far (throttled); absent: nobody watches them. */
  preview?(plots: PlotPayload[]): void;
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
  private live: LivePlots | undefined;
  private compiledCount = 0;

  constructor(
    private readonly interrupt: InterruptFlag,
    private readonly datasets: Datasets,
    private readonly platform: KernelPlatform,
  ) {
    this.installGlobals();
  }

  async run(cell: CellRequest, sink: CellSink): Promise<CellResult> {
    this.sink = sink;
    const live = new LivePlots(
      (plots) => sink.preview?.(plots),
      (error) => sink.output(streamOutput('stderr', `Live plots stopped updating: ${error instanceof Error ? error.message : String(error)}\n`)),
    );
    this.live = live;
    this.cellContext = this.context(cell.directory, sink.preview ? live : undefined);
    this.interrupt.clear();
    try {
      const outputs = cell.language === EXPERIMENT_LANGUAGE ? await runExperimentCell(cell.source, this.cellContext) : await this.runTypeScript(cell);
      live.close();
      return { success: true, outputs };
    } catch (error) {
      // An interrupted experiment keeps what it had drawn so far, marked as interrupted, above the error.
      const partial = error instanceof InterruptedError ? live.interrupted() : (live.close(), undefined);
      return { success: false, outputs: [...(partial ?? []).map((plot) => plotOutput(plot)), this.errorFor(error)] };
    } finally {
      this.sink = undefined;
      this.cellContext = undefined;
      this.live = undefined;
    }
  }

  /**
   * The running cell's live plots, marked as interrupted, as outputs: for a cell released while it awaits
   * (its runs on the pool, say), whose own error path comes too late to be shown.
   */
  interruptedPlots(): BnnbOutput[] {
    return (this.live?.interrupted() ?? []).map((plot) => plotOutput(plot));
  }

  private async runTypeScript(cell: CellRequest): Promise<BnnbOutput[]> {
    if (cell.language !== TYPESCRIPT_LANGUAGE) {
      throw new UnsupportedLanguageError(`BatchNorm Lab runs "${EXPERIMENT_LANGUAGE}" experiment cells and "${TYPESCRIPT_LANGUAGE}" cells; this cell's language is "${cell.language}".`);
    }
    // Each run gets its own file name, so that stack frames of earlier runs are not mapped with this one's map.
    const filename = `bnlab-cell-${++this.compiledCount}.js`;
    const compiled = await compileCell(cell.source, filename);
    try {
      const value = await (this.platform.evaluate(compiled.code, filename) as Promise<unknown>);
      return value === undefined ? [] : [textOutput(value instanceof engine.Tensor ? formatTensor(value) : this.platform.describe(value))];
    } catch (error) {
      if (error instanceof InterruptedError || error instanceof MemoryLimitError) throw error;
      if (isAllocationFailure(error)) throw allocationError(error as Error);
      const report = reportCellError(error, filename, compiled.map, cell.label);
      throw new CellError(report.name, report.message, report.stack);
    }
  }

  private errorFor(error: unknown): BnnbOutput {
    if (error instanceof CellError) return errorOutput(error.reportedName, error.message, error.reportedStack);
    // Problems with the cell itself: the message says where; a stack would only point into the lab.
    if (isAllocationFailure(error)) error = allocationError(error as Error);
    const ownMessage = [ExperimentCellError, CellCompileError, UnsupportedLanguageError, InterruptedError, DivergenceError, MemoryLimitError].some((type) => error instanceof type);
    if (ownMessage) {
      return errorOutput((error as Error).name, (error as Error).message);
    }
    const err = error instanceof Error ? error : new Error(String(error));
    return errorOutput(err.name, err.message, err.stack ?? '');
  }

  /** The experiment context: interrupt checks against the shared flag, throttled progress. */
  private context(directory: string | undefined, live: LivePlots | undefined): ExperimentContext {
    let lastSent = 0;
    const pool = this.platform.jobPool?.();
    return {
      ...(live ? { preview: (build: () => PlotPayload[]) => live.offer(build) } : {}),
      ...(pool ? { pool } : {}),
      datasets: this.datasets,
      ...(directory !== undefined ? { files: this.platform.notebookFiles(directory) } : {}),
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
    // Output written after its cell ended has no cell to go to: the worker's own stream gets it.
    const write = (name: 'stdout' | 'stderr', text: string) => (this.sink ? this.sink.output(streamOutput(name, text)) : this.platform.writeStray(name, text));
    Object.assign(globalThis, cellGlobals({
      show: createShow(emit),
      /** Reports progress of a long loop in the cell, and stops it there if the user interrupted. */
      progress: (progress: Progress) => this.cellContext?.progress(progress),
      /** Stops the cell here if the user interrupted it. */
      checkInterrupt: () => this.interrupt.throwIfSet(),
    }));
    Object.assign(globalThis, { console: this.platform.createConsole(write) });
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

/** A failed allocation (a tensor too large for memory): V8 throws a RangeError instead of stopping the worker. */
function isAllocationFailure(error: unknown): boolean {
  return error instanceof RangeError && /allocation failed|Invalid typed array length|Invalid array buffer length|Array buffer allocation/i.test(error.message);
}

function allocationError(error: Error): MemoryLimitError {
  return new MemoryLimitError(`The cell asked for more memory than the kernel can allocate (${error.message}). Use smaller tensors, batches or models.`);
}
