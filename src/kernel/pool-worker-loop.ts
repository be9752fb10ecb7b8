/**
 * The pool worker's side of pool-protocol.ts: runs one job at a time by its registered name, with a
 * context like the kernel's (the same datasets, the kernel's interrupt flag) whose progress and partial
 * results go back as messages, a few a second at most (the last step always).
 */
import type { Datasets } from '../experiments/experiment';
import { jobNamed, type JobContext } from '../experiments/runs';
import type { InterruptFlag } from './interrupt';
import { toJobError, type FromPoolWorker, type ToPoolWorker } from './pool-protocol';

/** At most 4 progress and 4 partial messages a second per job. */
export const POOL_MESSAGE_INTERVAL_MS = 250;

export interface PoolJobsOptions {
  interrupt: InterruptFlag;
  datasets: Datasets;
  post(message: FromPoolWorker): void;
}

export function servePoolJobs({ interrupt, datasets, post }: PoolJobsOptions): (message: ToPoolWorker) => void {
  return (message) => {
    const { jobId, name, input } = message;
    let lastProgress = 0;
    let lastPartial = 0;
    const context: JobContext<unknown> = {
      datasets,
      checkInterrupt: () => interrupt.throwIfSet(),
      progress: (progress) => {
        interrupt.throwIfSet();
        const now = Date.now();
        if (now - lastProgress < POOL_MESSAGE_INTERVAL_MS && progress.step < progress.total) return;
        lastProgress = now;
        post({ type: 'progress', jobId, progress });
      },
      partial: (result) => {
        const now = Date.now();
        if (now - lastPartial < POOL_MESSAGE_INTERVAL_MS) return;
        lastPartial = now;
        post({ type: 'partial', jobId, result });
      },
    };
    void (async () => {
      try {
        post({ type: 'done', jobId, result: await jobNamed(name).run(input, context) });
      } catch (error) {
        post({ type: 'failed', jobId, error: toJobError(error) });
      }
    })();
  };
}
