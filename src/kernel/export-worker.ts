/**
 * The extension's export runs here, off the extension host's thread: it runs the experiment cell once in
 * the engine (seconds to minutes) and writes the script's files. Cancelling terminates the worker.
 */
import './platform/node-relaxed-simd'; // first: before the engine compiles its WebAssembly
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { fileDatasets } from './datasets';
import { exportExperimentCell, type ExportOptions } from '../export/bundle';
import { writeExport } from '../export/write';

export interface ExportJob extends ExportOptions {
  /** The experiment cell's YAML. */
  source: string;
  /** Folder the script goes in. */
  directory: string;
}

export type ExportMessage =
  | { type: 'progress'; step: number; total: number; label?: string }
  | { type: 'done'; written: string[]; runs: string[] }
  | { type: 'error'; message: string };

const job = workerData as ExportJob;
const post = (message: ExportMessage): void => parentPort!.postMessage(message);

async function main(): Promise<void> {
  try {
    const result = await exportExperimentCell(job.source, job, {
      datasets: fileDatasets(path.join(__dirname, 'data')),
      checkInterrupt() {},
      progress: (p) => post({ type: 'progress', step: p.step, total: p.total, ...(p.label !== undefined ? { label: p.label } : {}) }),
    });
    post({ type: 'done', written: await writeExport(job.directory, job.stem, result.files), runs: result.runs });
  } catch (error) {
    post({ type: 'error', message: (error as Error).message });
  }
}

void main();
