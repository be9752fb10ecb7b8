/**
 * The kernel platform in a Web Worker (the web extension host of vscode.dev / github.dev): global eval,
 * a util.inspect-like formatter, a console that writes text, files read by the host through
 * vscode.workspace.fs, and a memory guard in place of Node's resourceLimits.
 */
import { formatValue } from './format-value';
import { MemoryLimitError, type KernelPlatform } from './types';
import { webConsole } from './web-console';

export interface WebPlatformOptions {
  /** Reads a file relative to the notebook's folder (a URI the host sent), through the host. */
  readText(directory: string, relativePath: string): Promise<string>;
  /** The heap limit, in MB, that the memory guard enforces where the browser reports the heap. */
  memoryLimitMb: number;
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
    checkResources: memoryGuard(options.memoryLimitMb),
  };
}

/**
 * Chromium reports the worker's JavaScript heap as `performance.memory`; where it does, a cell over the
 * limit is stopped at its next step, before the browser kills the whole page for running out of memory.
 * Allocations that fail outright (a huge tensor) are reported by the cell runner.
 */
function memoryGuard(limitMb: number): () => void {
  const memory = (globalThis.performance as { memory?: { usedJSHeapSize: number } } | undefined)?.memory;
  if (!memory) return () => {};
  const limit = limitMb * 1024 * 1024;
  return () => {
    if (memory.usedJSHeapSize > limit) {
      throw new MemoryLimitError(
        `The cell used more than the kernel's memory limit (${limitMb} MB, setting "batchnormLab.kernel.memoryLimitMb"). ` +
          'It was stopped; use smaller batches or models, or raise the limit.',
      );
    }
  };
}
