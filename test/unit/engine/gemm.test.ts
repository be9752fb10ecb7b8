// The matrix-multiply kernels (NN forward, NT/TN in the backward passes) of BOTH backends ('js':
// float64 sums, 'wasm': f32x4 SIMD float32 sums) against a plain float64 reference, on shapes that
// hit every edge: sizes not multiple of the register tiles (4×4 js, 4×8 wasm), several cache blocks
// along M and N, K slices, K = 0, bias, batched matmul and NaN/Inf propagation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  F, Generator, getKernelBackend, matmul, randn, setKernelBackend, tensor, wasmAvailable, type KernelBackend,
} from './imports';
import { assertClose, BACKENDS, withBackend } from './helpers';

const U32 = 2 ** -24;

/** C = A·B in float64 (not rounded) and S = |A|·|B|, the scale of the rounding errors. */
function refMatmul(A: Float32Array, B: Float32Array, M: number, K: number, N: number): { C: Float64Array; S: Float64Array } {
  const C = new Float64Array(M * N);
  const S = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0, a = 0;
      for (let k = 0; k < K; k++) {
        const p = A[i * K + k] * B[k * N + j];
        s += p;
        a += Math.abs(p);
      }
      C[i * N + j] = s;
      S[i * N + j] = a;
    }
  }
  return { C, S };
}

function transpose(A: Float32Array, R: number, C: number): Float32Array {
  const out = new Float32Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = A[r * C + c];
  return out;
}

/**
 * 'js' sums in float64 and rounds once: within 1e-6 of the reference. 'wasm' sums in float32:
 * within the classical bound of a K-term float32 dot product, (K + 2)·u·Σ|a·b| (u = 2⁻²⁴).
 */
function checkProduct(backend: KernelBackend, actual: Float32Array, ref: { C: Float64Array; S: Float64Array }, K: number, msg: string, bias?: Float32Array): void {
  const N = bias ? bias.length : 0;
  const expected = ref.C.map((v, i) => (bias ? v + bias[i % N] : v));
  if (backend === 'js') {
    assertClose(actual, Float32Array.from(expected), { rtol: 1e-6, atol: 1e-6, msg: `${backend} ${msg}` });
    return;
  }
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i];
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(actual[i]), `${backend} ${msg}: at [${i}] got ${actual[i]}, expected NaN`);
      continue;
    }
    if (actual[i] === e) continue;
    const bound = (K + 2) * U32 * (ref.S[i] + Math.abs(e)) + 1e-30;
    assert.ok(Math.abs(actual[i] - e) <= bound, `${backend} ${msg}: at [${i}] got ${actual[i]}, expected ${e} (bound ${bound})`);
  }
}


const SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 5, 7], [4, 4, 4], [5, 9, 4], [4, 3, 8], [13, 300, 9], [2, 3, 200], [8, 16, 17],
  [70, 1000, 90], // K = 1000: several A blocks (M > 64) and B blocks (N > 32); two wasm K slices
  [9, 17000, 6], // long K: summed in slices of 1024 (js, float64) / 512 (wasm, float32)
  [60, 784, 100],
  [200, 40, 33], // several wasm row blocks (96 rows)
];

test('the default kernel backend is wasm where WebAssembly SIMD validates (else js)', () => {
  assert.equal(getKernelBackend(), wasmAvailable() ? 'wasm' : 'js');
  assert.ok(wasmAvailable(), 'node 20 has WebAssembly SIMD: these tests run both backends');
  assert.throws(() => setKernelBackend('gpu' as KernelBackend), /unknown backend 'gpu'/);
});

