/**
 * The worker side of the kernel protocol, shared by the Node worker (worker.ts) and the Web Worker
 * (worker-web.ts): one cell at a time, outputs and progress streamed to the host, an awaiting cell
 * released at once on interrupt, and the interrupt flag set from the message too (which is all a web
 * worker without shared memory gets).
 */
import { InterruptedError } from '../experiments/experiment';
import type { CellRunner, CellSink } from './cell-runner';
import type { InterruptFlag } from './interrupt';
import { errorOutput } from './outputs';
import type { FromWorker, ToWorker } from './protocol';

/** How long an interrupted cell that awaits gets to end by itself before it is released. */
const AWAITING_GRACE_MS = 250;

export function serveCells(runner: CellRunner, interrupt: InterruptFlag, post: (message: FromWorker) => void): (message: ToWorker) => void {
  let running: number | undefined;
  /** Resolves the running cell early when the host interrupts while the cell awaits something. */
  let interruptAwaiting: ((runId: number) => void) | undefined;

  return (message) => {
    if (message.type === 'interrupt') {
      if (message.runId !== running) return;
      interrupt.set();
      interruptAwaiting?.(message.runId);
      return;
    }
    const { runId, cell } = message;
    running = runId;
    const interrupted = new Promise<void>((resolve) => {
      interruptAwaiting = (id) => id === runId && resolve();
    });
    const sink: CellSink = {
      output: (output) => post({ type: 'output', runId, output }),
      progress: (progress) => post({ type: 'progress', runId, progress }),
      preview: (plots) => post({ type: 'preview', runId, plots }),
    };
    void Promise.race([
      runner.run(cell, sink),
      // A cell whose runs are on the pool stops by itself a moment later, with its own message: give it that moment.
      interrupted.then(() => new Promise((resolve) => setTimeout(resolve, AWAITING_GRACE_MS))).then(() => ({
        success: false,
        outputs: [...runner.interruptedPlots(), errorOutput('InterruptedError', new InterruptedError('Interrupted by the user while the cell was waiting').message)],
      })),
    ]).then(({ success, outputs }) => {
      interruptAwaiting = undefined;
      running = undefined;
      post({ type: 'done', runId, success, outputs });
    });
  };
}
