/**
 * Entry of a notebook's kernel in a Web Worker (the web extension host: vscode.dev, github.dev), bundled to
 * dist/web/kernel-worker.js as a classic script and started from a blob: URL (a worker from the
 * extension's own URL is refused in the web host). The kernel is the Node one (worker-loop.ts, CellRunner);
 * only the platform differs: files come from the host, which reads them with vscode.workspace.fs.
 */
import { CellRunner } from './cell-runner';
import { bytesDatasets } from './dataset-bytes';
import { InterruptFlag } from './interrupt';
import { webPlatform } from './platform/web';
import { isWebToWorker, type WebToWorker, type WorkerRequest } from './platform/web-protocol';
import type { FromWorker, ToWorker } from './protocol';
import { serveCells } from './worker-loop';

interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: ToWorker | WebToWorker }) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;

const pending = new Map<number, { resolve(value: { bytes?: Uint8Array; text?: string }): void; reject(error: Error): void }>();
let nextRequest = 1;

type RequestBody = { kind: 'asset'; name: string } | { kind: 'notebook-file'; directory: string; path: string };
function request(body: RequestBody): Promise<{ bytes?: Uint8Array; text?: string }> {
  const id = nextRequest++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    scope.postMessage({ type: 'request', id, ...body } satisfies WorkerRequest);
  });
}

async function asset(name: string): Promise<Uint8Array> {
  const { bytes } = await request({ kind: 'asset', name });
  if (!bytes) throw new Error(`the host sent no bytes for ${name}`);
  return bytes;
}

let serve: ((message: ToWorker) => void) | undefined;

scope.onmessage = ({ data: message }) => {
  if (!isWebToWorker(message)) {
    serve?.(message);
    return;
  }
  if (message.type === 'response') {
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiting?.reject(new Error(message.error));
    else waiting?.resolve(message);
    return;
  }
  const interrupt = new InterruptFlag(message.data.interruptBuffer ?? new ArrayBuffer(4));
  const platform = webPlatform({
    readText: async (directory, path) => (await request({ kind: 'notebook-file', directory, path })).text ?? '',
  });
  const runner = new CellRunner(interrupt, bytesDatasets((name) => asset(`data/${name}`)), platform);
  serve = serveCells(runner, interrupt, (out: FromWorker) => scope.postMessage(out));
};
