// Engine side of the end-to-end workloads: runs one experiment cell in a fresh kernel, as a user runs it
// (KernelSession → kernel worker → its pool of workers), and prints one JSON object on stdout: the cell's
// wall time, the pool size, whether it succeeded, and the process's peak RSS (the kernel worker and the
// pool workers are threads of this process). Bundled by bench/index.ts next to kernel-worker.js.
// Usage: node experiment-runner.cjs <cell-source-file> <parallelRuns>
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { nodeKernelWorker } from '../src/kernel/platform/node-worker';
import { resolveParallelRuns } from '../src/kernel/pool-size';
import { KernelSession } from '../src/kernel/session';
import { peakRssKb } from './harness';

export interface ExperimentRunnerOutput {
  runner: 'engine-experiment';
  ok: boolean;
  error?: string;
  /** From the cell's start (its worker started first) to its last output. */
  cell_s: number;
  pool_size: number;
  peak_rss_kb: number;
}

async function main(): Promise<void> {
  const [sourceFile, parallelArg] = process.argv.slice(2);
  if (!sourceFile) throw new Error('usage: experiment-runner <cell-source-file> [parallelRuns]');
  const parallelRuns = Number(parallelArg ?? 0);
  const start = nodeKernelWorker(join(__dirname, 'kernel-worker.js'));
  // The session passes the setting as WorkerData.parallelRuns; until its options carry it, add it here.
  const session = new KernelSession({ startWorker: (data, events) => start({ ...data, parallelRuns }, events) });
  const source = readFileSync(sourceFile, 'utf8');
  const t0 = performance.now();
  const result = await session.run({ language: 'bnlab', source, label: 'Cell 2' });
  const cell_s = (performance.now() - t0) / 1000;
  session.dispose();
  const error = result.success ? undefined : JSON.stringify(result.outputs.at(-1)?.items[0]?.data).slice(0, 300);
  const output: ExperimentRunnerOutput = {
    runner: 'engine-experiment',
    ok: result.success,
    ...(error !== undefined ? { error } : {}),
    cell_s,
    pool_size: resolveParallelRuns(parallelRuns, availableParallelism()),
    peak_rss_kb: peakRssKb(),
  };
  console.log(JSON.stringify(output));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
