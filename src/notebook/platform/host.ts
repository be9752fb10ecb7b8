/**
 * The extension host's platform seam, Node side: how a notebook's kernel worker starts and which folder
 * its cells read files from. The web build (scripts/build.mjs) takes ./host.web.ts instead; both export
 * the same names, and everything above them is shared.
 */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { SessionOptions } from '../../kernel/session';

/** Which extension host this build runs in. */
export const HOST_KIND: 'node' | 'web' = 'node';

/** The worker of a notebook's kernel: a worker thread running dist/kernel-worker.js. */
export function kernelWorker(extensionUri: vscode.Uri): Pick<SessionOptions, 'workerPath' | 'startWorker'> {
  return { workerPath: path.join(extensionUri.fsPath, 'dist', 'kernel-worker.js') };
}

/** The folder of a notebook saved on disk (cells read files relative to it); none for untitled notebooks. */
export function notebookDirectory(notebook: vscode.NotebookDocument): { directory?: string } {
  return notebook.uri.scheme === 'file' ? { directory: path.dirname(notebook.uri.fsPath) } : {};
}
