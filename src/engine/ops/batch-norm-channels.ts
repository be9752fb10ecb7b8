// Batch norm's per-channel float64 values, shared by both kernel backends: the shift of the
// one-pass statistics, the checks of the wasm float32 partial sums, the affine and gradient
// coefficients, the running statistics. The passes over the data are in kernels/.
import type { Tensor } from '../tensor';
import { channelGradSums, channelSums } from '../kernels/batch-norm-js';

export function sizeError(name: string, expected: number, t: Tensor): Error {
  return new Error(`${name} should contain ${expected} elements not ${t.data.length}`);
}

export function layoutNCS(x: Tensor): [number, number, number] {
  const N = x.shape[0];
  const C = x.shape[1];
  const S = x.data.length / Math.max(1, N * C);
  return [N, C, N * C === 0 ? 0 : S];
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
export interface Channels {
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

export function channels(C: number): Channels {
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
export function shiftEstimate(mean: Float64Array, x: Float32Array, N: number, C: number, S: number): void {
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
export function refineStats(ch: Channels, x: Float32Array, N: number, C: number, S: number, M: number): void {
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
export function refineGradSums(ch: Channels, gc: GradChannels, g: Float32Array, x: Float32Array, N: number, C: number, S: number): void {
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
export function finishStats(ch: Channels, batch: boolean, M: number, eps: number, w: Float32Array | null, b: Float32Array | null, rm: Float32Array | null, rv: Float32Array | null, c0: number, c1: number): void {
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
export function centredBias(ch: Channels, b: Float32Array | null, C: number): void {
  const { mean, meanF, k, biasF } = ch;
  for (let c = 0; c < C; c++) {
    const m = mean[c];
    const mf = Math.fround(m);
    meanF[c] = mf;
    biasF[c] = (b ? b[c] : 0) - (m - mf) * k[c];
  }
}

/** running = momentum·batch + (1 − momentum)·running, the variance unbiased. */
export function updateRunning(rm: Float32Array, rv: Float32Array, mean: Float64Array, variance: Float64Array, momentum: number, unbias: number, C: number): void {
  for (let c = 0; c < C; c++) {
    rm[c] = momentum * mean[c] + (1 - momentum) * rm[c];
    rv[c] = momentum * variance[c] * unbias + (1 - momentum) * rv[c];
  }
}

/** Per-channel float64 values of one backward call (views of the scratch buffer). */
export interface GradChannels {
  sumDy: Float64Array;
  sumDyXc: Float64Array;
  /** dx = dy·k + x·e + d (training; e = d = 0 in eval mode). */
  e: Float64Array;
  d: Float64Array;
  /** d of the centred form dx = dy·k + (x − meanF)·e + dF. */
  dF: Float64Array;
}

export function gradChannels(C: number): GradChannels {
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
export function gradCoefficients(ch: Channels, gc: GradChannels, M: number, c0: number, c1: number): void {
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
export function fitsFloat32(k: Float64Array, e: Float64Array, d: Float64Array, C: number): boolean {
  for (let c = 0; c < C; c++) {
    const v = Math.abs(k[c]) + Math.abs(e[c]) + Math.abs(d[c]);
    if (v > 3.4028234663852886e38 && v < Infinity) return false;
  }
  return true;
}

/** dL/dw = Σdy·(x − mean)·invstd. */
export function weightGrad(sumDyXc: Float64Array, invstd: Float64Array, C: number): Float32Array {
  const gw = new Float32Array(C);
  for (let c = 0; c < C; c++) gw[c] = sumDyXc[c] * invstd[c];
  return gw;
}

