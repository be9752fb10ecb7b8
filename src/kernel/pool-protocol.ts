/**
 * Messages between a kernel worker's job pool (pool.ts) and its pool workers (pool-worker.ts), and the way
 * a job's error crosses the thread boundary: its name and message (and, for the lab's own errors, what
 * rebuilds the same class), so that a failed run in the pool reads exactly as in a serial run.
 */
import { InterruptedError, type Progress } from '../experiments/experiment';
import { DivergenceError } from '../experiments/divergence';
import { MemoryLimitError } from './platform/types';

export interface PoolWorkerData {
  /** The kernel's shared interrupt flag (the same buffer as the kernel worker's InterruptFlag). */
  interruptBuffer?: SharedArrayBuffer;
}

export type ToPoolWorker = { type: 'run'; jobId: number; name: string; input: unknown };

export type FromPoolWorker =
  | { type: 'progress'; jobId: number; progress: Progress }
  | { type: 'partial'; jobId: number; result: unknown }
  | { type: 'done'; jobId: number; result: unknown }
  | { type: 'failed'; jobId: number; error: JobError };

/** A job's error as plain data. `divergence` is set for a DivergenceError (its constructor's arguments). */
export interface JobError {
  name: string;
  message: string;
  stack?: string;
  divergence?: { step: number; where: string; value: number };
}

export function toJobError(error: unknown): JobError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const plain: JobError = { name: error.name, message: error.message, ...(error.stack !== undefined ? { stack: error.stack } : {}) };
  if (error instanceof DivergenceError) plain.divergence = { step: error.step, where: error.where, value: error.value };
  return plain;
}

/** The Error to throw in the kernel worker: the lab's own classes rebuilt (the cell shows them by class), others by name. */
export function fromJobError(plain: JobError): Error {
  let error: Error;
  if (plain.divergence) error = new DivergenceError(plain.divergence.step, plain.divergence.where, plain.divergence.value);
  else if (plain.name === 'InterruptedError') error = new InterruptedError(plain.message);
  else if (plain.name === 'OutOfMemory') error = new MemoryLimitError(plain.message);
  else if (Object.hasOwn(builtInErrors, plain.name)) error = new builtInErrors[plain.name as keyof typeof builtInErrors](plain.message);
  else {
    error = new Error(plain.message);
    error.name = plain.name;
  }
  if (plain.stack !== undefined) error.stack = plain.stack;
  return error;
}

/** JavaScript's own error classes, rebuilt by name (the kernel tells a failed allocation by its RangeError). */
const builtInErrors = { Error, RangeError, TypeError, ReferenceError, SyntaxError, EvalError, URIError } as const;
