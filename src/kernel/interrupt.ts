/**
 * The interrupt flag, shared between the extension host and a notebook's worker. It lives in shared
 * memory so that a busy cell sees it between two training steps without returning to its event loop.
 */
import { InterruptedError } from '../experiments/experiment';

export class InterruptFlag {
  private readonly cells: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.cells = new Int32Array(buffer);
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
