// When the engine's WebAssembly memory is full, nothing fails: new storage is an ordinary array and
// each wasm kernel whose scratch does not fit runs its 'js' kernel (so a step gives exactly the
// 'js' backend's bits). A file of its own: it fills the memory of its process.
import assert from 'node:assert/strict';
import test from 'node:test';
import { F, Generator, nn, optim, Tensor, wasmAvailable } from './imports';
import { isResident } from '../../../src/engine/storage';
import { engineHeap } from '../../../src/engine/wasm/memory';
import { withBackend } from './helpers';

/** A 784-64(BN, sigmoid)-10 SGD step on ordinary arrays: the loss, the first weight and its gradient after it. */
function step(): { loss: number; weight: Float32Array; grad: Float32Array } {
  const g = new Generator(9);
  const model = new nn.Sequential(new nn.Linear(784, 64, { generator: g }), new nn.BatchNorm1d(64), new nn.Sigmoid(), new nn.Linear(64, 10, { generator: g }));
  const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const x = new Tensor(Float32Array.from({ length: 120 * 784 }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.3), [120, 784]);
  const y = new Tensor(Float32Array.from({ length: 120 }, (_, i) => i % 10), [120]);
  const loss = F.crossEntropy(model.forward(x), y);
  loss.backward();
  opt.step();
  const w = model.parameters()[0]!;
  return { loss: loss.item(), weight: w.data.slice(), grad: w.grad!.data.slice() };
}

test('a full engine memory: ordinary storage, the js kernels, the same bits as the js backend', { skip: !wasmAvailable() && 'no WebAssembly SIMD' }, () => {
  const heap = engineHeap()!;
  const taken: number[] = [];
  for (let size = 64 << 20; size >= 1024; size >>= 1) {
    for (let at = heap.alloc(size); at >= 0; at = heap.alloc(size)) taken.push(at);
  }
  try {
    const before = heap.used;
    const js = withBackend('js', step);
    const wasm = withBackend('wasm', step);
    assert.equal(heap.used, before, 'nothing more fitted');
    assert.equal(wasm.loss, js.loss);
    assert.deepEqual(wasm.grad, js.grad);
    assert.deepEqual(wasm.weight, js.weight);
  } finally {
    for (const at of taken) heap.release(at);
  }
  const w = new nn.Linear(784, 64).parameters()[0]!;
  assert.ok(isResident(w.data), 'with room again, storage is resident');
});
