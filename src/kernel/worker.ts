/**
 * Entry of a notebook's worker thread (bundled to dist/kernel-worker.js). It holds the engine and the
 * notebook's state, runs one cell at a time, streams outputs and progress to the host, and stops an
 * awaiting cell when the host interrupts it.
 */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { InterruptedError } from '../experiments/experiment';
import { CellRunner, type CellSink } from './cell-runner';
import { fileDatasets } from './datasets';
import { InterruptFlag } from './interrupt';
import { errorOutput } from './outputs';
import type { FromWorker, ToWorker, WorkerData } from './protocol';
import { wasmTransform } from './typescript/esbuild-wasm';

const port = parentPort!;
const { interruptBuffer } = workerData as WorkerData;
const runner = new CellRunner(new InterruptFlag(interruptBuffer), wasmTransform(path.join(__dirname, 'esbuild.wasm')), fileDatasets(path.join(__dirname, 'data')));
const post = (message: FromWorker) => port.postMessage(message);

/** Resolves the running cell early when the host interrupts while the cell awaits something. */
let interruptAwaiting: ((runId: number) => void) | undefined;

port.on('message', (message: ToWorker) => {
  if (message.type === 'interrupt') {
    interruptAwaiting?.(message.runId);
    return;
  }
  const { runId, cell } = message;
  const interrupted = new Promise<void>((resolve) => {
    interruptAwaiting = (id) => id === runId && resolve();
  });
  const sink: CellSink = {
    output: (output) => post({ type: 'output', runId, output }),
    progress: (progress) => post({ type: 'progress', runId, progress }),
  };
  void Promise.race([
    runner.run(cell, sink),
    interrupted.then(() => ({ success: false, outputs: [errorOutput('InterruptedError', new InterruptedError('Interrupted by the user while the cell was waiting').message)] })),
  ]).then(({ success, outputs }) => {
    interruptAwaiting = undefined;
    post({ type: 'done', runId, success, outputs });
  });
});
