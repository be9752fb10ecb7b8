// F.batch_norm with its hand-written backward: 4 passes over the data (statistics, output,
// gradient sums, input gradient) instead of a graph of primitives. The statistics are one-pass
// sums of x − x₀ around a shift x₀ near each channel's mean (a shifted-data variance: 1e4 + small
// noise keeps its digits), the per-channel coefficients float64 (batch-norm-channels.ts). The
// passes run on the active kernel backend: 'wasm' (wasm/norm.wat, float32 element-wise passes on
// x − fround(mean), float32 partial sums widened into float64) or 'js' (kernels/batch-norm-js.ts,
// all float64), chosen in kernels/backend.ts.
import { Tensor } from '../tensor';
import { shapeToString } from '../shape';
import { attach } from './graph';
import { allocate } from '../storage';
import { activeKernels } from '../kernels/backend';
import type { BatchNormKernels, SavedInput } from '../kernels/batch-norm';
import { channelAffine, channelBlock, channelGradInput, channelGradSums, channelSums } from '../kernels/batch-norm-js';
import {
  centredBias, channels, finishStats, fitsFloat32, gradChannels, gradCoefficients, layoutNCS, refineGradSums, refineStats,
  shiftEstimate, sizeError, updateRunning, weightGrad, type Channels, type GradChannels,
} from './batch-norm-channels';

/**
 * F.batch_norm. With `training`, normalizes with batch statistics and (if given) updates the
 * running statistics in place: mean with the batch mean, variance with the *unbiased* batch
 * variance, weighted by `momentum`. Otherwise normalizes with the running statistics.
 *
 * Kernels: backend 'wasm' (default) runs the passes in WebAssembly SIMD (wasm/norm.wat: float64
 * sums, float32 element-wise passes on the centred value); 'js' runs the float64 TypeScript
 * kernels above. Both compute the same per-channel coefficients here.
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
  const [N, C, S] = checkedLayout(x, runningMean, runningVar, weight, bias, training);
  const M = N * S;
  const xd = x.data;
  const rm = runningMean ? runningMean.data : null;
  const rv = runningVar ? runningVar.data : null;
  const ch = channels(C);
  if (training) shiftEstimate(ch.mean, xd, N, C, S);
  const bnKernels = activeKernels().batchNorm;
  const kernels = bnKernels && xd.length > 0 && xd.length <= bnKernels.maxValues ? bnKernels : null;
  const pass: BatchNormPass = { x: xd, N, C, S, M, ch, training, w: weight ? weight.data : null, b: bias ? bias.data : null, rm, rv };
  const { y, saved } = (kernels && forwardWithKernels(kernels, pass, eps)) || forwardInJs(pass, eps);
  if (training && rm && rv) updateRunning(rm, rv, ch.mean, ch.variance, momentum, M / (M - 1), C);
  return attach(new Tensor(y, x.shape), 'NativeBatchNormBackward', [x, weight, bias], (g) => {
    // Per channel, Σdy and Σdy·(x − mean) give the affine grads and the batch-statistics terms
    // (gradCoefficients); in eval mode dx = dy·k.
    const needSums = training || (weight !== null && weight.requiresGrad) || (bias !== null && bias.requiresGrad);
    const gc = gradChannels(C);
    const done = kernels ? backwardWithKernels(kernels, pass, saved, g, gc, needSums, x.requiresGrad) : null;
    const gx = done ? done.dx : backwardInJs(pass, g, gc, needSums, x.requiresGrad);
    const gw = weight && weight.requiresGrad ? weightGrad(gc.sumDyXc, ch.invstd, C) : null;
    const gb = bias && bias.requiresGrad ? new Float32Array(gc.sumDy) : null;
    return [gx, gw, gb];
  }, true);
}

/** One call's data and per-channel state, shared by its forward and backward passes. */
interface BatchNormPass {
  x: Float32Array;
  N: number;
  C: number;
  S: number;
  /** Values per channel (N·S). */
  M: number;
  ch: Channels;
  training: boolean;
  w: Float32Array | null;
  b: Float32Array | null;
  rm: Float32Array | null;
  rv: Float32Array | null;
}

/** The (N, C, S) layout of `x`, after checking every argument's size and the mode's requirements. */
function checkedLayout(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null, bias: Tensor | null, training: boolean): [number, number, number] {
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
  return [N, C, S];
}

