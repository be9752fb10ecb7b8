// Tensor storage in the engine's WebAssembly memory (wasm/memory.ts, storage.ts): the allocator
// reuses blocks and never hands one to two owners; the kernels give the same bits whether their
// operands are resident (used in place) or ordinary arrays (copied); storage nobody released comes
// back when its array is collected; and a training run keeps the memory it uses flat.
import assert from 'node:assert/strict';
import test from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dispose, F, Generator, nn, optim, randn, storageStats, Tensor, tidy, wasmAvailable } from './imports';
import { allocate, allocateLasting, isResident, release, storageKey } from '../../../src/engine/storage';
import { Heap } from '../../../src/engine/wasm/memory';
import { createWasmMatmul } from '../../../src/engine/wasm/gemm';
import { createWasmElementwise } from '../../../src/engine/wasm/elementwise';
import { BACKENDS, withBackend } from './helpers';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const skip = !wasmAvailable() && 'WebAssembly SIMD is not available here';

/** Deterministic values in [-1, 1), some exact zeros. */
function values(n: number, seed: number, zeros = 0): Float32Array {
  let s = seed;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648) < zeros ? 0 : (s / 1073741824) - 1;
  }
  return out;
}

/** A resident copy of `a` (storage of the engine's memory; a view of a larger block when `a` is below the pool minimum). */
function resident(a: Float32Array): Float32Array {
  const r = allocate(Math.max(a.length, 1024), false).subarray(0, a.length);
  assert.ok(isResident(r), 'allocate gives resident storage here');
  r.set(a);
  return r;
}

function sameBits(actual: Float32Array, expected: Float32Array, msg: string): void {
  assert.equal(actual.length, expected.length, `${msg}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${msg}: at [${i}] ${actual[i]} (resident) vs ${expected[i]} (copied)`);
  }
}

test('the allocator: size classes, reuse, a block never given twice, -1 when full', () => {
  const { Memory } = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer } } }).WebAssembly;
  const heap = new Heap(new Memory({ initial: 8, maximum: 8 })); // 512 KB, 448 KB usable
  const a = heap.alloc(5000);
  const b = heap.alloc(5000);
  assert.ok(a >= 4096 && b >= a + 5016, 'blocks do not overlap, and byte 0 is never given');
  assert.equal(a % 1024, 0);
  assert.ok(heap.release(a));
  assert.equal(heap.release(a), false, 'a second release is refused');
  assert.equal(heap.alloc(4900), a, 'the same class comes back from the free list');
  assert.equal(heap.alloc(400 * 1024), -1, 'no room: -1');
  assert.equal(heap.alloc(64 * 1024, heap.used + 1024), -1, 'a limit on live bytes is kept');
  heap.release(b);
  assert.notEqual(heap.alloc(64 * 1024), -1);
  // With the bump region used up, a free block of a larger class serves a smaller request.
  const big: number[] = [];
  for (let at = heap.alloc(32 * 1024); at >= 0; at = heap.alloc(32 * 1024)) big.push(at);
  while (heap.alloc(1) >= 0); // and the last bytes of the bump region
  heap.release(big[0]!);
  assert.equal(heap.alloc(20 * 1024), big[0], 'the larger free block, whole');
  heap.release(big[0]!);
  assert.equal(heap.alloc(30 * 1024), big[0], 'back in its own class');
});

test('storage: resident blocks are reused, a view or a second release is ignored, small arrays stay ordinary', { skip }, () => {
  const a = allocate(3000);
  assert.ok(isResident(a));
  release(a.subarray(0, 100)); // not the array allocate returned
  const b = allocate(3000);
  assert.ok(storageKey(b) !== storageKey(a), 'a is still in use');
  release(a);
  release(a);
  const c = allocate(2900);
  const d = allocate(2900);
  assert.ok(storageKey(c) === storageKey(a), 'the released block comes back');
  assert.ok(storageKey(d) !== storageKey(a), '...once');
  assert.ok(c.every((v) => v === 0), 'zeroed, like new Float32Array');
  assert.equal(isResident(allocate(100)), false, 'below the pool minimum: an ordinary array');
  for (const x of [b, c, d]) release(x);
});

test('storage nobody released comes back to the memory when its array is collected', { skip }, async () => {
  const before = storageStats().residentBytes;
  (() => {
    for (let i = 0; i < 20; i++) allocateLasting(50_000); // 20 × 200 KB, dropped at once
  })();
  assert.ok(storageStats().residentBytes >= before + 20 * 200_000, 'they took blocks');
  for (let i = 0; i < 20 && storageStats().residentBytes > before; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve)); // the registry's callbacks run between tasks
  }
  assert.ok(storageStats().residentBytes <= before, `back to ${before} bytes, have ${storageStats().residentBytes}`);
});

