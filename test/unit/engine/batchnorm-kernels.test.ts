// The fused batch-norm kernels of both backends ('js': row-blocked for (N, C), unrolled for (N, C, S),
// float64; 'wasm': norm.wat, 8-row blocks × 4 channels for (N, C), f32x4 runs for (N, C, S)) against
// a direct float64 reference, on shapes that leave remainders in every unrolled loop and block, in
// training and eval mode, with and without affine parameters, and with large offsets.
import { test } from 'node:test';
import { F, Generator, randn, tensor } from './imports';
import { assertClose, BACKENDS, withBackend } from './helpers';

interface Ref { y: Float64Array; gx: Float64Array; gw: Float64Array; gb: Float64Array; mean: Float64Array; variance: Float64Array }

/** Textbook batch norm forward/backward in float64 (two-pass statistics). */
function reference(x: Float32Array, g: Float32Array, shape: number[], w: Float32Array, b: Float32Array, training: boolean, rm: Float32Array, rv: Float32Array, eps: number): Ref {
  const [N, C] = shape;
  const S = x.length / (N * C);
  const M = N * S;
  const idx = (n: number, c: number, s: number): number => (n * C + c) * S + s;
  const mean = new Float64Array(C), variance = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let s1 = 0;
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) s1 += x[idx(n, c, s)];
    const m = s1 / M;
    let s2 = 0;
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) s2 += (x[idx(n, c, s)] - m) ** 2;
    mean[c] = m;
    variance[c] = s2 / M;
  }
  const y = new Float64Array(x.length), gx = new Float64Array(x.length);
  const gw = new Float64Array(C), gb = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const m = training ? mean[c] : rm[c];
    const is = 1 / Math.sqrt((training ? variance[c] : rv[c]) + eps);
    let sg = 0, sgx = 0;
    for (let n = 0; n < N; n++) {
      for (let s = 0; s < S; s++) {
        const i = idx(n, c, s);
        const xh = (x[i] - m) * is;
        y[i] = xh * w[c] + b[c];
        sg += g[i];
        sgx += g[i] * xh;
      }
    }
    gw[c] = sgx;
    gb[c] = sg;
    for (let n = 0; n < N; n++) {
      for (let s = 0; s < S; s++) {
        const i = idx(n, c, s);
        const xh = (x[i] - m) * is;
        gx[i] = training ? w[c] * is * (g[i] - sg / M - xh * (sgx / M)) : w[c] * is * g[i];
      }
    }
  }
  return { y, gx, gw, gb, mean, variance };
}

const SHAPES = [
  [13, 5], [8, 3], [4, 7], [3, 2], [2, 3, 1], [5, 3, 7], [3, 2, 4, 5], [2, 4, 3, 3], [9, 17], [1, 3, 6],
  [19, 7], [17, 13], [2, 5], [2, 9, 3], [3, 6, 9], [2, 4, 7, 3], [25, 8], [2, 3, 2],
];



function check(): void {
  const gen = new Generator(21);
  for (const shape of SHAPES) {
    const C = shape[1];
    for (const offset of [0, 1e4]) {
      for (const training of [true, false]) {
        for (const affine of [true, false]) {
          const noise = randn(shape, { generator: gen });
          const x = tensor(Array.from(noise.data, (v) => offset + (offset ? 0.01 : 1) * v), shape).requiresGrad_();
          const g = randn(shape, { generator: gen });
          const w = affine ? randn([C], { generator: gen }).requiresGrad_() : null;
          const b = affine ? randn([C], { generator: gen }).requiresGrad_() : null;
          const rm = tensor(Array.from({ length: C }, (_, c) => offset + 0.1 * c), [C]);
          const rv = tensor(Array.from({ length: C }, (_, c) => (offset ? 1e-4 : 1) * (1 + 0.5 * c)), [C]);
          const wd = w ? w.data : new Float32Array(C).fill(1);
          const bd = b ? b.data : new Float32Array(C);
          const ref = reference(x.data, g.data, shape, wd, bd, training, Float32Array.from(rm.data), Float32Array.from(rv.data), 1e-5);
          const rm0 = Float32Array.from(rm.data), rv0 = Float32Array.from(rv.data);
          const y = F.batchNorm(x, rm, rv, w, b, training, 0.1, 1e-5);
          const msg = `${shape.join('x')} offset ${offset} ${training ? 'train' : 'eval'}${affine ? ' affine' : ''}`;
          assertClose(y.data, ref.y, { rtol: 1e-5, atol: 1e-5, msg: `y ${msg}` });
          if (training) {
            const M = x.data.length / C;
            assertClose(rm.data, Array.from(rm0, (v, c) => 0.9 * v + 0.1 * ref.mean[c]), { rtol: 1e-6, atol: 1e-6, msg: `running mean ${msg}` });
            assertClose(rv.data, Array.from(rv0, (v, c) => 0.9 * v + 0.1 * ref.variance[c] * (M / (M - 1))), { rtol: 1e-5, atol: 1e-9, msg: `running var ${msg}` });
          }
          y.backward(g);
          assertClose(x.grad!.data, ref.gx, { rtol: 1e-4, atol: 1e-4, msg: `dx ${msg}` });
          if (w && b) {
            assertClose(w.grad!.data, ref.gw, { rtol: 1e-5, atol: 1e-4, msg: `dw ${msg}` });
            assertClose(b.grad!.data, ref.gb, { rtol: 1e-5, atol: 1e-5, msg: `db ${msg}` });
          }
        }
      }
    }
  }
}

for (const backend of BACKENDS) test(`${backend}: batchNorm kernels match a float64 reference (training and eval, affine or not)`, () => withBackend(backend, check));
