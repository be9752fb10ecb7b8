/**
 * The kernel platform in a Web Worker (the web extension host of vscode.dev / github.dev): global eval,
 * a util.inspect-like formatter, a console that writes text, files read by the host through
 * vscode.workspace.fs. There is no heap cap as Node's resourceLimits: see cell-runner.ts's allocation check.
 */
import { formatValue } from './format-value';
import type { KernelPlatform } from './types';
import { webConsole } from './web-console';

export interface WebPlatformOptions {
  /** Reads a file relative to the notebook's folder (a URI the host sent), through the host. */
  readText(directory: string, relativePath: string): Promise<string>;
}

export function webPlatform(options: WebPlatformOptions): KernelPlatform {
  // Indirect eval runs in the global scope, as vm.runInThisContext does: top-level `var`s become globals.
  const globalEval = eval;
  return {
    evaluate: (code, filename) => globalEval(`${code}\n//# sourceURL=${filename}`),
    describe: (value) => formatValue(value),
    createConsole: webConsole,
    writeStray: (stream, text) => (stream === 'stdout' ? console.log : console.error)(text.replace(/\n$/, '')),
    notebookFiles: (directory) => ({ readText: (relativePath) => options.readText(directory, relativePath) }),
  };
}
