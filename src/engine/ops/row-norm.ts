// Layer, group and instance norm: x viewed as (R, A, S), statistics of each row over (A, S)
// (two-pass: the mean, then Σ(x − mean)², both float64), affine index of element (r, a, ·) =
// (r % P)·A + a, one fused forward and a hand-written backward. Instance norm with running
// statistics in eval mode is batch norm with those statistics.
import { Tensor } from '../tensor';
import { shapeToString } from '../shape';
import { attach } from './graph';
import { batchNorm } from './batch-norm';
import { layoutNCS, sizeError } from './batch-norm-channels';

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

/** F.layer_norm over the trailing `normalizedShape` dims. */
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

/** F.group_norm: channels split into `numGroups` contiguous groups, statistics per (sample, group). */
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

