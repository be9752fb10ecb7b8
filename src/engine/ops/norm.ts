// Fused normalization kernels (batch, layer, group, instance norm) with hand-written backward
// passes: one pass over the data instead of a graph of primitives, and every statistic
// accumulated in float64 (two-pass variance), so inputs like 1e4 + small noise stay accurate.
//
// Two layouts cover all four norms:
//  - per-channel: x viewed as (N, C, S); statistics of channel c over (N, S)   → batch norm
//  - per-row:     x viewed as (R, A, S); statistics of each row over (A, S),
//                 affine index of element (r, a, ·) = (r % P) * A + a           → layer/group/instance
//
// Batch norm's passes also exist in WebAssembly SIMD (wasm/norm.wat, the default 'wasm' kernel
// backend); the per-channel coefficients are computed here in float64 for both backends.
import { Tensor } from '../tensor';
import { shapeToString } from '../shape';
import { attach } from './graph';
import { getKernelBackend } from '../wasm/backend';
import { NORM_WASM_MAX, batchNormBackwardWasm, batchNormForwardWasm, normWasm, type SavedInput } from '../wasm/norm';

function sizeError(name: string, expected: number, t: Tensor): Error {
  return new Error(`${name} should contain ${expected} elements not ${t.data.length}`);
}

// Batch norm, backend 'js' (the 'wasm' backend runs wasm/norm.wat instead, see batchNorm): it runs
// channel block by channel block: for each block (4 channels of (N, C) input, or
// 1 channel of (N, C, S)) the statistics pass is followed at once by the output pass, while the
// block's data is still in cache (L1 for a 4-column strip of (N, C), L2 for a channel of
// (N, C, S)), and likewise Σdy, Σdy·x̂ then dx in the backward pass. Memory sees one read of x
// in the forward pass and one read of (dy, x) in the backward pass instead of two.
//
// For S = 1 the kernels walk 4 channels at a time down all N rows, keeping the channels'
// accumulators and coefficients in locals; for S > 1 the contiguous runs of S values are unrolled
// with independent accumulators. Every intermediate is a float64 JS number; only the stored outputs
// are rounded to float32. The statistics are one-pass over data shifted by x₀, an average of a few
// of the channel's values (shiftEstimate): var = mean((x − x₀)²) − mean(x − x₀)². As x₀ lies within
// the data, (x₀ − mean)² ≤ N·var, so the cancellation costs at most a relative 1e-16·N:
// 1e4 + 0.01·noise stays exact.

/** s1[c], s2[c] = Σ(x − sh[c]), Σ(x − sh[c])² over channel c of (N, C, S), for c in [c0, c1). */
function channelSums(x: Float32Array, N: number, C: number, S: number, c0: number, c1: number, sh: Float64Array, s1: Float64Array, s2: Float64Array): void {
  if (S === 1) {
    const end = N * C;
    let c = c0;
    for (; c + 3 < c1; c += 4) {
      const m0 = sh[c], m1 = sh[c + 1], m2 = sh[c + 2], m3 = sh[c + 3];
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
      for (let o = c; o < end; o += C) {
        const d0 = x[o] - m0, d1 = x[o + 1] - m1, d2 = x[o + 2] - m2, d3 = x[o + 3] - m3;
        a0 += d0;
        a1 += d1;
        a2 += d2;
        a3 += d3;
        q0 += d0 * d0;
        q1 += d1 * d1;
        q2 += d2 * d2;
        q3 += d3 * d3;
      }
      s1[c] = a0; s1[c + 1] = a1; s1[c + 2] = a2; s1[c + 3] = a3;
      s2[c] = q0; s2[c + 1] = q1; s2[c + 2] = q2; s2[c + 3] = q3;
    }
    for (; c < c1; c++) {
      const m = sh[c];
      let a = 0, q = 0;
      for (let o = c; o < end; o += C) {
        const d = x[o] - m;
        a += d;
        q += d * d;
      }
      s1[c] = a;
      s2[c] = q;
    }
    return;
  }
  for (let c = c0; c < c1; c++) {
    const m = sh[c];
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * S;
      const end = base + S;
      let j = base;
      for (; j + 3 < end; j += 4) {
        const d0 = x[j] - m, d1 = x[j + 1] - m, d2 = x[j + 2] - m, d3 = x[j + 3] - m;
        a0 += d0;
        a1 += d1;
        a2 += d2;
        a3 += d3;
        q0 += d0 * d0;
        q1 += d1 * d1;
        q2 += d2 * d2;
        q3 += d3 * d3;
      }
      for (; j < end; j++) {
        const d = x[j] - m;
        a0 += d;
        q0 += d * d;
      }
    }
    s1[c] = a0 + a1 + (a2 + a3);
    s2[c] = q0 + q1 + (q2 + q3);
  }
}

