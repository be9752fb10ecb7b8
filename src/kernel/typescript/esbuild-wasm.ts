/**
 * esbuild as WebAssembly, in the worker's own thread: the same on every platform (the native esbuild
 * binary is per platform and cannot ship in one .vsix, and the browser has none), and started only when
 * the first TypeScript cell runs. `readWasm` gives the bytes of esbuild.wasm: from disk in Node, from the
 * host (vscode.workspace.fs) in a Web Worker.
 */
import type { Transform } from './compile';

type EsbuildWasm = typeof import('esbuild-wasm');

export function wasmTransform(readWasm: () => Promise<Uint8Array>): Transform {
  let loading: Promise<EsbuildWasm> | undefined;
  return async (source, options) => {
    loading ??= load(readWasm);
    const esbuild = await loading;
    return esbuild.transform(source, options);
  };
}

async function load(readWasm: () => Promise<Uint8Array>): Promise<EsbuildWasm> {
  // The browser build runs the compiler in this thread; it looks for `self`, which Node's workers lack.
  (globalThis as { self?: unknown }).self ??= globalThis;
  const esbuild = (await import('esbuild-wasm/lib/browser.js')) as unknown as EsbuildWasm;
  // WebAssembly is a global of every JavaScript runtime; Node's type declarations only describe it as a namespace.
  const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<unknown> } };
  const wasmModule = (await wasm.compile(await readWasm())) as WebAssembly.Module;
  await esbuild.initialize({ wasmModule, worker: false });
  return esbuild;
}