test('wasm gemm: resident operands and a resident C give the copied path\'s bits (dense, zero skipping, bias, accumulate, offsets)', { skip }, () => {
  const kernel = createWasmMatmul()!;
  const cases = [
    { M: 60, K: 784, N: 100, zerosA: 0.8, tb: true }, // an MNIST first layer's forward
    { M: 100, K: 60, N: 784, zerosA: 0, tb: false, zerosB: 0.8 }, // its weight gradient, op(B) sparse
    { M: 37, K: 45, N: 29, zerosA: 0, tb: false },
  ];
  for (const [ci, c] of cases.entries()) {
    const { M, K, N, tb } = c;
    const A = values(3 + M * K, 10 + ci, c.zerosA);
    const B = values(1 + K * N, 20 + ci, c.zerosB ?? 0);
    const bias = values(N, 30 + ci);
    const [sbk, sbj] = tb ? [1, K] : [N, 1];
    for (const accumulate of [false, true]) {
      for (const ldc of [N, N + 3]) {
        const C0 = values(2 + M * ldc, 40 + ci);
        const copied = C0.slice();
        kernel.gemm(A, 3, K, 1, B, 1, sbk, sbj, M, K, N, copied, 2, ldc, accumulate, bias);
        const C = resident(C0);
        kernel.gemm(resident(A), 3, K, 1, resident(B), 1, sbk, sbj, M, K, N, C, 2, ldc, accumulate, resident(bias));
        sameBits(C, copied, `case ${ci} accumulate ${accumulate} ldc ${ldc}`);
      }
    }
  }
});

test('wasm gemm: a resident C that overlaps an operand still gets the right product', { skip }, () => {
  const kernel = createWasmMatmul()!;
  const M = 40, K = 40, N = 40;
  const A = values(M * K, 5);
  const B = values(K * N, 6);
  const expected = new Float32Array(M * N);
  kernel.gemm(A, 0, K, 1, B, 0, N, 1, M, K, N, expected, 0, N, false, null);
  const shared = resident(A); // C written over A itself
  kernel.gemm(shared, 0, K, 1, B, 0, N, 1, M, K, N, shared, 0, N, false, null);
  sameBits(shared, expected, 'C over A');
});

test('wasm element-wise kernels: resident operands give the copied path\'s bits', { skip }, () => {
  const kernels = createWasmElementwise()!;
  const n = 6007; // odd: the sigmoid reads one float past the end
  const x = values(n, 1);
  const copiedY = new Float32Array(n);
  kernels.sigmoid(x, copiedY);
  const y = allocate(n, false);
  kernels.sigmoid(resident(x), y);
  sameBits(y, copiedY, 'sigmoid');
  for (const kind of ['sigmoid', 'tanh', 'relu'] as const) {
    const g = values(n, 2);
    const copied = new Float32Array(n);
    kernels.activationBackward(kind, g, copiedY, copied);
    const gx = allocate(n, false);
    kernels.activationBackward(kind, resident(g), resident(copiedY), gx);
    sameBits(gx, copied, `${kind} backward`);
  }
  const step = { lr: 0.1, weightDecay: 0.01, momentum: 0.9, dampFactor: 1, maximize: false, nesterov: true, firstStep: false };
  const p0 = values(n, 3), g0 = values(n, 4), b0 = values(n, 5);
  const [p, b] = [p0.slice(), b0.slice()];
  kernels.sgd(p, g0, b, step);
  const [pr, br] = [resident(p0), resident(b0)];
  kernels.sgd(pr, resident(g0), br, step);
  sameBits(pr, p, 'sgd parameter');
  sameBits(br, b, 'sgd momentum buffer');
  sameBits(kernels.columnSums(resident(x.subarray(0, 6000)), 60, 100), kernels.columnSums(x.subarray(0, 6000), 60, 100), 'column sums');
});

for (const backend of BACKENDS) {
  test(`${backend}: batch norm forward and backward give the same bits on resident and ordinary storage`, () => {
    withBackend(backend, () => {
      for (const shape of [[256, 512], [8, 6, 7, 9]]) {
        const n = shape.reduce((a, b) => a * b, 1);
        const xv = values(n, 7).map((v) => v * 3 + 1);
        const gv = values(n, 8);
        const run = (x: Tensor, g: Tensor) => {
          const bn = shape.length === 2 ? new nn.BatchNorm1d(shape[1]) : new nn.BatchNorm2d(shape[1]);
          x.requiresGrad_();
          const y = bn.forward(x);
          y.backward(g);
          return { y: y.data.slice(), gx: x.grad!.data.slice(), gw: bn.weight!.grad!.data.slice(), mean: bn.runningMean!.data.slice() };
        };
        const ordinary = run(new Tensor(xv.slice(), shape), new Tensor(gv.slice(), shape));
        const inMemory = run(new Tensor(resident(xv), shape), new Tensor(resident(gv), shape));
        for (const key of ['y', 'gx', 'gw', 'mean'] as const) sameBits(inMemory[key], ordinary[key], `${shape.join('×')} ${key}`);
      }
    });
  });
}

test('a training run keeps the engine\'s memory flat: the same resident bytes after 500 steps as after 50', { skip }, () => {
  const g = new Generator(3);
  const model = new nn.Sequential(new nn.Linear(784, 100, { generator: g }), new nn.BatchNorm1d(100), new nn.Sigmoid(), new nn.Linear(100, 10, { generator: g }));
  assert.ok(isResident(model.parameters()[0]!.data), 'a Linear weight lives in the engine\'s memory');
  const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const x = randn([60, 784], { generator: g });
  const y = new Tensor(Float32Array.from({ length: 60 }, (_, i) => i % 10), [60]);
  let at50 = 0;
  for (let step = 1; step <= 500; step++) {
    tidy(() => {
      for (const p of opt.params) if (p.grad) dispose(p.grad); // the documented loop: the dropped gradients go back now
      opt.zeroGrad();
      F.crossEntropy(model.forward(x), y).backward();
      opt.step();
    });
    if (step === 50) at50 = storageStats().residentBytes;
  }
  assert.equal(storageStats().residentBytes, at50);
});