/** out = x·k[c] + b[c] over channels [c0, c1) of (N, C, S), in float64 before the final rounding. */
function channelAffine(out: Float32Array, x: Float32Array, N: number, C: number, S: number, c0: number, c1: number, k: Float64Array, b: Float64Array): void {
  if (S === 1) {
    const end = N * C;
    let c = c0;
    for (; c + 3 < c1; c += 4) {
      const k0 = k[c], k1 = k[c + 1], k2 = k[c + 2], k3 = k[c + 3];
      const b0 = b[c], b1 = b[c + 1], b2 = b[c + 2], b3 = b[c + 3];
      for (let o = c; o < end; o += C) {
        out[o] = x[o] * k0 + b0;
        out[o + 1] = x[o + 1] * k1 + b1;
        out[o + 2] = x[o + 2] * k2 + b2;
        out[o + 3] = x[o + 3] * k3 + b3;
      }
    }
    for (; c < c1; c++) {
      const kc = k[c], bc = b[c];
      for (let o = c; o < end; o += C) out[o] = x[o] * kc + bc;
    }
    return;
  }
  for (let c = c0; c < c1; c++) {
    const kc = k[c], bc = b[c];
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * S;
      const end = base + S;
      let j = base;
      for (; j + 3 < end; j += 4) {
        out[j] = x[j] * kc + bc;
        out[j + 1] = x[j + 1] * kc + bc;
        out[j + 2] = x[j + 2] * kc + bc;
        out[j + 3] = x[j + 3] * kc + bc;
      }
      for (; j < end; j++) out[j] = x[j] * kc + bc;
    }
  }
}

/** Σdy and Σdy·(x − m[c]) over channels [c0, c1) of (N, C, S), float64. */
function channelGradSums(g: Float32Array, x: Float32Array, N: number, C: number, S: number, c0: number, c1: number, m: Float64Array, sumDy: Float64Array, sumDyXc: Float64Array): void {
  if (S === 1) {
    const end = N * C;
    let c = c0;
    for (; c + 3 < c1; c += 4) {
      const m0 = m[c], m1 = m[c + 1], m2 = m[c + 2], m3 = m[c + 3];
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
      for (let o = c; o < end; o += C) {
        const g0 = g[o], g1 = g[o + 1], g2 = g[o + 2], g3 = g[o + 3];
        a0 += g0;
        a1 += g1;
        a2 += g2;
        a3 += g3;
        q0 += g0 * (x[o] - m0);
        q1 += g1 * (x[o + 1] - m1);
        q2 += g2 * (x[o + 2] - m2);
        q3 += g3 * (x[o + 3] - m3);
      }
      sumDy[c] = a0; sumDy[c + 1] = a1; sumDy[c + 2] = a2; sumDy[c + 3] = a3;
      sumDyXc[c] = q0; sumDyXc[c + 1] = q1; sumDyXc[c + 2] = q2; sumDyXc[c + 3] = q3;
    }
    for (; c < c1; c++) {
      const mc = m[c];
      let a = 0, q = 0;
      for (let o = c; o < end; o += C) {
        a += g[o];
        q += g[o] * (x[o] - mc);
      }
      sumDy[c] = a;
      sumDyXc[c] = q;
    }
    return;
  }
  for (let c = c0; c < c1; c++) {
    const mc = m[c];
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * S;
      const end = base + S;
      let j = base;
      for (; j + 3 < end; j += 4) {
        const g0 = g[j], g1 = g[j + 1], g2 = g[j + 2], g3 = g[j + 3];
        a0 += g0;
        a1 += g1;
        a2 += g2;
        a3 += g3;
        q0 += g0 * (x[j] - mc);
        q1 += g1 * (x[j + 1] - mc);
        q2 += g2 * (x[j + 2] - mc);
        q3 += g3 * (x[j + 3] - mc);
      }
      for (; j < end; j++) {
        a0 += g[j];
        q0 += g[j] * (x[j] - mc);
      }
    }
    sumDy[c] = a0 + a1 + (a2 + a3);
    sumDyXc[c] = q0 + q1 + (q2 + q3);
  }
}

