// The blocked matrix-multiply kernels (NN forward, NT/TN in the backward passes) against a plain
// float64 reference, on shapes that hit every edge: sizes not multiple of the 4×4 tile, several
// cache blocks along M and N, K = 0, bias and batched matmul.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, Generator, matmul, randn, tensor } from './imports';
import { assertClose } from './helpers';

/** C = A·B in float64, rounded once. */
function refMatmul(A: Float32Array, B: Float32Array, M: number, K: number, N: number): Float32Array {
  const C = new Float32Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j];
      C[i * N + j] = s;
    }
  }
  return C;
}

function transpose(A: Float32Array, R: number, C: number): Float32Array {
  const out = new Float32Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = A[r * C + c];
  return out;
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 5, 7], [4, 4, 4], [5, 9, 4], [13, 300, 9], [2, 3, 200],
  [70, 1000, 90], // K = 1000: several A blocks (M > 64) and B blocks (N > 32)
  [9, 17000, 6], // long K: summed in float64 slices of 1024
  [60, 784, 100],
];

test('matmul forward and backward match a float64 reference (all tile and block edges)', () => {
  const g = new Generator(5);
  for (const [M, K, N] of SHAPES) {
    const a = randn([M, K], { generator: g }).requiresGrad_();
    const b = randn([K, N], { generator: g }).requiresGrad_();
    const y = matmul(a, b);
    assertClose(y.data, refMatmul(a.data, b.data, M, K, N), { rtol: 1e-6, atol: 1e-6, msg: `forward ${M}x${K}x${N}` });
    const gy = randn([M, N], { generator: g });
    y.backward(gy);
    // dA = dY·Bᵀ (NT), dB = Aᵀ·dY (TN)
    assertClose(a.grad!.data, refMatmul(gy.data, transpose(b.data, K, N), M, N, K), { rtol: 1e-6, atol: 1e-6, msg: `dA ${M}x${K}x${N}` });
    assertClose(b.grad!.data, refMatmul(transpose(a.data, M, K), gy.data, K, M, N), { rtol: 1e-6, atol: 1e-6, msg: `dB ${M}x${K}x${N}` });
  }
});

test('linear: x·Wᵀ + b, its gradients, and repeated calls reuse no stale scratch', () => {
  const g = new Generator(6);
  for (const [R, I, O] of [[60, 784, 100], [7, 3, 5], [1, 10, 1], [33, 100, 10], [6, 2100, 9]]) {
    for (let rep = 0; rep < 2; rep++) {
      const x = randn([R, I], { generator: g }).requiresGrad_();
      const w = randn([O, I], { generator: g }).requiresGrad_();
      const bias = randn([O], { generator: g }).requiresGrad_();
      const y = F.linear(x, w, bias);
      const ref = refMatmul(x.data, transpose(w.data, O, I), R, I, O);
      for (let r = 0; r < R; r++) for (let o = 0; o < O; o++) ref[r * O + o] = Math.fround(ref[r * O + o] + bias.data[o]);
      assertClose(y.data, ref, { rtol: 1e-6, atol: 1e-6, msg: `linear ${R}x${I}x${O}` });
      const gy = randn([R, O], { generator: g });
      y.backward(gy);
      assertClose(x.grad!.data, refMatmul(gy.data, w.data, R, O, I), { rtol: 1e-6, atol: 1e-6 });
      assertClose(w.grad!.data, refMatmul(transpose(gy.data, R, O), x.data, O, R, I), { rtol: 1e-6, atol: 1e-6 });
      const gb = new Float32Array(O);
      for (let o = 0; o < O; o++) {
        let s = 0;
        for (let r = 0; r < R; r++) s += gy.data[r * O + o];
        gb[o] = s;
      }
      assertClose(bias.grad!.data, gb, { rtol: 1e-6, atol: 1e-6 });
    }
  }
});

test('matmul: batched operands, K = 0 and a gradient accumulated twice', () => {
  const g = new Generator(7);
  const a = randn([3, 5, 6], { generator: g });
  const b = randn([6, 7], { generator: g });
  const y = matmul(a, b);
  assert.deepEqual(y.shape, [3, 5, 7]);
  for (let t = 0; t < 3; t++) {
    assertClose(y.data.subarray(t * 35, (t + 1) * 35), refMatmul(a.data.subarray(t * 30, (t + 1) * 30), b.data, 5, 6, 7), { rtol: 1e-6, atol: 1e-6 });
  }
  const empty = matmul(tensor(new Float32Array(0), [3, 0]), tensor(new Float32Array(0), [0, 4]));
  assert.deepEqual(Array.from(empty.data), new Array(12).fill(0));
  // The same leaf used twice: the fresh gradient buffers are accumulated, not aliased.
  const w = randn([4, 4], { generator: g }).requiresGrad_();
  const x = randn([2, 4], { generator: g });
  const z = matmul(x, w).add(matmul(x, w));
  z.backward(new Float32Array(8).fill(1));
  const once = refMatmul(transpose(x.data, 2, 4), new Float32Array(8).fill(1), 4, 2, 4);
  assertClose(w.grad!.data, once.map((v) => 2 * v), { rtol: 1e-6, atol: 1e-6 });
});
