// Host side of the WebAssembly SIMD matrix product (gemm.wat): uses operands in the engine's memory
// in place and copies the others' extents into the module's scratch (one typed-array copy each),
// packs op(B) into 8-column panels, runs the 4×8 f32x4 register-tile kernel over K slices and row
// blocks, and writes C with the bias (straight into a resident C; else copied out, adding the old C
// with `accumulate`). Sums are float32; the order differs from the JS kernel's
// float64 sums in the last bits. Two builds of the same kernel: the fused one (relaxed SIMD's
// multiply-add, one rounding per product-sum on CPUs with FMA) where the runtime validates it,
// else the baseline one (mul + add, like a non-FMA float32 BLAS). An operand that is mostly zeros
// (MNIST's pixels) has them skipped by tiles of 4 rows, with the dense result's bits (see gemm.wat).
import type { MatmulKernel } from '../kernels/matmul';
import { jsMatmul } from '../kernels/matmul-js';
import { WASM_BASE64, WASM_FMA_BASE64 } from './gemm.generated';
import { WasmKernels, type Operand } from './runtime';

interface GemmWasm {
  pack_b(src: number, sbk: number, sbj: number, K: number, N: number, dst: number): void;
  gemm(a: number, sai: number, sak: number, bp: number, pstride: number, np: number, kc: number, c: number, ldc: number, M: number, acc: number): void;
  finish(c: number, ldc: number, out: number, M: number, N: number, bias: number): void;
  count_zeros(p: number, n: number): number;
  max_exponent(p: number, n: number): number;
  compress_tiles(a: number, sai: number, sak: number, M: number, K: number, list: number, vals: number, starts: number): number;
  gemm_sparse(bp: number, pstride: number, np: number, list: number, vals: number, starts: number, c: number, ldc: number, M: number, slice: number): void;
  finish_transposed(ct: number, ldct: number, out: number, M: number, N: number, bias: number): void;
}

/** Which build of gemm.wat: 'fma' (relaxed SIMD) or 'baseline' (SIMD only). */
export type GemmVariant = 'fma' | 'baseline';

/** The build the 'wasm' backend uses here: 'fma' when relaxed SIMD validates, else 'baseline'; null without SIMD. */
export function bestGemmVariant(): GemmVariant | null {
  if (WasmKernels.validates(WASM_FMA_BASE64)) return 'fma';
  return WasmKernels.validates(WASM_BASE64) ? 'baseline' : null;
}

/**
 * The 'wasm' matmul kernel (the best build, or the one asked for), or null when it cannot run here.
 * `skipZeros: false` keeps every product on the dense path (the tests' reference for zero skipping).
 */
export function createWasmMatmul(variant: GemmVariant | null = bestGemmVariant(), { skipZeros = true } = {}): MatmulKernel | null {
  if (variant === null) return null;
  const kernels = WasmKernels.load<GemmWasm>(variant === 'fma' ? WASM_FMA_BASE64 : WASM_BASE64);
  if (!kernels) return null;
  return {
    gemm: (A, aOff, sai, sak, B, bOff, sbk, sbj, M, K, N, C, cOff, ldc, accumulate, bias) =>
      gemmWasmStrided(kernels, skipZeros, A, aOff, sai, sak, B, bOff, sbk, sbj, M, K, N, C, cOff, ldc, accumulate, bias),
  };
}

const NR = 8;
/** Depth of a K slice: a packed panel slice (KC × 32 bytes) stays in L1 across row tiles. */
const KC = 512;
/** Rows per block: an A block (MC × KC floats) stays in L2 across the panels. */
const MC = 96;

const align16 = (bytes: number): number => (bytes + 15) & ~15;

/** Zero skipping is tried when at least this share of an operand is zeros (MNIST's pixels: ~80%)... */
const SPARSE_SHARE = 0.6;
/** ...and kept when its tiles' nonzero columns are at most this share of all (else the dense kernel is as fast). */
const SPARSE_TILE_SHARE = 0.75;
/** Below this many values in the sparse operand, or this few rows of C to sweep, counting zeros costs more than it saves. */
const SPARSE_MIN_VALUES = 8192;
const SPARSE_MIN_COLUMNS = 16;
/** Exponent field of Inf and NaN: a dense operand holding one must not meet a skipped zero (0·Inf = NaN). */
const NON_FINITE_EXPONENT = 255;

let sparseProducts = 0;
/** How many products skipped zeros so far (the tests' way to see which path ran). */
export function zeroSkippingCount(): number {
  return sparseProducts;
}

