// Shared test helpers: element-wise closeness with PyTorch-style rtol/atol.
import assert from 'node:assert/strict';
import { getKernelBackend, setKernelBackend, wasmAvailable, type KernelBackend } from './imports';

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, opts: { rtol?: number; atol?: number; msg?: string } = {}): void {
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-5;
  assert.equal(actual.length, expected.length, `${opts.msg ?? ''} length ${actual.length} != ${expected.length}`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    assert.fail(`${opts.msg ?? 'values differ'}: at [${worst}] got ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}

export function flat(x: unknown): number[] {
  return Array.isArray(x) ? (x as unknown[]).flatMap(flat) : [x as number];
}

/** The kernel backends to test on: both where WebAssembly SIMD is available. */
export const BACKENDS: KernelBackend[] = wasmAvailable() ? ['wasm', 'js'] : ['js'];

/** Runs `run` on the given kernel backend, restoring the previous one. */
export function withBackend<T>(backend: KernelBackend, run: () => T): T {
  const previous = getKernelBackend();
  setKernelBackend(backend);
  try {
    return run();
  } finally {
    setKernelBackend(previous);
  }
}
