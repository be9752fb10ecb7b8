// softmax / logSoftmax along one dim, viewing the tensor as (outer, size, inner). The max is
// subtracted first and the normalizer accumulated in float64.
import { Tensor } from '../tensor';
import { normalizeDim } from '../shape';
import { attach } from './graph';

function split(shape: readonly number[], dim: number): [number, number, number] {
  const d = normalizeDim(dim, shape.length);
  if (shape.length === 0) return [1, 1, 1];
  const outer = shape.slice(0, d).reduce((p, v) => p * v, 1);
  const inner = shape.slice(d + 1).reduce((p, v) => p * v, 1);
  return [outer, shape[d], inner];
}

function forward(x: Float32Array, outer: number, size: number, inner: number, logMode: boolean): Float32Array {
  const y = new Float32Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let m = -Infinity;
      for (let k = 0; k < size; k++) {
        const v = x[base + k * inner];
        if (v > m) m = v;
      }
      let s = 0;
      for (let k = 0; k < size; k++) s += Math.exp(x[base + k * inner] - m);
      if (logMode) {
        const lse = m + Math.log(s);
        for (let k = 0; k < size; k++) y[base + k * inner] = x[base + k * inner] - lse;
      } else {
        for (let k = 0; k < size; k++) y[base + k * inner] = Math.exp(x[base + k * inner] - m) / s;
      }
    }
  }
  return y;
}

/** exp(x) / Σ exp(x) along `dim`, with the max subtracted first (each slice sums to 1). Like torch.softmax / F.softmax. */
export function softmax(a: Tensor, dim: number): Tensor {
  const [outer, size, inner] = split(a.shape, dim);
  const y = forward(a.data, outer, size, inner, false);
  return attach(new Tensor(y, a.shape), 'SoftmaxBackward', [a], (g) => {
    // dx = y * (g - Σ g·y)
    const gx = new Float32Array(g.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * size * inner + i;
        let dot = 0;
        for (let k = 0; k < size; k++) dot += g[base + k * inner] * y[base + k * inner];
        for (let k = 0; k < size; k++) {
          const j = base + k * inner;
          gx[j] = y[j] * (g[j] - dot);
        }
      }
    }
    return [gx];
  });
}

/** log(softmax(x)) along `dim`, computed stably as x − logsumexp(x). Like torch.log_softmax / F.log_softmax. */
export function logSoftmax(a: Tensor, dim: number): Tensor {
  const [outer, size, inner] = split(a.shape, dim);
  const y = forward(a.data, outer, size, inner, true);
  return attach(new Tensor(y, a.shape), 'LogSoftmaxBackward', [a], (g) => {
    // dx = g - exp(y) * Σ g
    const gx = new Float32Array(g.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * size * inner + i;
        let s = 0;
        for (let k = 0; k < size; k++) s += g[base + k * inner];
        for (let k = 0; k < size; k++) {
          const j = base + k * inner;
          gx[j] = g[j] - Math.exp(y[j]) * s;
        }
      }
    }
    return [gx];
  });
}