function gemmWasmStrided(
  kernels: WasmKernels<GemmWasm>,
  skipZeros: boolean,
  A: Float32Array, aOff: number, sai: number, sak: number,
  B: Float32Array, bOff: number, sbk: number, sbj: number,
  M: number, K: number, N: number,
  C: Float32Array, cOff: number, ldc: number,
  accumulate: boolean, bias: Float32Array | null,
): void {
  const aExt = (M - 1) * sai + (K - 1) * sak + 1;
  const bExt = (K - 1) * sbk + (N - 1) * sbj + 1;
  // Room for the product and, when zeros may be skipped, the transposed product (op(B) sparse).
  const maybeSparse = skipZeros && K * Math.max(M, N) >= SPARSE_MIN_VALUES;
  const workBytes = Math.max(layout(M, K, N, maybeSparse).bytes, maybeSparse ? layout(N, K, M, true).bytes : 0);
  const operands: Operand[] = [{ a: A, offset: aOff, n: aExt, copyIn: true }, { a: B, offset: bOff, n: bExt, copyIn: true }];
  if (bias) operands.push({ a: bias, n: N, copyIn: true });
  // The result goes straight into C when C is resident, written whole, and apart from A and B.
  const direct = !accumulate && ldc === N && kernels.heap.holds(C) &&
    apart(C, cOff, M * N, A, aOff, aExt) && apart(C, cOff, M * N, B, bOff, bExt);
  const placed = kernels.place(operands, workBytes + (direct ? 0 : align16(M * N * 4)));
  if (!placed) return jsMatmul.gemm(A, aOff, sai, sak, B, bOff, sbk, sbj, M, K, N, C, cOff, ldc, accumulate, bias);
  const [pA, pB, biasPtr = 0] = placed.at;
  const work = placed.work;
  const wasm = kernels.exports;
  const pO = direct ? C.byteOffset + cOff * 4 : align16(work + workBytes);
  const sparse = maybeSparse ? sparseOperand(wasm, pA, aExt, pB, bExt, M, K, N) : null;
  if (sparse === 'b' && product(wasm, work, pB, sbj, sbk, pA, sak, sai, N, K, M, true, true)) {
    // Cᵀ = op(B)ᵀ·op(A)ᵀ with the zeros of op(B) skipped, put back as C.
    const l = layout(N, K, M, true);
    wasm.finish_transposed(work + l.c, l.ldc * 4, pO, M, N, biasPtr);
  } else {
    product(wasm, work, pA, sai, sak, pB, sbk, sbj, M, K, N, sparse === 'a');
    const l = layout(M, K, N, false);
    wasm.finish(work + l.c, l.ldc * 4, pO, M, N, biasPtr);
  }
  if (direct) return;
  const f32 = kernels.f32;
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

/** True when n values of `x` from `xOff` and m values of `y` from `yOff` do not overlap. */
function apart(x: Float32Array, xOff: number, n: number, y: Float32Array, yOff: number, m: number): boolean {
  if (x.buffer !== y.buffer) return true;
  const xs = x.byteOffset + xOff * 4;
  const ys = y.byteOffset + yOff * 4;
  return xs + n * 4 <= ys || ys + m * 4 <= xs;
}

/**
 * Byte offsets (from the work area) for C = op(A)[M,K]·op(B)[K,N]: packed panels of op(B), C padded
 * to whole panels (ldc floats a row), and for zero skipping the tiles' nonzero
 * columns (their values, their panel rows) and where each tile's begin.
 */
function layout(M: number, K: number, N: number, sparse: boolean) {
  const np = Math.ceil(N / NR);
  const ldc = np * NR;
  const tiles = Math.ceil(M / 4);
  const panels = 0;
  const c = align16(panels + np * K * NR * 4);
  const vals = align16(c + M * ldc * 4);
  const list = vals + tiles * K * 16;
  const starts = list + tiles * K * 4;
  return { np, ldc, tiles, panels, c, vals, list, starts, bytes: sparse ? starts + (tiles + 1) * 4 : vals };
}

/** Which operand to skip the zeros of ('a', 'b', or null: neither pays, or the other one is not finite). */
function sparseOperand(wasm: GemmWasm, pA: number, aExt: number, pB: number, bExt: number, M: number, K: number, N: number): 'a' | 'b' | null {
  if (M * K >= SPARSE_MIN_VALUES && N >= SPARSE_MIN_COLUMNS && wasm.count_zeros(pA, aExt) >= SPARSE_SHARE * aExt) {
    return wasm.max_exponent(pB, bExt) < NON_FINITE_EXPONENT ? 'a' : null;
  }
  if (K * N >= SPARSE_MIN_VALUES && M >= SPARSE_MIN_COLUMNS && wasm.count_zeros(pB, bExt) >= SPARSE_SHARE * bExt) {
    return wasm.max_exponent(pA, aExt) < NON_FINITE_EXPONENT ? 'b' : null;
  }
  return null;
}

/**
 * op(A)·op(B) into the padded C of `layout`: the packed, K-sliced register-tile product, over the
 * nonzero columns of op(A)'s tiles only when `skipZeros` and they are few enough (the same sums, bit
 * for bit). With `onlySparse`, returns false instead of running the dense product.
 */
function product(wasm: GemmWasm, work: number, pA: number, sai: number, sak: number, pB: number, sbk: number, sbj: number, M: number, K: number, N: number, skipZeros: boolean, onlySparse = false): boolean {
  const l = layout(M, K, N, skipZeros);
  if (skipZeros) {
    const entries = wasm.compress_tiles(pA, sai * 4, sak * 4, M, K, work + l.list, work + l.vals, work + l.starts);
    if (entries <= SPARSE_TILE_SHARE * l.tiles * K) {
      wasm.pack_b(pB, sbk, sbj, K, N, work + l.panels);
      wasm.gemm_sparse(work + l.panels, K * NR * 4, l.np, work + l.list, work + l.vals, work + l.starts, work + l.c, l.ldc * 4, M, KC * NR * 4);
      sparseProducts++;
      return true;
    }
  }
  if (onlySparse) return false;
  wasm.pack_b(pB, sbk, sbj, K, N, work + l.panels);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
    for (let i0 = 0; i0 < M; i0 += MC) {
      wasm.gemm(pA + (i0 * sai + k0 * sak) * 4, sai * 4, sak * 4, work + l.panels + k0 * NR * 4, K * NR * 4, l.np, kc,
        work + l.c + i0 * l.ldc * 4, l.ldc * 4, Math.min(MC, M - i0), k0 > 0 ? 1 : 0);
    }
  }
  return true;
}
