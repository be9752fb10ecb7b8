// Storage with known lifetimes (storage.ts, scope.ts): the size-class pool reuses released
// buffers, tidy() frees exactly the tensors it should, a freed tensor throws in debug mode, and
// memory stays flat over a long training run whose results match the run without the pool.
import assert from 'node:assert/strict';
import test from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dispose, F, Generator, keep, nn, optim, randn, setStorageDebug, storageStats, tensor, tidy, type Tensor } from './imports';
import { allocate, release, storageKey } from '../../../src/engine/storage';
import { BACKENDS, withBackend } from './helpers';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function withDebug<T>(run: () => T): T {
  setStorageDebug(true);
  try {
    return run();
  } finally {
    setStorageDebug(false);
  }
}

test('the pool hands a released buffer back, zeroed, to the next allocation of its size class', () => {
  const a = allocate(5000);
  a.fill(3);
  const before = storageStats();
  release(a);
  release(a); // a second release is ignored (it would give one buffer to two owners)
  const b = allocate(4500);
  assert.ok(storageKey(b) === storageKey(a), 'same size class: same storage');
  assert.equal(b.length, 4500);
  assert.ok(b.every((v) => v === 0), 'zeros, like new Float32Array');
  const c = allocate(4500);
  assert.ok(storageKey(c) !== storageKey(b), 'the free list held it once');
  assert.equal(storageStats().reused, before.reused + 1);
  const small = allocate(100);
  release(small);
  assert.ok(storageKey(allocate(100)) !== storageKey(small), 'arrays below the pool minimum are not pooled');
  release(new Float32Array(5000)); // not the pool's: ignored
  release(c.subarray(0, 10)); // not an array allocate returned: ignored
  assert.ok(storageKey(allocate(4500)) !== storageKey(c), 'c is still in use');
});

test('tidy frees what the scope created and does not return; returned, kept and .grad tensors survive', () => {
  const outside = randn([64, 64]).requiresGrad_();
  let inner: Tensor | null = null;
  let view: Tensor | null = null;
  const out = tidy(() => {
    inner = outside.mul(2).sigmoid();
    view = outside.reshape([4096]);
    const kept = keep(outside.add(1));
    const loss = inner.sum();
    loss.backward();
    return { y: [outside.sub(1)], kept };
  });
  assert.equal(inner!.freed, true, 'an intermediate is freed');
  assert.equal(view!.freed, false, 'a view of storage from outside the scope is left alone');
  assert.equal(out.y[0].freed, false);
  assert.equal(out.kept.freed, false);
  assert.equal(outside.freed, false);
  assert.ok(outside.grad && !outside.grad.freed, 'the leaf gradient backward stored survives');
  assert.ok(outside.grad.data.every(Number.isFinite));
  // The survivors' values are intact after their freed neighbours' storage is reused.
  const expectY = outside.data.map((v) => Math.fround(v - 1));
  tidy(() => randn([64, 64]).mul(5).exp());
  assert.deepEqual(out.y[0].data, expectY);
});

test('nested tidy: what the inner scope returns belongs to the outer one', () => {
  const x = randn([50, 50]);
  let a: Tensor | null = null;
  const b = tidy(() => {
    a = tidy(() => x.mul(3));
    assert.equal(a.freed, false);
    return a.add(1);
  });
  assert.equal(a!.freed, true, 'freed with the outer scope');
  assert.equal(b.freed, false);
});

test('debug mode: reading a freed tensor throws a clear error, released storage reads NaN', () => {
  withDebug(() => {
    const x = randn([40, 40]);
    let y: Tensor | null = null;
    let raw: Float32Array | null = null;
    tidy(() => {
      y = x.mul(2);
      raw = y.data;
    });
    assert.throws(() => y!.data, /freed at the end of a tidy\(\) scope/);
    assert.throws(() => y!.sum(), /freed at the end of a tidy\(\) scope/);
    assert.ok(raw!.every(Number.isNaN), 'a stale raw reference sees poison, not another tensor\'s values');
  });
});

test('dispose gives a tensor\'s pool storage back now; using it afterwards throws in debug mode', () => {
  withDebug(() => {
    const x = randn([40, 40]);
    const y = x.mul(2);
    const raw = y.data;
    const before = storageStats().reused;
    dispose(y);
    dispose(y); // twice: nothing more happens
    assert.throws(() => y.data, /disposed/);
    assert.throws(() => y.sum(), /disposed/);
    assert.ok(raw.every(Number.isNaN), 'released storage is poisoned');
    const z = x.mul(3);
    assert.ok(storageKey(z.data) === storageKey(raw), 'the next allocation of that size reuses y\'s storage');
    assert.equal(storageStats().reused, before + 1);
    assert.equal(z.data[0], Math.fround(x.data[0]! * 3));
  });
});

