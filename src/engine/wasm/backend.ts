// Which implementation runs the hot kernels (matrix products): 'wasm' (f32x4 SIMD WebAssembly,
// the default where WebAssembly SIMD validates) or 'js' (the plain TypeScript kernels, the
// fallback, always available). Both are tested against the same float64 references.
import { WASM_BASE64 } from './gemm.generated';
import { WasmKernels } from './runtime';

/** The kernel implementation: 'wasm' (WebAssembly SIMD, the default where available) or 'js' (plain TypeScript). */
export type KernelBackend = 'wasm' | 'js';

export interface GemmWasm {
  pack_b(src: number, sbk: number, sbj: number, K: number, N: number, dst: number): void;
  gemm(a: number, sai: number, sak: number, bp: number, pstride: number, np: number, kc: number, c: number, ldc: number, M: number, acc: number): void;
  finish(c: number, ldc: number, out: number, M: number, N: number, bias: number): void;
}

let gemmModule: WasmKernels<GemmWasm> | null | undefined;

/** The gemm module (compiled lazily, once), or null when WebAssembly SIMD is unavailable. */
export function gemmWasm(): WasmKernels<GemmWasm> | null {
  if (gemmModule === undefined) gemmModule = WasmKernels.load<GemmWasm>(WASM_BASE64);
  return gemmModule;
}

let backend: KernelBackend | undefined;

/** True when this runtime can run the WebAssembly SIMD kernels. */
export function wasmAvailable(): boolean {
  return gemmWasm() !== null;
}

/** The backend in use ('wasm' by default when available, else 'js'). */
export function getKernelBackend(): KernelBackend {
  if (backend === undefined) backend = wasmAvailable() ? 'wasm' : 'js';
  return backend;
}

/** Selects the kernel backend; 'wasm' throws when WebAssembly SIMD is unavailable here. */
export function setKernelBackend(name: KernelBackend): void {
  if (name !== 'wasm' && name !== 'js') throw new Error(`setKernelBackend: unknown backend '${String(name)}' (expected 'wasm' or 'js')`);
  if (name === 'wasm' && !wasmAvailable()) throw new Error("setKernelBackend('wasm'): WebAssembly SIMD is not available in this runtime");
  backend = name;
}