/** out = dy·k[c] + x·e[c] + d[c] over channels [c0, c1) of (N, C, S). */
function channelGradInput(out: Float32Array, g: Float32Array, x: Float32Array, N: number, C: number, S: number, c0: number, c1: number, k: Float64Array, e: Float64Array, d: Float64Array): void {
  if (S === 1) {
    const end = N * C;
    let c = c0;
    for (; c + 3 < c1; c += 4) {
      const k0 = k[c], k1 = k[c + 1], k2 = k[c + 2], k3 = k[c + 3];
      const e0 = e[c], e1 = e[c + 1], e2 = e[c + 2], e3 = e[c + 3];
      const d0 = d[c], d1 = d[c + 1], d2 = d[c + 2], d3 = d[c + 3];
      for (let o = c; o < end; o += C) {
        out[o] = g[o] * k0 + x[o] * e0 + d0;
        out[o + 1] = g[o + 1] * k1 + x[o + 1] * e1 + d1;
        out[o + 2] = g[o + 2] * k2 + x[o + 2] * e2 + d2;
        out[o + 3] = g[o + 3] * k3 + x[o + 3] * e3 + d3;
      }
    }
    for (; c < c1; c++) {
      const kc = k[c], ec = e[c], dc = d[c];
      for (let o = c; o < end; o += C) out[o] = g[o] * kc + x[o] * ec + dc;
    }
    return;
  }
  for (let c = c0; c < c1; c++) {
    const kc = k[c], ec = e[c], dc = d[c];
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * S;
      const end = base + S;
      let j = base;
      for (; j + 3 < end; j += 4) {
        out[j] = g[j] * kc + x[j] * ec + dc;
        out[j + 1] = g[j + 1] * kc + x[j + 1] * ec + dc;
        out[j + 2] = g[j + 2] * kc + x[j + 2] * ec + dc;
        out[j + 3] = g[j + 3] * kc + x[j + 3] * ec + dc;
      }
      for (; j < end; j++) out[j] = g[j] * kc + x[j] * ec + dc;
    }
  }
}

/** Channels per fused block: a 4-wide column strip of (N, C), or one channel of (N, C, S). */
function channelBlock(S: number): number {
  return S === 1 ? 4 : 1;
}

// The per-channel loops below are top-level functions taking their arrays as arguments: the same
// loop in a closure created per call (the backward, a callback) reads its arrays through the
// closure's context and measured 4–5× slower in V8, ~5 µs per loop for 512 channels.

let scratchBuf = new Float64Array(0);

/** A reused float64 buffer of at least n values (contents undefined; not kept across calls). */
function scratch(n: number): Float64Array {
  if (scratchBuf.length < n) scratchBuf = new Float64Array(Math.max(n, 2 * scratchBuf.length));
  return scratchBuf;
}

/** Per-channel float64 values of one batch-norm call. */
interface Channels {
  /** Kept for the backward (one allocation). */
  mean: Float64Array;
  invstd: Float64Array;
  /** y = (x − mean)·k + b = x·k + shift, k = invstd·w (float64: no cancellation worth a float32 ulp). */
  k: Float64Array;
  /** fround(mean), exactly representable: the wasm element-wise passes centre x on it (norm.wat). */
  meanF: Float64Array;
  /** Temporaries, views of the scratch buffer. */
  variance: Float64Array;
  shift: Float64Array;
  /** The bias of the centred form y = (x − meanF)·k + (b − (mean − meanF)·k). */
  biasF: Float64Array;
  s1: Float64Array;
  s2: Float64Array;
}

function channels(C: number): Channels {
  const keep = new Float64Array(4 * C);
  const tmp = scratch(5 * C);
  return {
    mean: keep.subarray(0, C),
    invstd: keep.subarray(C, 2 * C),
    k: keep.subarray(2 * C, 3 * C),
    meanF: keep.subarray(3 * C, 4 * C),
    variance: tmp.subarray(0, C),
    shift: tmp.subarray(C, 2 * C),
    biasF: tmp.subarray(2 * C, 3 * C),
    s1: tmp.subarray(3 * C, 4 * C),
    s2: tmp.subarray(4 * C, 5 * C),
  };
}

