// Host side of the WebAssembly SIMD batch-norm kernels (norm.wat). The kernels only see the
// module's memory, so each direction copies its operands in once (one typed-array copy each) and
// its result out once; in between, a float64 sums pass, the caller's per-channel coefficients
// (float64, in ops/batch-norm-channels.ts) and an element-wise pass run over the whole copy, in memory order.
// (Fusing the two passes per channel, so the second reads L2, measured slower on (64, 64, 32, 32):
// a channel is 64 runs of 4 KB, 256 KB apart, and the prefetchers restart at every run.)
//
// Copies cost about as much as a kernel pass, so they are kept to the minimum: the forward's copy
// of x stays in memory and the backward of the same call reuses it when nothing has overwritten it
// since (SavedInput), and the backward writes dx over its copy of dy.
import type { AffineCoefficients, BatchNormKernels, ForwardStats, GradCoefficients, GradSums, SavedInput } from '../kernels/batch-norm';
import { WASM_BASE64 } from './norm.generated';
import { WasmKernels } from './runtime';
import { allocate } from '../storage';

interface NormWasm {
  stats(x: number, N: number, C: number, S: number, sh: number, s1: number, s2: number): void;
  affine(x: number, y: number, N: number, C: number, S: number, m: number, k: number, b: number): void;
  gsums(g: number, x: number, N: number, C: number, S: number, m: number, s1: number, s2: number): void;
  dgrad(g: number, x: number, out: number, N: number, C: number, S: number, m: number, k: number, e: number, d: number): void;
}

/** The 'wasm' batch-norm kernels, or null when WebAssembly SIMD is unavailable (compiles the module). */
export function createWasmBatchNorm(): BatchNormKernels | null {
  const kernels = WasmKernels.load<NormWasm>(WASM_BASE64);
  if (!kernels) return null;
  return {
    maxValues: NORM_WASM_MAX,
    forward: (x, N, C, S, stats, coefficients) => batchNormForwardWasm(kernels, x, N, C, S, stats, coefficients),
    backward: (g, x, N, C, S, saved, sums, coefficients) => batchNormBackwardWasm(kernels, g, x, N, C, S, saved, sums, coefficients),
  };
}

/**
 * Largest tensor (floats, 32 MB) run in wasm: two copies of it live in the module's memory, which
 * keeps its high-water mark; larger inputs take the 'js' kernels.
 */
export const NORM_WASM_MAX = 1 << 23;

/**
 * Memory layout: per-channel arrays (float64 s1, s2; float32 m (or the shift), k, b|e, d), then the copy of
 * x and a work region (y, or dy then dx). The regions start 4 KB-aligned plus 1088 bytes apart: with
 * rows 2 KB apart ((N, 512) input) a load 4 KB after a pending store to the other region would
 * otherwise alias it (4K aliasing), which made the element-wise passes 2× slower.
 */
class Layout {
  readonly s1: number;
  readonly s2: number;
  readonly m: number;
  readonly k: number;
  readonly b: number;
  readonly d: number;
  readonly x: number;
  readonly w: number;
  readonly bytes: number;
  constructor(C: number, n: number) {
    const Cp = (C + 3) & ~3;
    this.s1 = 0;
    this.s2 = Cp * 8;
    this.m = 2 * Cp * 8;
    this.k = this.m + Cp * 4;
    this.b = this.k + Cp * 4;
    this.d = this.b + Cp * 4;
    this.x = Math.ceil((this.d + Cp * 4) / 4096) * 4096;
    this.w = this.x + Math.ceil((n * 4) / 4096) * 4096 + 1088;
    this.bytes = this.w + n * 4;
  }
}

/** Which forward's x the memory holds (null: none, or overwritten since). */
let holder: SavedInput | null = null;
let holderMemory: ArrayBufferLike | null = null;

function setup(kernels: WasmKernels<NormWasm>, L: Layout): { f32: Float32Array; f64: Float64Array } {
  const f32 = kernels.ensure(L.bytes);
  if (f32.buffer !== holderMemory) holder = null; // a fresh instance holds nothing
  return { f32, f64: new Float64Array(f32.buffer, 0, L.m / 8) };
}

/**
 * Batch-norm forward on (N, C, S) data: the statistics sums when `stats` is given, then
 * `coefficients()`, then the affine pass. The caller checks 0 < x.length ≤ NORM_WASM_MAX.
 */
function batchNormForwardWasm(
  kernels: WasmKernels<NormWasm>,
  x: Float32Array, N: number, C: number, S: number,
  stats: ForwardStats | null,
  coefficients: () => AffineCoefficients,
): { y: Float32Array; saved: SavedInput } {
  const L = new Layout(C, x.length);
  const { f32, f64 } = setup(kernels, L);
  const wasm = kernels.exports;
  f32.set(x, L.x / 4);
  if (stats) {
    f32.set(stats.sh, L.m / 4);
    f64.fill(0, L.s1 / 8, L.s1 / 8 + 2 * ((C + 3) & ~3));
    wasm.stats(L.x, N, C, S, L.m, L.s1, L.s2);
    stats.s1.set(f64.subarray(L.s1 / 8, L.s1 / 8 + C));
    stats.s2.set(f64.subarray(L.s2 / 8, L.s2 / 8 + C));
  }
  const { m, k, b } = coefficients();
  f32.set(m, L.m / 4);
  f32.set(k, L.k / 4);
  f32.set(b, L.b / 4);
  wasm.affine(L.x, L.w, N, C, S, L.m, L.k, L.b);
  holder = { x };
  holderMemory = f32.buffer;
  const y = allocate(x.length, false);
  y.set(f32.subarray(L.w / 4, L.w / 4 + x.length));
  return { y, saved: holder };
}

/**
 * Batch-norm backward on (N, C, S) data: the sums when `sums` is given, then, when `coefficients`
 * is given, `coefficients()` and the input-gradient pass; returns dx (null without
 * `coefficients`). `saved` is what the forward returned.
 */
function batchNormBackwardWasm(
  kernels: WasmKernels<NormWasm>,
  g: Float32Array, x: Float32Array, N: number, C: number, S: number,
  saved: SavedInput | null,
  sums: GradSums | null,
  coefficients: (() => GradCoefficients) | null,
): Float32Array | null {
  const L = new Layout(C, x.length);
  const { f32, f64 } = setup(kernels, L);
  const wasm = kernels.exports;
  if (saved === null || saved !== holder) {
    f32.set(x, L.x / 4);
    holder = null;
  }
  f32.set(g, L.w / 4);
  if (sums) {
    f32.set(sums.m, L.m / 4);
    f64.fill(0, L.s1 / 8, L.s1 / 8 + 2 * ((C + 3) & ~3));
    wasm.gsums(L.w, L.x, N, C, S, L.m, L.s1, L.s2);
    sums.s1.set(f64.subarray(L.s1 / 8, L.s1 / 8 + C));
    sums.s2.set(f64.subarray(L.s2 / 8, L.s2 / 8 + C));
  }
  if (!coefficients) return null;
  const { m, k, e, d } = coefficients();
  f32.set(m, L.m / 4);
  f32.set(k, L.k / 4);
  f32.set(e, L.b / 4);
  f32.set(d, L.d / 4);
  // In place: dx[i] depends on dy[i] and x[i] only.
  wasm.dgrad(L.w, L.x, L.w, N, C, S, L.m, L.k, L.b, L.d);
  const dx = allocate(x.length, false);
  dx.set(f32.subarray(L.w / 4, L.w / 4 + x.length));
  return dx;
}
