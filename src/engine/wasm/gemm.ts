// Host side of the WebAssembly SIMD matrix product (gemm.wat): copies the operands' extents into
// the module's memory (one typed-array copy each), packs op(B) into 8-column panels there, runs the
// 4×8 f32x4 register-tile kernel over K slices and row blocks, and copies C back (adding the bias
// and, with `accumulate`, the old C). Sums are float32; the order differs from the JS kernel's
// float64 sums in the last bits. Two builds of the same kernel: the fused one (relaxed SIMD's
// multiply-add, one rounding per product-sum on CPUs with FMA) where the runtime validates it,
// else the baseline one (mul + add, like a non-FMA float32 BLAS).
import type { MatmulKernel } from '../kernels/matmul';
import { WASM_BASE64, WASM_FMA_BASE64 } from './gemm.generated';
import { WasmKernels } from './runtime';

interface GemmWasm {
  pack_b(src: number, sbk: number, sbj: number, K: number, N: number, dst: number): void;
  gemm(a: number, sai: number, sak: number, bp: number, pstride: number, np: number, kc: number, c: number, ldc: number, M: number, acc: number): void;
  finish(c: number, ldc: number, out: number, M: number, N: number, bias: number): void;
}

/** Which build of gemm.wat: 'fma' (relaxed SIMD) or 'baseline' (SIMD only). */
export type GemmVariant = 'fma' | 'baseline';

/** The build the 'wasm' backend uses here: 'fma' when relaxed SIMD validates, else 'baseline'; null without SIMD. */
export function bestGemmVariant(): GemmVariant | null {
  if (WasmKernels.validates(WASM_FMA_BASE64)) return 'fma';
  return WasmKernels.validates(WASM_BASE64) ? 'baseline' : null;
}

/** The 'wasm' matmul kernel (the best build, or the one asked for), or null when it cannot run here. */
export function createWasmMatmul(variant: GemmVariant | null = bestGemmVariant()): MatmulKernel | null {
  if (variant === null) return null;
  const kernels = WasmKernels.load<GemmWasm>(variant === 'fma' ? WASM_FMA_BASE64 : WASM_BASE64);
  if (!kernels) return null;
  return {
    gemm: (A, aOff, sai, sak, B, bOff, sbk, sbj, M, K, N, C, cOff, ldc, accumulate, bias) =>
      gemmWasmStrided(kernels, A, aOff, sai, sak, B, bOff, sbk, sbj, M, K, N, C, cOff, ldc, accumulate, bias),
  };
}

const NR = 8;
/** Depth of a K slice: a packed panel slice (KC × 32 bytes) stays in L1 across row tiles. */
const KC = 512;
/** Rows per block: an A block (MC × KC floats) stays in L2 across the panels. */
const MC = 96;

const align16 = (bytes: number): number => (bytes + 15) & ~15;

function gemmWasmStrided(
  kernels: WasmKernels<GemmWasm>,
  A: Float32Array, aOff: number, sai: number, sak: number,
  B: Float32Array, bOff: number, sbk: number, sbj: number,
  M: number, K: number, N: number,
  C: Float32Array, cOff: number, ldc: number,
  accumulate: boolean, bias: Float32Array | null,
): void {
  const np = Math.ceil(N / NR);
  const ldcw = np * NR;
  const aExt = (M - 1) * sai + (K - 1) * sak + 1;
  const bExt = (K - 1) * sbk + (N - 1) * sbj + 1;
  const pA = 0;
  const pB = align16(pA + aExt * 4);
  const pBp = align16(pB + bExt * 4);
  const pC = align16(pBp + np * K * NR * 4);
  const pO = pC + M * ldcw * 4;
  const pBias = align16(pO + M * N * 4);
  const f32 = kernels.ensure(pBias + (bias ? N * 4 : 0));
  const wasm = kernels.exports;
  f32.set(aOff === 0 && aExt === A.length ? A : A.subarray(aOff, aOff + aExt), pA >> 2);
  f32.set(bOff === 0 && bExt === B.length ? B : B.subarray(bOff, bOff + bExt), pB >> 2);
  if (bias) f32.set(bias.length === N ? bias : bias.subarray(0, N), pBias >> 2);
  wasm.pack_b(pB, sbk, sbj, K, N, pBp);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
    for (let i0 = 0; i0 < M; i0 += MC) {
      wasm.gemm(pA + (i0 * sai + k0 * sak) * 4, sai * 4, sak * 4, pBp + k0 * NR * 4, K * NR * 4, np, kc,
        pC + i0 * ldcw * 4, ldcw * 4, Math.min(MC, M - i0), k0 > 0 ? 1 : 0);
    }
  }
  wasm.finish(pC, ldcw * 4, pO, M, N, bias ? pBias : 0);
  const o = pO >> 2;
  if (!accumulate && ldc === N) {
    C.set(f32.subarray(o, o + M * N), cOff);
    return;
  }
  for (let i = 0; i < M; i++) {
    const r = cOff + i * ldc;
    const s = o + i * N;
    if (accumulate) for (let j = 0; j < N; j++) C[r + j] += f32[s + j];
    else for (let j = 0; j < N; j++) C[r + j] = f32[s + j];
  }
}
