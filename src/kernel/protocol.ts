/** Messages between the extension host (KernelSession) and a notebook's worker (worker.ts). */
import type { Progress } from '../experiments/experiment';
import type { BnnbOutput } from '../shared/bnnb-format';
import type { PlotPayload } from '../shared/payload';

/** A cell to run. `label` names it in errors and stack traces, e.g. "Cell 3". */
export interface CellRequest {
  language: string;
  source: string;
  label: string;
  /** The notebook's folder, when it is saved on disk: cells read files relative to it. */
  directory?: string;
}

export interface WorkerData {
  /** The shared interrupt flag; absent where memory cannot be shared (the worker then keeps its own). */
  interruptBuffer?: SharedArrayBuffer;
  /** The heap limit, in MB: Node's resourceLimits (a Web Worker has no such cap). */
  memoryLimitMb: number;
  /** Workers for an experiment's independent runs (setting batchnormLab.kernel.parallelRuns, resolved); 1: in the kernel's own thread. */
  parallelRuns?: number;
}

export type ToWorker = { type: 'run'; runId: number; cell: CellRequest } | { type: 'interrupt'; runId: number };

export type FromWorker =
  | { type: 'output'; runId: number; output: BnnbOutput }
  | { type: 'progress'; runId: number; progress: Progress }
  /** The running experiment's live plots (at most a few a second); the final outputs replace them. */
  | { type: 'preview'; runId: number; plots: PlotPayload[] }
  | { type: 'done'; runId: number; success: boolean; outputs: BnnbOutput[] };