/**
 * mean[c] = the shift of the one-pass statistics: the float32 average of 8 of the channel's values,
 * value j from sample j mod N at position ⌊(j + ½)·S/8⌋ (spread over samples and positions, not
 * just an image's corner), a cheap estimate of the mean that lies within the data.
 */
function shiftEstimate(mean: Float64Array, x: Float32Array, N: number, C: number, S: number): void {
  mean.fill(0, 0, C);
  for (let j = 0; j < 8; j++) {
    const base = (j % N) * C * S + Math.floor(((j + 0.5) * S) / 8);
    for (let c = 0, i = base; c < C; c++, i += S) mean[c] += x[i];
  }
  for (let c = 0; c < C; c++) mean[c] = Math.fround(mean[c] / 8);
}

/**
 * Checks the wasm statistics sums, which add float32 partial sums of up to 16 values (norm.wat).
 * Each partial sum is within 16 float32 ulps of Σ|x − sh| or Σ(x − sh)² over its values, so the
 * variance is within a relative ~1e-5 in the worst case (1e-7 typically) while the shift is near the
 * mean, (mean − sh)² ≤ 4·var, and the squares stay in float32's normal range. A channel outside
 * those bounds (a batch whose first samples are outliers, values beyond ±1e19 or spread below 1e-10)
 * is summed again in float64 around the mean just found (the 'js' kernel, exact as before).
 */
function refineStats(ch: Channels, x: Float32Array, N: number, C: number, S: number, M: number): void {
  const { mean, s1, s2 } = ch;
  const inv = 1 / M;
  for (let c = 0; c < C; c++) {
    const dm = s1[c] * inv;
    const q = s2[c] * inv;
    if (q < Infinity && dm * dm <= 4 * (q - dm * dm) && (q >= 1e-20 || (q === 0 && dm === 0))) continue;
    if (!channelFinite(x, N, C, S, c)) continue; // NaN or ±inf in the data: the sums are too, as in PyTorch
    const centre = Math.fround(mean[c] + dm);
    if (Number.isFinite(centre)) mean[c] = centre;
    channelSums(x, N, C, S, c, c + 1, mean, s1, s2);
  }
}

/** True when every value of channel c is finite. */
function channelFinite(x: Float32Array, N: number, C: number, S: number, c: number): boolean {
  for (let n = 0; n < N; n++) {
    const base = (n * C + c) * S;
    for (let j = base; j < base + S; j++) if (!Number.isFinite(x[j])) return false;
  }
  return true;
}

/**
 * The wasm gradient sums are taken around meanF = fround(mean) with float32 partial sums (as in
 * refineStats); this moves Σdy·(x − meanF) to Σdy·(x − mean), and sums a channel again in float64
 * when its float32 products overflowed.
 */
function refineGradSums(ch: Channels, gc: GradChannels, g: Float32Array, x: Float32Array, N: number, C: number, S: number): void {
  const { mean, meanF } = ch;
  const { sumDy, sumDyXc } = gc;
  for (let c = 0; c < C; c++) {
    if (Number.isFinite(sumDy[c]) && Number.isFinite(sumDyXc[c])) {
      sumDyXc[c] += (meanF[c] - mean[c]) * sumDy[c];
    } else {
      channelGradSums(g, x, N, C, S, c, c + 1, mean, sumDy, sumDyXc);
    }
  }
}

/**
 * mean, variance (from the shifted sums, or the running statistics `rm`, `rv`), invstd, k and
 * shift of channels [c0, c1). Values go through locals: V8 reloads an element it has just stored.
 */
function finishStats(ch: Channels, batch: boolean, M: number, eps: number, w: Float32Array | null, b: Float32Array | null, rm: Float32Array | null, rv: Float32Array | null, c0: number, c1: number): void {
  const { mean, variance, invstd, k, shift, s1, s2 } = ch;
  const inv = 1 / M; // divisions are the slow part of this loop
  for (let c = c0; c < c1; c++) {
    let m: number, v: number;
    if (batch) {
      const dm = s1[c] * inv;
      m = mean[c] + dm;
      v = Math.max(0, s2[c] * inv - dm * dm);
    } else {
      m = rm![c];
      v = rv![c];
    }
    const is = 1 / Math.sqrt(v + eps);
    const kc = is * (w ? w[c] : 1);
    mean[c] = m;
    variance[c] = v;
    invstd[c] = is;
    k[c] = kc;
    shift[c] = (b ? b[c] : 0) - m * kc;
  }
}

