// Zero skipping in the wasm matrix product (gemm.wat's gemm_sparse): a product whose operand is
// mostly zeros (MNIST's pixels in a first layer's forward, and in its weight gradient) runs over the
// nonzero columns of each row tile only. It must give the dense kernel's result bit for bit, on
// both builds, over tile, slice and panel edges, with bias, accumulate and offsets; and it must not
// run where it would change a result (0·Inf = NaN) or where it does not pay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWasmMatmul, zeroSkippingCount } from '../../../src/engine/wasm/gemm';
import type { MatmulKernel } from '../../../src/engine/kernels/matmul';

/** Deterministic values in [-0.5, 0.5), a share `zeros` of them exactly 0 (in runs, like strokes on a blank image). */
function sparse(n: number, zeros: number, seed: number): Float32Array {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out = new Float32Array(n);
  let blank = true;
  for (let i = 0; i < n; i++) {
    if (next() < 0.15) blank = next() < zeros; // runs of zeros and of values
    out[i] = blank ? 0 : next() - 0.5;
  }
  return out;
}

interface Case { M: number; K: number; N: number; ta: boolean; tb: boolean; zerosA: number; zerosB: number }

function run(kernel: MatmulKernel, c: Case, A: Float32Array, B: Float32Array, opts: { bias?: Float32Array; accumulate?: boolean; C0?: Float32Array } = {}): Float32Array {
  const { M, K, N, ta, tb } = c;
  const [sai, sak] = ta ? [1, M] : [K, 1];
  const [sbk, sbj] = tb ? [1, K] : [N, 1];
  const ldc = N + 2;
  const C = opts.C0 ? opts.C0.slice() : new Float32Array(1 + M * ldc);
  kernel.gemm(A, 3, sai, sak, B, 1, sbk, sbj, M, K, N, C, 1, ldc, opts.accumulate ?? false, opts.bias ?? null);
  return C;
}

function sameBits(actual: Float32Array, expected: Float32Array, msg: string): void {
  for (let i = 0; i < expected.length; i++) {
    // Object.is: even the sign of a zero (both sums start at +0, to which a ±0 product adds nothing).
    if (!Object.is(actual[i], expected[i])) {
      assert.fail(`${msg}: at [${i}] ${actual[i]} (zero skipping) vs ${expected[i]} (dense)`);
    }
  }
}

const CASES: Case[] = [
  { M: 60, K: 784, N: 100, ta: false, tb: true, zerosA: 0.8, zerosB: 0 }, // a first layer's forward: x·Wᵀ + b
  { M: 100, K: 60, N: 784, ta: true, tb: false, zerosA: 0, zerosB: 0.8 }, // its weight gradient: dYᵀ·x
  { M: 61, K: 1500, N: 37, ta: false, tb: false, zerosA: 0.85, zerosB: 0 }, // three K slices, a last tile of one row, N % 8
  { M: 30, K: 1100, N: 20, ta: true, tb: true, zerosA: 0.9, zerosB: 0 }, // transposed operands
  { M: 23, K: 700, N: 99, ta: false, tb: false, zerosA: 0, zerosB: 0.9 }, // sparse op(B): C computed transposed
  { M: 18, K: 40, N: 2000, ta: false, tb: false, zerosA: 0, zerosB: 0.95 },
];

for (const variant of ['fma', 'baseline'] as const) {
  test(`gemm.wat, ${variant} build: zero skipping gives the dense result bit for bit (bias, accumulate, offsets, tile/slice/panel edges)`, () => {
    const skipping = createWasmMatmul(variant)!;
    const dense = createWasmMatmul(variant, { skipZeros: false })!;
    for (const c of CASES) {
      const A = sparse(3 + c.M * c.K, c.zerosA, c.M + c.K);
      const B = sparse(1 + c.K * c.N, c.zerosB, c.K * 7 + c.N);
      const bias = sparse(c.N, 0, 5);
      const C0 = sparse(1 + c.M * (c.N + 2), 0, 9);
      const name = `${variant} ${c.M}x${c.K}x${c.N} ta=${c.ta} tb=${c.tb}`;
      for (const opts of [{}, { bias }, { bias, accumulate: true, C0 }]) {
        const before = zeroSkippingCount();
        const got = run(skipping, c, A, B, opts);
        assert.equal(zeroSkippingCount(), before + 1, `${name}: the zeros were skipped`);
        sameBits(got, run(dense, c, A, B, opts), `${name} ${Object.keys(opts).join('+') || 'plain'}`);
      }
    }
  });
}

test('zero skipping: rows and whole K slices without a nonzero, and a NaN among the zeros, as the dense kernel', () => {
  const skipping = createWasmMatmul()!;
  const dense = createWasmMatmul(undefined, { skipZeros: false })!;
  const c: Case = { M: 13, K: 1200, N: 24, ta: false, tb: false, zerosA: 0.9, zerosB: 0 };
  const A = sparse(3 + c.M * c.K, c.zerosA, 11);
  for (let k = 0; k < c.K; k++) A[3 + 4 * c.K + k] = 0; // row 4: all zeros
  for (let i = 0; i < c.M; i++) for (let k = 512; k < 1024; k++) A[3 + i * c.K + k] = 0; // the second slice: all zeros
  A[3 + 7 * c.K + 1100] = NaN; // a NaN must reach row 7
  const B = sparse(1 + c.K * c.N, 0, 12);
  const before = zeroSkippingCount();
  const got = run(skipping, c, A, B);
  assert.equal(zeroSkippingCount(), before + 1);
  sameBits(got, run(dense, c, A, B), 'empty rows and slices');
  const ldc = c.N + 2;
  assert.ok(got.subarray(1 + 7 * ldc, 1 + 7 * ldc + c.N).every(Number.isNaN), 'row 7 is NaN');
  assert.ok(got.subarray(1 + 4 * ldc, 1 + 4 * ldc + c.N).every((v) => v === 0), 'row 4 is zeros');
});

test('zero skipping is not used where 0·Inf would be lost, nor where the operands are dense', () => {
  const kernel = createWasmMatmul()!;
  const c: Case = { M: 60, K: 784, N: 100, ta: false, tb: true, zerosA: 0.8, zerosB: 0 };
  const A = sparse(3 + c.M * c.K, c.zerosA, 21);
  const B = sparse(1 + c.K * c.N, 0, 22);
  // A weight that is Inf where every row of x is 0: the dense product is NaN in its whole column.
  const k = 10;
  for (let i = 0; i < c.M; i++) A[3 + i * c.K + k] = 0; // pixel 10 blank in every image
  B[1 + 5 * c.K + k] = Infinity; // Wᵀ[k, 5]
  const before = zeroSkippingCount();
  const got = run(kernel, c, A, B);
  assert.equal(zeroSkippingCount(), before, 'the dense path ran');
  for (let i = 0; i < c.M; i++) assert.ok(Number.isNaN(got[1 + i * (c.N + 2) + 5]), `C[${i}, 5] is NaN (0·Inf)`);
  // Dense operands: no zero skipping.
  run(kernel, { ...c, zerosA: 0 }, sparse(3 + c.M * c.K, 0, 23), sparse(1 + c.K * c.N, 0, 24));
  assert.equal(zeroSkippingCount(), before, 'dense operands take the dense path');
});
