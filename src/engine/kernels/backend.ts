// The one place that chooses which implementation runs the hot kernels: 'wasm' (hand-written
// f32x4 WebAssembly, the default wherever WebAssembly SIMD validates) or 'js' (the TypeScript
// kernels, always available, the tested fallback). Each kernel family (matmul.ts, elementwise.ts,
// batch-norm.ts) has one interface and an implementation per backend; ops ask `activeKernels()`.
import { jsMatmul } from './matmul-js';
import { jsElementwise } from './elementwise-js';
import { createWasmMatmul } from '../wasm/gemm';
import { createWasmElementwise } from '../wasm/elementwise';
import { createWasmBatchNorm } from '../wasm/norm';
import type { MatmulKernel } from './matmul';
import type { ElementwiseKernels } from './elementwise';
import type { BatchNormKernels } from './batch-norm';

export type KernelBackend = 'wasm' | 'js';

/** The kernels of one backend. `batchNorm` null: the ops' own fused TypeScript passes (ops/batch-norm-js.ts). */
export interface KernelSet {
  readonly name: KernelBackend;
  readonly matmul: MatmulKernel;
  readonly elementwise: ElementwiseKernels;
  readonly batchNorm: BatchNormKernels | null;
}

const JS: KernelSet = { name: 'js', matmul: jsMatmul, elementwise: jsElementwise, batchNorm: null };

let wasmSet: KernelSet | null | undefined;

/** The 'wasm' set (modules compiled lazily, once), or null when WebAssembly SIMD is unavailable. */
function wasmKernels(): KernelSet | null {
  if (wasmSet === undefined) {
    const matmul = createWasmMatmul();
    const elementwise = createWasmElementwise();
    const batchNorm = createWasmBatchNorm();
    wasmSet = matmul && elementwise && batchNorm ? { name: 'wasm', matmul, elementwise, batchNorm } : null;
  }
  return wasmSet;
}

let active: KernelSet | undefined;

/** The kernels in use. */
export function activeKernels(): KernelSet {
  if (active === undefined) active = wasmKernels() ?? JS;
  return active;
}

/** True when this runtime can run the WebAssembly SIMD kernels. */
export function wasmAvailable(): boolean {
  return wasmKernels() !== null;
}

/** The backend in use ('wasm' by default when available, else 'js'). */
export function getKernelBackend(): KernelBackend {
  return activeKernels().name;
}

/** Selects the kernel backend; 'wasm' throws when WebAssembly SIMD is unavailable here. */
export function setKernelBackend(name: KernelBackend): void {
  if (name !== 'wasm' && name !== 'js') throw new Error(`setKernelBackend: unknown backend '${String(name)}' (expected 'wasm' or 'js')`);
  const set = name === 'wasm' ? wasmKernels() : JS;
  if (set === null) throw new Error("setKernelBackend('wasm'): WebAssembly SIMD is not available in this runtime");
  active = set;
}