for (const backend of BACKENDS) {
  test(`${backend}: matmul forward and backward (NN, NT, TN) match a float64 reference (all tile and block edges)`, () => {
    withBackend(backend, () => {
      const g = new Generator(5);
      for (const [M, K, N] of SHAPES) {
        const a = randn([M, K], { generator: g }).requiresGrad_();
        const b = randn([K, N], { generator: g }).requiresGrad_();
        const y = matmul(a, b);
        checkProduct(backend, y.data, refMatmul(a.data, b.data, M, K, N), K, `forward ${M}x${K}x${N}`);
        const gy = randn([M, N], { generator: g });
        y.backward(gy);
        // dA = dY·Bᵀ (NT), dB = Aᵀ·dY (TN)
        checkProduct(backend, a.grad!.data, refMatmul(gy.data, transpose(b.data, K, N), M, N, K), N, `dA ${M}x${K}x${N}`);
        checkProduct(backend, b.grad!.data, refMatmul(transpose(a.data, M, K), gy.data, K, M, N), M, `dB ${M}x${K}x${N}`);
      }
    });
  });

  test(`${backend}: linear: x·Wᵀ + b, its gradients, and repeated calls reuse no stale scratch`, () => {
    withBackend(backend, () => {
      const g = new Generator(6);
      for (const [R, I, O] of [[60, 784, 100], [7, 3, 5], [1, 10, 1], [33, 100, 10], [6, 2100, 9], [61, 100, 100]]) {
        for (let rep = 0; rep < 2; rep++) {
          const x = randn([R, I], { generator: g }).requiresGrad_();
          const w = randn([O, I], { generator: g }).requiresGrad_();
          const bias = randn([O], { generator: g }).requiresGrad_();
          const y = F.linear(x, w, bias);
          checkProduct(backend, y.data, refMatmul(x.data, transpose(w.data, O, I), R, I, O), I, `linear ${R}x${I}x${O}`, bias.data);
          const gy = randn([R, O], { generator: g });
          y.backward(gy);
          checkProduct(backend, x.grad!.data, refMatmul(gy.data, w.data, R, O, I), O, `dX ${R}x${I}x${O}`);
          checkProduct(backend, w.grad!.data, refMatmul(transpose(gy.data, R, O), x.data, O, R, I), R, `dW ${R}x${I}x${O}`);
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
  });

  test(`${backend}: matmul: batched operands, K = 0 and a gradient accumulated twice`, () => {
    withBackend(backend, () => {
      const g = new Generator(7);
      const a = randn([3, 5, 6], { generator: g });
      const b = randn([6, 7], { generator: g });
      const y = matmul(a, b);
      assert.deepEqual(y.shape, [3, 5, 7]);
      for (let t = 0; t < 3; t++) {
        checkProduct(backend, y.data.subarray(t * 35, (t + 1) * 35), refMatmul(a.data.subarray(t * 30, (t + 1) * 30), b.data, 5, 6, 7), 6, `batch ${t}`);
      }
      // Batched on both sides (operand offsets in the middle of the buffers).
      const a2 = randn([2, 9, 11], { generator: g });
      const b2 = randn([2, 11, 13], { generator: g });
      const y2 = matmul(a2, b2);
      for (let t = 0; t < 2; t++) {
        checkProduct(backend, y2.data.subarray(t * 117, (t + 1) * 117), refMatmul(a2.data.subarray(t * 99, (t + 1) * 99), b2.data.subarray(t * 143, (t + 1) * 143), 9, 11, 13), 11, `batch2 ${t}`);
      }
      const empty = matmul(tensor(new Float32Array(0), [3, 0]), tensor(new Float32Array(0), [0, 4]));
      assert.deepEqual(Array.from(empty.data), new Array(12).fill(0));
      // The same leaf used twice: the fresh gradient buffers are accumulated, not aliased.
      const w = randn([4, 4], { generator: g }).requiresGrad_();
      const x = randn([2, 4], { generator: g });
      const z = matmul(x, w).add(matmul(x, w));
      z.backward(new Float32Array(8).fill(1));
      const once = refMatmul(transpose(x.data, 2, 4), new Float32Array(8).fill(1), 4, 2, 4);
      checkProduct(backend, w.grad!.data.map((v) => v / 2), once, 2, 'accumulated twice');
    });
  });

  test(`${backend}: NaN and Inf propagate like PyTorch (no zero skipping: 0·Inf = NaN)`, () => {
    withBackend(backend, () => {
      const M = 6, K = 9, N = 11;
      const A = new Float32Array(M * K).map((_, i) => ((i * 7) % 5) - 2);
      const B = new Float32Array(K * N).map((_, i) => ((i * 3) % 7) - 3);
      A[1 * K + 2] = NaN; // row 1 → all NaN
      B[4 * N + 5] = Infinity; // column 5 → ±Inf, or NaN where A[i,4] = 0
      A[3 * K + 4] = 0;
      B[7 * N + 9] = -Infinity;
      const y = matmul(tensor(A, [M, K]), tensor(B, [K, N]));
      const ref = refMatmul(A, B, M, K, N);
      assert.ok(Number.isNaN(ref.C[3 * N + 5]), '0·Inf is NaN in the reference');
      checkProduct(backend, y.data, ref, K, 'nan/inf');
      for (let i = 0; i < M * N; i++) {
        if (!Number.isFinite(ref.C[i])) assert.ok(Object.is(y.data[i], ref.C[i]), `[${i}] got ${y.data[i]}, expected ${ref.C[i]}`);
      }
    });
  });
}

test('both backends agree on a layer gradient to float32 accuracy (relative to its terms)', () => {
  const results: Float32Array[] = [];
  for (const backend of BACKENDS) {
    withBackend(backend, () => {
      const g = new Generator(8);
      const x = randn([60, 784], { generator: g });
      const w = randn([100, 784], { generator: g }).mul(0.05).detach().requiresGrad_();
      const y = F.linear(x, w).sigmoid().sum();
      y.backward();
      results.push(w.grad!.data);
    });
  }
  // dW sums 60 terms of size ~0.2 (x·σ'): compare at that scale (entries can cancel to ~1e-4).
  if (results.length === 2) assertClose(results[0], results[1], { rtol: 1e-5, atol: 1e-5 });
});