test('a weight gradient disposed by a training loop is reused for the next one: no fresh buffers per step', () => {
  const generator = new Generator(0);
  const model = new nn.Linear(64, 64, { generator });
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  const x = randn([32, 64], { generator });
  const created: number[] = [];
  for (let step = 0; step < 10; step++) {
    tidy(() => {
      for (const p of opt.params) if (p.grad) dispose(p.grad);
      opt.zeroGrad();
      model.forward(x).square().mean().backward();
      opt.step();
    });
    created.push(storageStats().created);
  }
  assert.equal(created[9], created[1], `fresh buffers: ${created.join(' ')}`);
});

test('debug mode: the backward walk releases consumed gradient buffers only (leaf and retained grads stay)', () => {
  withDebug(() => {
    const x = randn([30, 60], { generator: new Generator(1) }).requiresGrad_();
    const w = randn([40, 60], { generator: new Generator(2) }).requiresGrad_();
    const h = F.linear(x, w).sigmoid();
    h.retainGrad();
    h.mul(h).sum().backward();
    assert.ok(x.grad!.data.every(Number.isFinite) && w.grad!.data.every(Number.isFinite) && h.grad!.data.every(Number.isFinite));
  });
});

/** Losses and final parameters of `steps` MNIST-shaped SGD steps (784-64-64-10 with batch norm), optionally each in tidy with the old gradients disposed. */
function train(steps: number, useTidy: boolean, onStep?: (i: number) => void): { losses: number[]; params: Float32Array[] } {
  const g = new Generator(4);
  const model = new nn.Sequential(
    new nn.Linear(784, 64, { generator: g }), new nn.BatchNorm1d(64), new nn.Sigmoid(),
    new nn.Linear(64, 64, { generator: g }), new nn.ReLU(),
    new nn.Linear(64, 10, { generator: g }),
  );
  const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const xs = [0, 1, 2].map((i) => randn([60, 784], { generator: new Generator(10 + i) }));
  const ys = [0, 1, 2].map((i) => tensor(Array.from({ length: 60 }, (_, j) => (i * 3 + j) % 10)));
  const losses: number[] = [];
  const step = (i: number): void => {
    // A loop that manages its memory also disposes the gradients zeroGrad drops (nothing else holds them).
    if (useTidy) for (const p of opt.params) if (p.grad) dispose(p.grad);
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(xs[i % 3]), ys[i % 3]);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  };
  for (let i = 0; i < steps; i++) {
    if (useTidy) tidy(() => step(i));
    else step(i);
    onStep?.(i);
  }
  return { losses, params: model.parameters().map((p) => p.data.slice()) };
}

for (const backend of BACKENDS) {
  test(`${backend}: training inside tidy gives the same bits as without`, () => {
    withBackend(backend, () => {
      const a = train(30, false);
      const b = train(30, true);
      assert.deepEqual(b.losses, a.losses);
      assert.deepEqual(b.params, a.params);
    });
  });
}

test('memory stays flat over 3,000 training steps inside tidy: no new pool buffers, bounded free lists, flat JS heap', () => {
  let created = 0;
  let pooled = 0;
  const heap: number[] = [];
  train(3000, true, (i) => {
    if (i === 100) {
      created = storageStats().created;
      pooled = storageStats().pooledBytes;
      gc();
      heap.push(process.memoryUsage().heapUsed);
    }
    if (i === 2999) {
      gc();
      heap.push(process.memoryUsage().heapUsed);
    }
  });
  const after = storageStats();
  assert.equal(after.created, created, 'every step after warm-up reuses pool buffers');
  assert.ok(after.pooledBytes <= pooled + 1024 * 1024, `free lists stay bounded (${pooled} → ${after.pooledBytes} bytes)`);
  const growth = heap[1] - heap[0];
  // (The JS heap, measured after a full GC; `arrayBuffers` is not: V8 sweeps dead backing stores
  // concurrently, so it swings by tens of MB between two GCs whatever the workload.)
  assert.ok(growth < 2 * 1024 * 1024, `the JS heap grew ${(growth / 1024).toFixed(0)} KB over 2,900 steps`);
});