/** meanF = fround(mean) and the bias of the centred form (see Channels). */
function centredBias(ch: Channels, b: Float32Array | null, C: number): void {
  const { mean, meanF, k, biasF } = ch;
  for (let c = 0; c < C; c++) {
    const m = mean[c];
    const mf = Math.fround(m);
    meanF[c] = mf;
    biasF[c] = (b ? b[c] : 0) - (m - mf) * k[c];
  }
}

/** running = momentum·batch + (1 − momentum)·running, the variance unbiased. */
function updateRunning(rm: Float32Array, rv: Float32Array, mean: Float64Array, variance: Float64Array, momentum: number, unbias: number, C: number): void {
  for (let c = 0; c < C; c++) {
    rm[c] = momentum * mean[c] + (1 - momentum) * rm[c];
    rv[c] = momentum * variance[c] * unbias + (1 - momentum) * rv[c];
  }
}

/** Per-channel float64 values of one backward call (views of the scratch buffer). */
interface GradChannels {
  sumDy: Float64Array;
  sumDyXc: Float64Array;
  /** dx = dy·k + x·e + d (training; e = d = 0 in eval mode). */
  e: Float64Array;
  d: Float64Array;
  /** d of the centred form dx = dy·k + (x − meanF)·e + dF. */
  dF: Float64Array;
}

function gradChannels(C: number): GradChannels {
  const tmp = scratch(5 * C);
  return {
    sumDy: tmp.subarray(0, C),
    sumDyXc: tmp.subarray(C, 2 * C),
    e: tmp.subarray(2 * C, 3 * C).fill(0),
    d: tmp.subarray(3 * C, 4 * C).fill(0),
    dF: tmp.subarray(4 * C, 5 * C).fill(0),
  };
}

/**
 * Training-mode dx = k·(dy − mean(dy)) − (x − mean)·k·invstd²·mean(dy·(x − mean))
 *                 = dy·k + x·e + d, e = −k·invstd²·mean(dy·(x − mean)), d = −k·mean(dy) − mean·e,
 * and the centred dF = −k·mean(dy) − (mean − meanF)·e, for channels [c0, c1).
 */
function gradCoefficients(ch: Channels, gc: GradChannels, M: number, c0: number, c1: number): void {
  const { mean, meanF, k, invstd } = ch;
  const { sumDy, sumDyXc, e, d, dF } = gc;
  const inv = 1 / M;
  for (let c = c0; c < c1; c++) {
    const kc = k[c], is = invstd[c], m = mean[c];
    const ec = -kc * is * is * (sumDyXc[c] * inv);
    const dc = -kc * (sumDy[c] * inv);
    e[c] = ec;
    d[c] = dc - m * ec;
    dF[c] = dc - (m - meanF[c]) * ec;
  }
}

/** True when the dx coefficients of every channel are finite in float32 (or were not finite anyway). */
function fitsFloat32(k: Float64Array, e: Float64Array, d: Float64Array, C: number): boolean {
  for (let c = 0; c < C; c++) {
    const v = Math.abs(k[c]) + Math.abs(e[c]) + Math.abs(d[c]);
    if (v > 3.4028234663852886e38 && v < Infinity) return false;
  }
  return true;
}

/** dL/dw = Σdy·(x − mean)·invstd. */
function weightGrad(sumDyXc: Float64Array, invstd: Float64Array, C: number): Float32Array {
  const gw = new Float32Array(C);
  for (let c = 0; c < C; c++) gw[c] = sumDyXc[c] * invstd[c];
  return gw;
}

function layoutNCS(x: Tensor): [number, number, number] {
  const N = x.shape[0];
  const C = x.shape[1];
  const S = x.data.length / Math.max(1, N * C);
  return [N, C, N * C === 0 ? 0 : S];
}

