/**
 * The extension host's platform seam, web side (vscode.dev, github.dev; see ./host.ts for the Node one):
 * the kernel is a Web Worker, and a notebook's folder is a URI that the host reads with workspace.fs.
 */
import * as vscode from 'vscode';
import type { SessionOptions } from '../../kernel/session';
import { webKernelWorker } from './web-kernel-worker';

export const HOST_KIND: 'node' | 'web' = 'web';

export function kernelWorker(extensionUri: vscode.Uri): Pick<SessionOptions, 'workerPath' | 'startWorker'> {
  return { startWorker: webKernelWorker(extensionUri) };
}

/** Any saved notebook has a folder, whatever its file system (vscode-vfs:, vscode-remote:, vscode-userdata:…). */
export function notebookDirectory(notebook: vscode.NotebookDocument): { directory?: string } {
  return notebook.isUntitled ? {} : { directory: vscode.Uri.joinPath(notebook.uri, '..').toString() };
}
