// The 'js' element-wise kernels (see elementwise.ts). One loop per case, without temporaries, so
// each runs monomorphic over whole arrays.
import type { Activation, ElementwiseKernels, SgdStep } from './elementwise';

const f32 = Math.fround;

function sgd(p: Float32Array, g: Float32Array, buf: Float32Array | null, s: SgdStep): void {
  const n = p.length;
  const { lr, weightDecay: wd, momentum: mu, dampFactor: damp } = s;
  const sign = s.maximize ? -1 : 1;
  const decay = s.maximize || wd !== 0;
  if (mu === 0 || buf === null) {
    if (decay) for (let k = 0; k < n; k++) p[k] = p[k] - lr * f32(sign * g[k] + wd * p[k]);
    else for (let k = 0; k < n; k++) p[k] = p[k] - lr * g[k];
    return;
  }
  for (let k = 0; k < n; k++) {
    const d = decay ? f32(sign * g[k] + wd * p[k]) : g[k];
    const b = s.firstStep ? d : f32(f32(buf[k] * mu) + damp * d);
    buf[k] = b;
    p[k] = p[k] - lr * (s.nesterov ? f32(d + mu * b) : b);
  }
}

function activationBackward(kind: Activation, g: Float32Array, y: Float32Array, gx: Float32Array): void {
  const n = g.length;
  if (kind === 'sigmoid') for (let i = 0; i < n; i++) gx[i] = g[i] * (1 - y[i]) * y[i];
  else if (kind === 'tanh') for (let i = 0; i < n; i++) gx[i] = g[i] * (1 - y[i] * y[i]);
  else for (let i = 0; i < n; i++) gx[i] = y[i] > 0 ? g[i] : 0;
}

function sigmoid(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) y[i] = 1 / (1 + Math.exp(-x[i]));
}

function columnSums(src: Float32Array, R: number, C: number): Float32Array {
  const acc = new Float64Array(C);
  for (let r = 0, i = 0; r < R; r++) for (let j = 0; j < C; j++, i++) acc[j] += src[i];
  return Float32Array.from(acc);
}

export const jsElementwise: ElementwiseKernels = { sgd, activationBackward, sigmoid, columnSums };