// Kernels: backend 'wasm' (default) runs the passes in WebAssembly SIMD (wasm/norm.wat: float64
// sums, float32 element-wise passes on the centred value); 'js' runs the float64 TypeScript
// kernels above. Both compute the same per-channel coefficients here.
/**
 * F.batch_norm on x (N, C, …), per-channel params of shape (C). With `training`, normalizes with the batch
 * statistics and (if given) updates the running statistics in place: mean with the batch mean, variance with
 * the *unbiased* batch variance, weighted by `momentum`. Otherwise normalizes with the running statistics.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null,
  bias: Tensor | null,
  training: boolean,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  if (x.shape.length < 2) throw new Error(`batch_norm(): expected input with at least 2 dims (N, C, ...), got ${shapeToString(x.shape)}`);
  const [N, C, S] = layoutNCS(x);
  if (runningMean && runningMean.data.length !== C) throw sizeError('running_mean', C, runningMean);
  if (runningVar && runningVar.data.length !== C) throw sizeError('running_var', C, runningVar);
  if (weight && weight.data.length !== C) throw sizeError('weight', C, weight);
  if (bias && bias.data.length !== C) throw sizeError('bias', C, bias);
  if (training && N * S === 1) {
    throw new Error(`Expected more than 1 value per channel when training, got input size ${shapeToString(x.shape)}`);
  }
  if (!training && (!runningMean || !runningVar)) {
    throw new Error('running_mean and running_var must be defined in evaluation mode');
  }
  const M = N * S;
  const xd = x.data;
  const w = weight ? weight.data : null;
  const b = bias ? bias.data : null;
  const rm = runningMean ? runningMean.data : null;
  const rv = runningVar ? runningVar.data : null;
  const ch = channels(C);
  if (training) shiftEstimate(ch.mean, xd, N, C, S);
  const kernels = xd.length > 0 && xd.length <= NORM_WASM_MAX && getKernelBackend() === 'wasm' ? normWasm() : null;
  let saved: SavedInput | null = null;
  let y: Float32Array;
  if (kernels) {
    const res = batchNormForwardWasm(kernels, xd, N, C, S, training ? { sh: ch.mean, s1: ch.s1, s2: ch.s2 } : null, () => {
      if (training) refineStats(ch, xd, N, C, S, M);
      finishStats(ch, training, M, eps, w, b, rm, rv, 0, C);
      centredBias(ch, b, C);
      return { m: ch.meanF, k: ch.k, b: ch.biasF };
    });
    y = res.y;
    saved = res.saved;
  } else {
    y = new Float32Array(xd.length);
    const blk = channelBlock(S);
    for (let c0 = 0; c0 < C; c0 += blk) {
      const c1 = Math.min(C, c0 + blk);
      if (training) channelSums(xd, N, C, S, c0, c1, ch.mean, ch.s1, ch.s2);
      finishStats(ch, training, M, eps, w, b, rm, rv, c0, c1);
      channelAffine(y, xd, N, C, S, c0, c1, ch.k, ch.shift);
    }
  }
  if (training && rm && rv) updateRunning(rm, rv, ch.mean, ch.variance, momentum, M / (M - 1), C);
  return attach(new Tensor(y, x.shape), 'NativeBatchNormBackward', [x, weight, bias], (g) => {
    // Per channel, Σdy and Σdy·(x − mean) give the affine grads and the batch-statistics terms
    // (gradCoefficients); in eval mode dx = dy·k.
    const needSums = training || (weight !== null && weight.requiresGrad) || (bias !== null && bias.requiresGrad);
    const gc = gradChannels(C);
    let gx: Float32Array | null;
    if (kernels) {
      // Training: float32 partial sums around the batch mean (refined before the coefficients use
      // them, or after the call without dx). Eval: the running mean may be far from the data, where
      // float32 products would lose digits, and only the affine grads need the sums: float64 here.
      const wasmSums = needSums && training;
      if (needSums && !training) channelGradSums(g, xd, N, C, S, 0, C, ch.mean, gc.sumDy, gc.sumDyXc);
      let refined = !wasmSums;
      gx = batchNormBackwardWasm(kernels, g, xd, N, C, S, saved, wasmSums ? { m: ch.meanF, s1: gc.sumDy, s2: gc.sumDyXc } : null,
        x.requiresGrad ? () => {
          if (!refined) refineGradSums(ch, gc, g, xd, N, C, S);
          refined = true;
          if (training) gradCoefficients(ch, gc, M, 0, C);
          return { m: ch.meanF, k: ch.k, e: gc.e, d: gc.dF };
        } : null);
      if (!refined) refineGradSums(ch, gc, g, xd, N, C, S);
      if (gx && !fitsFloat32(ch.k, gc.e, gc.dF, C)) {
        // A coefficient beyond float32 (a spread near 1e-20 with eps 0): dx in float64 instead.
        channelGradInput(gx, g, xd, N, C, S, 0, C, ch.k, gc.e, gc.d);
      }
    } else {
      gx = x.requiresGrad ? new Float32Array(xd.length) : null;
      const blk = channelBlock(S);
      for (let c0 = 0; c0 < C; c0 += blk) {
        const c1 = Math.min(C, c0 + blk);
        if (needSums) channelGradSums(g, xd, N, C, S, c0, c1, ch.mean, gc.sumDy, gc.sumDyXc);
        if (!gx) continue;
        if (training) gradCoefficients(ch, gc, M, c0, c1);
        channelGradInput(gx, g, xd, N, C, S, c0, c1, ch.k, gc.e, gc.d);
      }
    }
    const gw = weight && weight.requiresGrad ? weightGrad(gc.sumDyXc, ch.invstd, C) : null;
    const gb = bias && bias.requiresGrad ? new Float32Array(gc.sumDy) : null;
    return [gx, gw, gb];
  }, true);
}

interface RowLayout {
  /** Number of normalized rows. */
  R: number;
  /** Affine segments per row. */
  A: number;
  /** Elements per affine segment. */
  S: number;
  /** Rows per affine period: element (r, a) uses affine index (r % P) * A + a. */
  P: number;
}

