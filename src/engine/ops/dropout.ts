// Inverted dropout: kept values are scaled by 1/(1-p) in training; identity otherwise.
import { Tensor } from '../tensor';
import { resolveGenerator, type Generator } from '../random';
import { attach } from './graph';

/** F.dropout: with `training` (default true) zeroes each element with probability p (default 0.5) and scales the rest by 1/(1 − p); otherwise returns x. */
export function dropout(x: Tensor, p = 0.5, training = true, generator?: Generator | null): Tensor {
  if (p < 0 || p > 1) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return x;
  const n = x.data.length;
  const mask = new Float32Array(n);
  if (p < 1) {
    const g = resolveGenerator(generator);
    const scale = 1 / (1 - p);
    for (let i = 0; i < n; i++) mask[i] = g.nextFloat32() < 1 - p ? scale : 0;
  }
  const out = new Float32Array(n);
  const xd = x.data;
  for (let i = 0; i < n; i++) out[i] = xd[i] * mask[i];
  return attach(new Tensor(out, x.shape), 'MulBackward', [x], (g) => {
    const gx = new Float32Array(n);
    for (let i = 0; i < n; i++) gx[i] = g[i] * mask[i];
    return [gx];
  });
}
