/**
 * esbuild as WebAssembly, in the worker's own thread: the same on every platform (the native esbuild
 * binary is per platform and cannot ship in one .vsix), and started only when the first TypeScript cell runs.
 */
import { readFile } from 'node:fs/promises';
import type { Transform } from './compile';

type EsbuildWasm = typeof import('esbuild-wasm');

let loading: Promise<EsbuildWasm> | undefined;

export function wasmTransform(wasmPath: string): Transform {
  return async (source, options) => {
    loading ??= load(wasmPath);
    const esbuild = await loading;
    return esbuild.transform(source, options);
  };
}

async function load(wasmPath: string): Promise<EsbuildWasm> {
  // The browser build runs the compiler in this thread; it looks for `self`, which Node's workers lack.
  (globalThis as { self?: unknown }).self ??= globalThis;
  const esbuild = (await import('esbuild-wasm/lib/browser.js')) as unknown as EsbuildWasm;
  // WebAssembly is a global of every JavaScript runtime; Node's type declarations only describe it as a namespace.
  const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<unknown> } };
  const wasmModule = (await wasm.compile(await readFile(wasmPath))) as WebAssembly.Module;
  await esbuild.initialize({ wasmModule, worker: false });
  return esbuild;
}
