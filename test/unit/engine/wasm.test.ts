// The embedded WebAssembly: the committed generated modules match their .wat sources (re-assembled
// with wabt by scripts/build-wasm.mjs, gemm also in its fused variant), both builds of gemm, the
// pure base64 decoder, and the gemm options that the public API does not reach (accumulate,
// strided C) on both backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WASM_BASE64 as GEMM_BASE64 } from '../../../src/engine/wasm/gemm.generated';
import { WASM_BASE64 as NORM_BASE64 } from '../../../src/engine/wasm/norm.generated';
import { WASM_BASE64 as ELEMENTWISE_BASE64 } from '../../../src/engine/wasm/elementwise.generated';
import { decodeBase64 } from '../../../src/engine/wasm/runtime';
import { gemmStrided } from '../../../src/engine/kernels/matmul';
import { bestGemmVariant, createWasmMatmul } from '../../../src/engine/wasm/gemm';
import { assertClose, BACKENDS, withBackend } from './helpers';

const root = join(__dirname, '..', '..', '..');

interface BuildWasmModule {
  assembleModules(name: string, text: string): Promise<{ baseline: Uint8Array; fma: Uint8Array | null }>;
  generatedSource(watName: string, bytes: Uint8Array, fma: Uint8Array | null): string;
  fusedMultiplyAdd(text: string): string;
}

const buildWasm = async (): Promise<BuildWasmModule> => (await import(pathToFileURL(join(root, 'scripts', 'build-wasm.mjs')).href)) as BuildWasmModule;

// Each module as the engine embeds it: the committed generated file is the assembly of its .wat.
const MODULES = { gemm: GEMM_BASE64, norm: NORM_BASE64, elementwise: ELEMENTWISE_BASE64 };
test('the embedded modules are the .wat files in src/engine/wasm, assembled (run node scripts/build-wasm.mjs)', () => {
  const wats = readdirSync(join(root, 'src', 'engine', 'wasm')).filter((f) => f.endsWith('.wat')).sort();
  assert.deepEqual(wats, Object.keys(MODULES).map((m) => `${m}.wat`).sort(), 'every module is checked here');
});
for (const [name, embedded] of Object.entries(MODULES)) {
  test(`the committed ${name}.generated.ts is the assembly of ${name}.wat`, async () => {
    const mod = await buildWasm();
    const wat = readFileSync(join(root, 'src', 'engine', 'wasm', `${name}.wat`), 'utf8');
    const { baseline, fma } = await mod.assembleModules(`${name}.wat`, wat);
    assert.equal(Buffer.from(decodeBase64(embedded)).toString('base64'), Buffer.from(baseline).toString('base64'));
    const committed = readFileSync(join(root, 'src', 'engine', 'wasm', `${name}.generated.ts`), 'utf8');
    assert.equal(committed, mod.generatedSource(`${name}.wat`, baseline, fma));
    const wasmApi = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    assert.ok(wasmApi.validate(baseline), 'the module validates (SIMD)');
    if (fma) assert.ok(wasmApi.validate(fma), 'its fused variant validates (relaxed SIMD, enabled for the tests as in the kernel workers)');
  });
}

