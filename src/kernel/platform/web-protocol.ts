/**
 * Messages of the Web Worker kernel besides the kernel protocol (../protocol.ts): the start-up message,
 * and the worker's requests for files, which only the host can read (vscode.workspace.fs). The host's
 * side is src/notebook/platform/web-kernel-worker.ts.
 */
import type { WorkerData } from '../protocol';

export type WebToWorker =
  | { type: 'init'; data: WorkerData }
  | { type: 'response'; id: number; bytes?: Uint8Array; text?: string; error?: string };

export type WorkerRequest =
  /** A file of the extension's dist/ folder (data/mnist.bin.gz). */
  | { type: 'request'; id: number; kind: 'asset'; name: string }
  /** A text file relative to the notebook's folder (`directory` is the folder's URI). */
  | { type: 'request'; id: number; kind: 'notebook-file'; directory: string; path: string };

/** Cell runs and interrupts go first through this gate: the worker must be initialized before them. */
export function isWebToWorker(message: { type: string }): message is WebToWorker {
  return message.type === 'init' || message.type === 'response';
}