/** Normalizes each row of (R, A·S) with its own statistics; affine params indexed per segment. */
function rowNorm(name: string, x: Tensor, L: RowLayout, weight: Tensor | null, bias: Tensor | null, eps: number): { y: Tensor; mean: Float64Array; variance: Float64Array } {
  const { R, A, S, P } = L;
  const D = A * S;
  const xd = x.data;
  const w = weight ? weight.data : null;
  const b = bias ? bias.data : null;
  const mean = new Float64Array(R);
  const variance = new Float64Array(R);
  const invstd = new Float64Array(R);
  const y = new Float32Array(xd.length);
  for (let r = 0; r < R; r++) {
    const base = r * D;
    let s = 0;
    for (let j = 0; j < D; j++) s += xd[base + j];
    const m = s / D;
    let ss = 0;
    for (let j = 0; j < D; j++) {
      const d = xd[base + j] - m;
      ss += d * d;
    }
    const v = ss / D;
    const is = 1 / Math.sqrt(v + eps);
    mean[r] = m;
    variance[r] = v;
    invstd[r] = is;
    const a0 = (r % P) * A;
    for (let a = 0; a < A; a++) {
      const k = is * (w ? w[a0 + a] : 1);
      const shift = b ? b[a0 + a] : 0;
      const o = base + a * S;
      for (let j = 0; j < S; j++) y[o + j] = (xd[o + j] - m) * k + shift;
    }
  }
  const out = attach(new Tensor(y, x.shape), name, [x, weight, bias], (g) => {
    const gw = w ? new Float64Array(w.length) : null;
    const gb = b ? new Float64Array(b.length) : null;
    const gx = x.requiresGrad ? new Float32Array(xd.length) : null;
    for (let r = 0; r < R; r++) {
      const base = r * D;
      const m = mean[r];
      const is = invstd[r];
      const a0 = (r % P) * A;
      // With ĝ = dy·w: dx = invstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)).
      let sg = 0, sgx = 0;
      for (let a = 0; a < A; a++) {
        const wa = w ? w[a0 + a] : 1;
        const o = base + a * S;
        let s1 = 0, s2 = 0;
        for (let j = 0; j < S; j++) {
          const gy = g[o + j];
          const xhat = (xd[o + j] - m) * is;
          s1 += gy;
          s2 += gy * xhat;
        }
        if (gw) gw[a0 + a] += s2;
        if (gb) gb[a0 + a] += s1;
        sg += s1 * wa;
        sgx += s2 * wa;
      }
      if (gx) {
        const mg = sg / D;
        const mgx = sgx / D;
        for (let a = 0; a < A; a++) {
          const wa = w ? w[a0 + a] : 1;
          const o = base + a * S;
          for (let j = 0; j < S; j++) {
            const xhat = (xd[o + j] - m) * is;
            gx[o + j] = is * (g[o + j] * wa - mg - xhat * mgx);
          }
        }
      }
    }
    return [
      gx,
      weight && weight.requiresGrad && gw ? Float32Array.from(gw) : null,
      bias && bias.requiresGrad && gb ? Float32Array.from(gb) : null,
    ];
  });
  return { y: out, mean, variance };
}

