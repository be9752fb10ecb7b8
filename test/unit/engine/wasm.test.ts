// The embedded WebAssembly: the committed generated module matches its .wat source (re-assembled
// with wabt by scripts/build-wasm.mjs), the pure base64 decoder, and the gemm options that the
// public API does not reach (accumulate, strided C) on both backends.
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
import { assertClose, BACKENDS, withBackend } from './helpers';

const root = join(__dirname, '..', '..', '..');

interface BuildWasmModule {
  assembleWat(name: string, text: string): Promise<Uint8Array>;
  generatedSource(watName: string, bytes: Uint8Array): string;
}

// Each module as the engine embeds it: the committed generated file is the assembly of its .wat.
const MODULES = { gemm: GEMM_BASE64, norm: NORM_BASE64, elementwise: ELEMENTWISE_BASE64 };
test('the embedded modules are the .wat files in src/engine/wasm, assembled (run node scripts/build-wasm.mjs)', () => {
  const wats = readdirSync(join(root, 'src', 'engine', 'wasm')).filter((f) => f.endsWith('.wat')).sort();
  assert.deepEqual(wats, Object.keys(MODULES).map((m) => `${m}.wat`).sort(), 'every module is checked here');
});
for (const [name, embedded] of Object.entries(MODULES)) {
  test(`the committed ${name}.generated.ts is the assembly of ${name}.wat`, async () => {
    const mod = (await import(pathToFileURL(join(root, 'scripts', 'build-wasm.mjs')).href)) as BuildWasmModule;
    const wat = readFileSync(join(root, 'src', 'engine', 'wasm', `${name}.wat`), 'utf8');
    const bytes = await mod.assembleWat(`${name}.wat`, wat);
    assert.equal(Buffer.from(decodeBase64(embedded)).toString('base64'), Buffer.from(bytes).toString('base64'));
    const committed = readFileSync(join(root, 'src', 'engine', 'wasm', `${name}.generated.ts`), 'utf8');
    assert.equal(committed, mod.generatedSource(`${name}.wat`, bytes));
    const wasmApi = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    assert.ok(wasmApi.validate(bytes), 'the module validates (SIMD)');
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
