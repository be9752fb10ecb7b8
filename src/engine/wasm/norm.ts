// Host side of the WebAssembly SIMD batch-norm kernels (norm.wat). Operands in the engine's memory
// are used in place; any other is copied into the module's scratch once (one typed-array copy)
// and its result out once. In between, a float64 sums pass, the caller's per-channel coefficients
// (float64, in ops/batch-norm-channels.ts) and an element-wise pass run over the whole tensor, in memory order.
// (Fusing the two passes per channel, so the second reads L2, measured slower on (64, 64, 32, 32):
// a channel is 64 runs of 4 KB, 256 KB apart, and the prefetchers restart at every run.)
//
// Copies cost about as much as a kernel pass, so they are kept to the minimum: the forward's copy
// of a non-resident x stays in scratch and the backward of the same call reuses it when nothing has
// overwritten it since (SavedInput), and the backward writes dx over its copy of dy.
import type { AffineCoefficients, BatchNormKernels, ForwardStats, GradCoefficients, GradSums, SavedInput } from '../kernels/batch-norm';
import { WASM_BASE64 } from './norm.generated';
import { WasmKernels } from './runtime';
import { allocate, release } from '../storage';

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
 * Largest tensor (floats, 32 MB) run in wasm: operands outside the engine's memory are copied into
 * the module's scratch, which keeps its high-water mark; larger inputs take the 'js' kernels.
 */
export const NORM_WASM_MAX = 1 << 23;

/**
 * Scratch layout: per-channel arrays (float64 s1, s2; float32 m (or the shift), k, b|e, d), then,
 * for operands outside the engine's memory, the copy of x and a work region (y, or dy then dx).
 * The regions start 4 KB-aligned plus 1088 bytes apart: with rows 2 KB apart ((N, 512) input) a
 * load 4 KB after a pending store to the other region would otherwise alias it (4K aliasing), which
 * made the element-wise passes 2× slower.
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
  constructor(C: number, xValues: number, wValues: number) {
    const Cp = (C + 3) & ~3;
    this.s1 = 0;
    this.s2 = Cp * 8;
    this.m = 2 * Cp * 8;
    this.k = this.m + Cp * 4;
    this.b = this.k + Cp * 4;
    this.d = this.b + Cp * 4;
    this.x = Math.ceil((this.d + Cp * 4) / 4096) * 4096;
    this.w = this.x + Math.ceil((xValues * 4) / 4096) * 4096 + 1088;
    this.bytes = this.w + wValues * 4;
  }
}

/** Which forward's x the scratch holds, and where (null: none, or overwritten since). */
let holder: SavedInput | null = null;
let holderAt = -1;

/** The call's scratch (null: no room) and float64 view of its sums. */
function setup(kernels: WasmKernels<NormWasm>, L: Layout): { base: number; f64: Float64Array } | null {
  const base = kernels.scratch(L.bytes);
  if (base < 0) return null;
  if (base !== holderAt) holder = null; // a moved scratch block holds nothing
  return { base, f64: new Float64Array(kernels.f32.buffer, base, L.m / 8) };
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
): { y: Float32Array; saved: SavedInput } | null {
  const n = x.length;
  const heap = kernels.heap;
  const y = allocate(n, false);
  const L = new Layout(C, heap.holds(x) ? 0 : n, heap.holds(y) ? 0 : n);
  const at = setup(kernels, L);
  if (!at) {
    release(y);
    return null;
  }
  const { base, f64 } = at;
  const f32 = kernels.f32;
  const wasm = kernels.exports;
  const pX = heap.holds(x) ? x.byteOffset : base + L.x;
  const pY = heap.holds(y) ? y.byteOffset : base + L.w;
  if (!heap.holds(x)) f32.set(x, pX / 4);
  if (stats) {
    f32.set(stats.sh, (base + L.m) / 4);
    f64.fill(0, L.s1 / 8, L.s1 / 8 + 2 * ((C + 3) & ~3));
    wasm.stats(pX, N, C, S, base + L.m, base + L.s1, base + L.s2);
    stats.s1.set(f64.subarray(L.s1 / 8, L.s1 / 8 + C));
    stats.s2.set(f64.subarray(L.s2 / 8, L.s2 / 8 + C));
  }
  const { m, k, b } = coefficients();
  f32.set(m, (base + L.m) / 4);
  f32.set(k, (base + L.k) / 4);
  f32.set(b, (base + L.b) / 4);
  wasm.affine(pX, pY, N, C, S, base + L.m, base + L.k, base + L.b);
  const saved = { x };
  holder = heap.holds(x) ? null : saved;
  holderAt = base;
  kernels.copyOut(pY, y, n);
  return { y, saved };
}

/**
 * Batch-norm backward on (N, C, S) data: the sums when `sums` is given, then, when `coefficients`
 * is given, `coefficients()` and the input-gradient pass; returns dx (null without
 * `coefficients`), or null for the whole call when the engine's memory has no room. `saved` is what the forward returned.
 */
function batchNormBackwardWasm(
  kernels: WasmKernels<NormWasm>,
  g: Float32Array, x: Float32Array, N: number, C: number, S: number,
  saved: SavedInput | null,
  sums: GradSums | null,
  coefficients: (() => GradCoefficients) | null,
): { dx: Float32Array | null } | null {
  const n = x.length;
  const heap = kernels.heap;
  // The work region holds dy's copy (dx is then written over it) or, for dy in place, a dx outside the memory.
  const dx = coefficients ? allocate(n, false) : null;
  const needsWork = !heap.holds(g) || (dx !== null && !heap.holds(dx));
  const L = new Layout(C, heap.holds(x) ? 0 : n, needsWork ? n : 0);
  const at = setup(kernels, L);
  if (!at) {
    if (dx) release(dx);
    return null;
  }
  const { base, f64 } = at;
  const f32 = kernels.f32;
  const wasm = kernels.exports;
  const pX = heap.holds(x) ? x.byteOffset : base + L.x;
  if (!heap.holds(x) && (saved === null || saved !== holder)) {
    f32.set(x, pX / 4);
    holder = null;
  }
  const pG = heap.holds(g) ? g.byteOffset : base + L.w;
  if (!heap.holds(g)) f32.set(g, pG / 4);
  if (sums) {
    f32.set(sums.m, (base + L.m) / 4);
    f64.fill(0, L.s1 / 8, L.s1 / 8 + 2 * ((C + 3) & ~3));
    wasm.gsums(pG, pX, N, C, S, base + L.m, base + L.s1, base + L.s2);
    sums.s1.set(f64.subarray(L.s1 / 8, L.s1 / 8 + C));
    sums.s2.set(f64.subarray(L.s2 / 8, L.s2 / 8 + C));
  }
  if (!coefficients || !dx) return { dx: null };
  const { m, k, e, d } = coefficients();
  f32.set(m, (base + L.m) / 4);
  f32.set(k, (base + L.k) / 4);
  f32.set(e, (base + L.b) / 4);
  f32.set(d, (base + L.d) / 4);
  // dx[i] depends on dy[i] and x[i] only, so it may be written over dy's copy.
  const pD = heap.holds(dx) ? dx.byteOffset : base + L.w;
  wasm.dgrad(pG, pX, pD, N, C, S, base + L.m, base + L.k, base + L.b, base + L.d);
  kernels.copyOut(pD, dx, n);
  return { dx };
}
