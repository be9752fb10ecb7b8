/**
 * The interrupt flag, shared between the extension host and a notebook's worker. Where shared memory
 * exists (Node, a cross-origin isolated page) it lives in a SharedArrayBuffer, so that a busy cell sees it
 * between two training steps without returning to its event loop. Elsewhere (a web page without
 * cross-origin isolation) each side holds its own flag and the worker sets its own when the host's
 * interrupt message arrives (see worker-loop.ts).
 */
import { InterruptedError } from '../experiments/experiment';

/** Whether this thread can share memory with a worker: SharedArrayBuffer exists and may be posted. */
export function canShareMemory(): boolean {
  return typeof SharedArrayBuffer === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
}

export class InterruptFlag {
  private readonly cells: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer | ArrayBuffer = canShareMemory() ? new SharedArrayBuffer(4) : new ArrayBuffer(4)) {
    this.cells = new Int32Array(buffer);
  }

  /** Whether the worker sees this flag directly (else only through the interrupt message). */
  get shared(): boolean {
    return typeof SharedArrayBuffer === 'function' && this.buffer instanceof SharedArrayBuffer;
  }

  set(): void {
    Atomics.store(this.cells, 0, 1);
  }

  clear(): void {
    Atomics.store(this.cells, 0, 0);
  }

  get isSet(): boolean {
    return Atomics.load(this.cells, 0) === 1;
  }

  throwIfSet(): void {
    if (this.isSet) throw new InterruptedError('Interrupted by the user');
  }
}