/** F.layer_norm over the trailing `normalizedShape` dims of x, with optional weight and bias of that shape. */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape.slice();
  const k = ns.length;
  const tail = x.shape.slice(x.shape.length - k);
  if (k === 0 || x.shape.length < k || tail.some((d, i) => d !== ns[i])) {
    throw new Error(`Given normalized_shape=${shapeToString(ns)}, expected input with shape [*, ${ns.join(', ')}], but got input of size${shapeToString(x.shape)}`);
  }
  const D = ns.reduce((p, d) => p * d, 1);
  if (weight && weight.data.length !== D) throw new Error(`Expected weight to be of same shape as normalized_shape, but got weight of shape ${shapeToString(weight.shape)} and normalized_shape = ${shapeToString(ns)}`);
  if (bias && bias.data.length !== D) throw new Error(`Expected bias to be of same shape as normalized_shape, but got bias of shape ${shapeToString(bias.shape)} and normalized_shape = ${shapeToString(ns)}`);
  const R = D === 0 ? 0 : x.data.length / D;
  return rowNorm('NativeLayerNormBackward', x, { R, A: D, S: 1, P: 1 }, weight, bias, eps).y;
}

/** F.group_norm on x (N, C, …): channels split into `numGroups` contiguous groups, statistics per (sample, group); weight and bias (C). */
export function groupNorm(x: Tensor, numGroups: number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  if (x.shape.length < 2) throw new Error(`Expected at least 2 dimensions for input tensor but received ${x.shape.length}`);
  const [N, C, S] = layoutNCS(x);
  if (C % numGroups !== 0) {
    throw new Error(`Expected number of channels in input to be divisible by num_groups, but got input of shape ${shapeToString(x.shape)} and num_groups=${numGroups}`);
  }
  if (weight && weight.data.length !== C) throw new Error(`Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape ${shapeToString(weight.shape)} and input of shape ${shapeToString(x.shape)}`);
  if (bias && bias.data.length !== C) throw new Error(`Expected bias to be a vector of size equal to the number of channels in input, but got bias of shape ${shapeToString(bias.shape)} and input of shape ${shapeToString(x.shape)}`);
  return rowNorm('NativeGroupNormBackward', x, { R: N * numGroups, A: C / numGroups, S, P: numGroups }, weight, bias, eps).y;
}

/**
 * F.instance_norm on (N, C, ...): statistics per (sample, channel) when `useInputStats`, which
 * also updates the running statistics (averaged over the batch, as PyTorch does); otherwise the
 * running statistics normalize every sample.
 */
export function instanceNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null,
  bias: Tensor | null,
  useInputStats: boolean,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  if (x.shape.length < 2) throw new Error(`instance_norm(): expected input with at least 2 dims (N, C, ...), got ${shapeToString(x.shape)}`);
  const [N, C, S] = layoutNCS(x);
  if (runningMean && runningMean.data.length !== C) throw sizeError('running_mean', C, runningMean);
  if (runningVar && runningVar.data.length !== C) throw sizeError('running_var', C, runningVar);
  if (weight && weight.data.length !== C) throw sizeError('weight', C, weight);
  if (bias && bias.data.length !== C) throw sizeError('bias', C, bias);
  if (!useInputStats) return batchNorm(x, runningMean, runningVar, weight, bias, false, momentum, eps);
  if (S <= 1) {
    throw new Error(`Expected more than 1 spatial element when training, got input size ${shapeToString(x.shape)}`);
  }
  const { y, mean, variance } = rowNorm('InstanceNormBackward', x, { R: N * C, A: 1, S, P: C }, weight, bias, eps);
  if (runningMean && runningVar) {
    const rm = runningMean.data;
    const rv = runningVar.data;
    const unbias = S / (S - 1);
    for (let c = 0; c < C; c++) {
      let m = 0, v = 0;
      for (let n = 0; n < N; n++) {
        m += mean[n * C + c];
        v += variance[n * C + c] * unbias;
      }
      rm[c] = momentum * (m / N) + (1 - momentum) * rm[c];
      rv[c] = momentum * (v / N) + (1 - momentum) * rv[c];
    }
  }
  return y;
}
