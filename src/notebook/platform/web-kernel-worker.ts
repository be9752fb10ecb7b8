/**
 * Notebook workers in the web extension host: a classic Web Worker started from a blob: URL (the web host
 * refuses workers from the extension's own URL), running dist/web/kernel-worker.js. The worker reads no
 * files itself: it asks, and this side answers with vscode.workspace.fs (the extension's dist/ folder for
 * the datasets, the notebook's folder for the files its cells read).
 */
import * as vscode from 'vscode';
import type { StartKernelWorker } from '../../kernel/platform/kernel-worker';
import type { WebToWorker, WorkerRequest } from '../../kernel/platform/web-protocol';
import type { FromWorker, ToWorker } from '../../kernel/protocol';

/** The browser's Worker, declared here: the project's type libraries are Node's. */
interface BrowserWorker {
  postMessage(message: unknown, transfer?: unknown[]): void;
  terminate(): void;
  onmessage: ((event: { data: FromWorker | WorkerRequest }) => void) | null;
  onerror: ((event: { message?: string; preventDefault(): void }) => void) | null;
}
type BrowserWorkerConstructor = new (url: string, options?: { name?: string }) => BrowserWorker;

/** The worker's script as a blob: URL, made once per extension folder. */
const scriptUrls = new Map<string, Promise<string>>();
/** dist/ files the workers ask for (the MNIST digits): read once, copied to each worker. */
const assets = new Map<string, Promise<Uint8Array>>();

export function webKernelWorker(extensionUri: vscode.Uri): StartKernelWorker {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const key = extensionUri.toString();
  return (data, events) => {
    let worker: BrowserWorker | undefined;
    let terminated = false;
    const queued: ToWorker[] = [];
    const scriptUrl =
      scriptUrls.get(key) ??
      Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(dist, 'web', 'kernel-worker.js'))).then((bytes) => URL.createObjectURL(new Blob([bytes], { type: 'text/javascript' })));
    scriptUrls.set(key, scriptUrl);
    scriptUrl.then(
      (url) => {
        if (terminated) return;
        const WorkerClass = (globalThis as unknown as { Worker: BrowserWorkerConstructor }).Worker;
        const started = new WorkerClass(url, { name: 'bnlab-kernel' });
        started.onmessage = ({ data: message }) => {
          if (message.type === 'request') void answer(started, message, dist);
          else events.message(message);
        };
        started.onerror = (event) => {
          // An uncaught error in the worker (e.g. from a cell's timer): handled here, not logged as the host's.
          event.preventDefault();
          events.error({ name: 'Error', message: event.message ?? 'the worker failed', outOfMemory: false });
        };
        started.postMessage({ type: 'init', data } satisfies WebToWorker);
        for (const message of queued.splice(0)) started.postMessage(message);
        worker = started;
      },
      (error: Error) => events.error({ name: 'Error', message: `could not start the kernel worker: ${error.message}`, outOfMemory: false }),
    );
    return {
      postMessage: (message) => (worker ? worker.postMessage(message) : void queued.push(message)),
      terminate: () => {
        terminated = true;
        worker?.terminate();
      },
    };
  };
}

async function answer(worker: BrowserWorker, request: WorkerRequest, dist: vscode.Uri): Promise<void> {
  const reply = (message: WebToWorker, transfer: unknown[] = []) => worker.postMessage(message, transfer);
  try {
    if (request.kind === 'asset') {
      const key = vscode.Uri.joinPath(dist, request.name).toString();
      const cached = assets.get(key) ?? Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(dist, request.name)));
      assets.set(key, cached);
      cached.then(undefined, () => assets.delete(key));
      const bytes = (await cached).slice();
      reply({ type: 'response', id: request.id, bytes }, [bytes.buffer]);
    } else {
      const file = vscode.Uri.joinPath(vscode.Uri.parse(request.directory), request.path);
      let bytes: Uint8Array;
      try {
        bytes = await vscode.workspace.fs.readFile(file);
      } catch (error) {
        const missing = error instanceof vscode.FileSystemError && error.code === 'FileNotFound';
        throw new Error(missing ? `${request.path}: no such file (looked in ${request.directory})` : `${request.path}: ${(error as Error).message}`, { cause: error });
      }
      reply({ type: 'response', id: request.id, text: new TextDecoder().decode(bytes) });
    }
  } catch (error) {
    reply({ type: 'response', id: request.id, error: (error as Error).message });
  }
}