/** Forward on the backend's kernels: statistics and output passes, with the coefficients computed between them (null: no room). */
function forwardWithKernels(kernels: BatchNormKernels, p: BatchNormPass, eps: number): { y: Float32Array; saved: SavedInput | null } | null {
  const { x, N, C, S, M, ch, training } = p;
  const res = kernels.forward(x, N, C, S, training ? { sh: ch.mean, s1: ch.s1, s2: ch.s2 } : null, () => {
    if (training) refineStats(ch, x, N, C, S, M);
    finishStats(ch, training, M, eps, p.w, p.b, p.rm, p.rv, 0, C);
    centredBias(ch, p.b, C);
    return { m: ch.meanF, k: ch.k, b: ch.biasF };
  });
  return res && { y: res.y, saved: res.saved };
}

/** Forward in float64 TypeScript, a block of channels at a time. */
function forwardInJs(p: BatchNormPass, eps: number): { y: Float32Array; saved: null } {
  const { x, N, C, S, M, ch, training } = p;
  const y = allocate(x.length);
  const blk = channelBlock(S);
  for (let c0 = 0; c0 < C; c0 += blk) {
    const c1 = Math.min(C, c0 + blk);
    if (training) channelSums(x, N, C, S, c0, c1, ch.mean, ch.s1, ch.s2);
    finishStats(ch, training, M, eps, p.w, p.b, p.rm, p.rv, c0, c1);
    channelAffine(y, x, N, C, S, c0, c1, ch.k, ch.shift);
  }
  return { y, saved: null };
}

/** Backward on the backend's kernels: fills `gc`'s sums, and returns dx (null when x needs no gradient); null for the call when there is no room. */
function backwardWithKernels(kernels: BatchNormKernels, p: BatchNormPass, saved: SavedInput | null, g: Float32Array, gc: GradChannels, needSums: boolean, inputGrad: boolean): { dx: Float32Array | null } | null {
  const { x, N, C, S, M, ch, training } = p;
  // Training: float32 partial sums around the batch mean (refined before the coefficients use
  // them, or after the call without dx). Eval: the running mean may be far from the data, where
  // float32 products would lose digits, and only the affine grads need the sums: float64 here.
  const wasmSums = needSums && training;
  if (needSums && !training) channelGradSums(g, x, N, C, S, 0, C, ch.mean, gc.sumDy, gc.sumDyXc);
  let refined = !wasmSums;
  const res = kernels.backward(g, x, N, C, S, saved, wasmSums ? { m: ch.meanF, s1: gc.sumDy, s2: gc.sumDyXc } : null,
    inputGrad ? () => {
      if (!refined) refineGradSums(ch, gc, g, x, N, C, S);
      refined = true;
      if (training) gradCoefficients(ch, gc, M, 0, C);
      return { m: ch.meanF, k: ch.k, e: gc.e, d: gc.dF };
    } : null);
  if (!res) return null;
  const gx = res.dx;
  if (!refined) refineGradSums(ch, gc, g, x, N, C, S);
  if (gx && !fitsFloat32(ch.k, gc.e, gc.dF, C)) {
    // A coefficient beyond float32 (a spread near 1e-20 with eps 0): dx in float64 instead.
    channelGradInput(gx, g, x, N, C, S, 0, C, ch.k, gc.e, gc.d);
  }
  return { dx: gx };
}

/** Backward in float64 TypeScript, a block of channels at a time: fills `gc`'s sums, and returns dx. */
function backwardInJs(p: BatchNormPass, g: Float32Array, gc: GradChannels, needSums: boolean, inputGrad: boolean): Float32Array | null {
  const { x, N, C, S, M, ch, training } = p;
  const gx = inputGrad ? allocate(x.length) : null;
  const blk = channelBlock(S);
  for (let c0 = 0; c0 < C; c0 += blk) {
    const c1 = Math.min(C, c0 + blk);
    if (needSums) channelGradSums(g, x, N, C, S, c0, c1, ch.mean, gc.sumDy, gc.sumDyXc);
    if (!gx) continue;
    if (training) gradCoefficients(ch, gc, M, c0, c1);
    channelGradInput(gx, g, x, N, C, S, c0, c1, ch.k, gc.e, gc.d);
  }
  return gx;
}