test('fusedMultiplyAdd turns each accumulated product into one relaxed_madd, whatever the second factor', async () => {
  const { fusedMultiplyAdd } = await buildWasm();
  const text = [
    '(local.set $c (f32x4.add (local.get $c) (f32x4.mul (local.get $x) (local.get $b))))',
    '(local.set $d (f32x4.add (local.get $d) (f32x4.mul (local.get $y) (v128.load offset=16 (local.get $p)))))',
    '(local.set $e (f32x4.add (local.get $e) (v128.load (local.get $q))))',
  ].join('\n');
  assert.equal(fusedMultiplyAdd(text), [
    '(local.set $c (f32x4.relaxed_madd (local.get $x) (local.get $b) (local.get $c)))',
    '(local.set $d (f32x4.relaxed_madd (local.get $y) (v128.load offset=16 (local.get $p)) (local.get $d)))',
    '(local.set $e (f32x4.add (local.get $e) (v128.load (local.get $q))))',
  ].join('\n'));
  assert.throws(() => fusedMultiplyAdd('(f32x4.add (local.get $a) (local.get $b))'), /no \(f32x4.add acc/);
});

test('the tests run the fused gemm, as the kernel workers do (relaxed SIMD on)', () => {
  assert.equal(bestGemmVariant(), 'fma');
});

// Both builds of gemm.wat against a float64 reference, on the edges of the register tile (M % 4,
// N % 8), of the K slice (K > 512) and of the row block (M > 96), with transposed operands.
for (const variant of ['fma', 'baseline'] as const) {
  test(`gemm.wat, ${variant} build: op(A)·op(B) + bias over tile, slice and block edges`, () => {
    const kernel = createWasmMatmul(variant);
    assert.ok(kernel, `the ${variant} build loads`);
    for (const [M, K, N] of [[1, 1, 1], [4, 8, 8], [5, 3, 9], [97, 515, 17], [7, 1030, 3], [130, 20, 33]]) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true]]) {
        const A = seq(M * K, M + K), B = seq(K * N, K + N), bias = seq(N, N);
        const [sai, sak] = ta ? [1, M] : [K, 1];
        const [sbk, sbj] = tb ? [1, K] : [N, 1];
        const C = new Float32Array(M * N);
        kernel.gemm(A, 0, sai, sak, B, 0, sbk, sbj, M, K, N, C, 0, N, false, bias);
        const expected = new Float32Array(M * N);
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) {
            let sum = bias[j];
            for (let k = 0; k < K; k++) sum += A[i * sai + k * sak] * B[k * sbk + j * sbj];
            expected[i * N + j] = sum;
          }
        }
        assertClose(C, expected, { rtol: 1e-5, atol: 2e-6 * Math.sqrt(K), msg: `${variant} ${M}x${K}x${N} ta=${ta} tb=${tb}` });
      }
    }
  });
}

test('decodeBase64 matches Buffer on every length and padding', () => {
  for (let n = 0; n < 40; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n * 11) & 0xff);
    const text = Buffer.from(bytes).toString('base64');
    assert.deepEqual(decodeBase64(text), bytes);
    assert.deepEqual(decodeBase64(text.replace(/=+$/, '')), bytes);
  }
  assert.throws(() => decodeBase64('ab$d'), /invalid character/);
});

function seq(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
}

for (const backend of BACKENDS) {
  test(`${backend}: gemmStrided with offsets, a strided C, bias and accumulate; a larger wasm memory is taken when needed, then a small product again`, () => {
    withBackend(backend, () => {
      // Small, then large (the wasm memory grows), then small again (stale data must not leak in).
      for (const [M, K, N] of [[3, 4, 5], [150, 1300, 70], [5, 7, 9]]) {
        const aOff = 3, bOff = 5, cOff = 2, ldc = N + 3;
        const A = seq(aOff + M * K, M);
        const B = seq(bOff + K * N, K);
        const bias = seq(N, 99);
        const C0 = seq(cOff + M * ldc, 7);
        const C = C0.slice();
        gemmStrided(A, aOff, K, 1, B, bOff, N, 1, M, K, N, C, cOff, ldc, { accumulate: true, bias });
        const expected = C0.slice();
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) {
            let s = 0;
            for (let k = 0; k < K; k++) s += A[aOff + i * K + k] * B[bOff + k * N + j];
            expected[cOff + i * ldc + j] = C0[cOff + i * ldc + j] + Math.fround(s + bias[j]);
          }
        }
        // Gaps between the rows of C are untouched.
        assertClose(C, expected, { rtol: 1e-5, atol: 2e-6 * Math.sqrt(K), msg: `${backend} ${M}x${K}x${N}` });
        for (let i = 0; i < M; i++) for (let j = N; j < ldc && cOff + i * ldc + j < C.length; j++) assert.equal(C[cOff + i * ldc + j], C0[cOff + i * ldc + j]);
      }
    });
  });
}
