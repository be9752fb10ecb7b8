// Module plumbing, default init distributions, dropout and optimizer basics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, init, optim, F, tensor, randn, Generator, manualSeed, zeros, stats } from './imports';

test('parameters() follow registration order; stateDict/loadStateDict round-trip', () => {
  manualSeed(0);
  const net = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Linear(4, 2, { bias: false }));
  assert.deepEqual(net.namedParameters().map(([n]) => n), ['0.weight', '0.bias', '1.weight', '1.bias', '3.weight']);
  assert.equal(net.parameters().length, 5);
  assert.equal(net.numParameters(), 12 + 4 + 4 + 4 + 8);
  const sd = net.stateDict();
  assert.deepEqual(Object.keys(sd).sort(), ['0.bias', '0.weight', '1.bias', '1.numBatchesTracked', '1.runningMean', '1.runningVar', '1.weight', '3.weight']);
  const copy = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Linear(4, 2, { bias: false }));
  copy.loadStateDict({ ...sd, '1.running_mean': tensor([1, 2, 3, 4]) }, false);
  assert.deepEqual(Array.from((copy.stateDict()['0.weight'] as ReturnType<typeof tensor>).data), Array.from((sd['0.weight'] as ReturnType<typeof tensor>).data));
  assert.deepEqual(Array.from((copy.stateDict()['1.runningMean'] as ReturnType<typeof tensor>).data), [1, 2, 3, 4]);
  assert.throws(() => copy.loadStateDict({ nope: 1 }), /unexpected keys/);
  assert.throws(() => copy.loadStateDict({ '0.weight': [1, 2] }, false), /size mismatch/);
});

test('train()/eval() propagate to children', () => {
  const net = new nn.Sequential(new nn.Linear(2, 2), new nn.Sequential(new nn.Dropout(0.5), new nn.BatchNorm1d(2)));
  net.eval();
  assert.ok(net.modules().every((m) => !m.training));
  net.train();
  assert.ok(net.modules().every((m) => m.training));
  assert.equal(net.modules().length, 5);
});

test('default Linear/Conv2d init: U(±1/√fan_in) for weight and bias, reproducible by seed', () => {
  manualSeed(3);
  const a = new nn.Linear(50, 40);
  manualSeed(3);
  const b = new nn.Linear(50, 40);
  assert.deepEqual(Array.from(a.weight.data), Array.from(b.weight.data));
  const bound = 1 / Math.sqrt(50);
  const m = stats.moments(a.weight);
  assert.ok(m.min >= -bound && m.max <= bound);
  assert.ok(m.max > 0.95 * bound && m.min < -0.95 * bound);
  assert.ok(Math.abs(m.std - bound / Math.sqrt(3)) < 0.05 * bound);
  const mb = stats.moments(a.bias!);
  assert.ok(mb.min >= -bound && mb.max <= bound);
  const conv = new nn.Conv2d(3, 16, 3, { generator: new Generator(1) });
  const cb = 1 / Math.sqrt(27);
  const mc = stats.moments(conv.weight);
  assert.ok(mc.min >= -cb && mc.max <= cb && mc.max > 0.9 * cb);
});

test('init functions follow torch.nn.init formulas', () => {
  const g = new Generator(10);
  const w = zeros([200, 300]);
  init.kaimingNormal_(w, { mode: 'fan_in', nonlinearity: 'relu', generator: g });
  assert.ok(Math.abs(stats.moments(w).std - Math.sqrt(2 / 300)) < 0.01 * Math.sqrt(2 / 300) * 5);
  init.kaimingUniform_(w, { nonlinearity: 'relu', mode: 'fan_out', generator: g });
  const ku = Math.sqrt(3) * Math.sqrt(2) / Math.sqrt(200);
  assert.ok(stats.moments(w).max <= ku && stats.moments(w).max > 0.99 * ku);
  init.xavierUniform_(w, 1, { generator: g });
  const xu = Math.sqrt(6 / 500);
  assert.ok(stats.moments(w).max <= xu && stats.moments(w).max > 0.99 * xu);
  init.xavierNormal_(w, 2, { generator: g });
  assert.ok(Math.abs(stats.moments(w).std - 2 * Math.sqrt(2 / 500)) < 0.02 * 2 * Math.sqrt(2 / 500));
  init.normal_(w, 3, 0.5, { generator: g });
  assert.ok(Math.abs(stats.moments(w).mean - 3) < 0.01);
  init.uniform_(w, -2, -1, { generator: g });
  assert.ok(stats.moments(w).min >= -2 && stats.moments(w).max < -1);
  init.constant_(w, 0.25);
  assert.equal(stats.moments(w).std, 0);
  init.ones_(w);
  assert.equal(stats.moments(w).mean, 1);
  init.zeros_(w);
  assert.equal(stats.moments(w).max, 0);
  assert.equal(init.calculateGain('tanh'), 5 / 3);
  assert.equal(init.calculateGain('leaky_relu', Math.sqrt(5)), Math.sqrt(1 / 3));
  assert.throws(() => init.xavierUniform_(zeros([3])), /fewer than 2 dimensions/);
});

test('Dropout: scaled mask in training, identity in eval, seeded', () => {
  const x = randn([1000], { generator: new Generator(1) });
  const d = new nn.Dropout(0.25, { generator: new Generator(2) });
  const y = d.forward(x);
  let zerosCount = 0;
  for (let i = 0; i < 1000; i++) {
    if (y.data[i] === 0) zerosCount++;
    else assert.ok(Math.abs(y.data[i] - x.data[i] / 0.75) < 1e-5);
  }
  assert.ok(zerosCount > 200 && zerosCount < 300, `${zerosCount}`);
  d.eval();
  assert.equal(d.forward(x), x);
  assert.deepEqual(Array.from(F.dropout(x, 0.25, true, new Generator(2)).data), Array.from(y.data));
});

test('optimizers: zeroGrad clears, SGD step is p - lr·g', () => {
  const p = tensor([1, 2], [2], { requiresGrad: true });
  const opt = new optim.SGD([p], { lr: 0.5 });
  p.mul(tensor([3, 4])).sum().backward();
  opt.step();
  assert.deepEqual(Array.from(p.data), [-0.5, 0]);
  opt.zeroGrad();
  assert.equal(p.grad, null);
  assert.throws(() => new optim.SGD([p], { lr: 0.1, nesterov: true }), /Nesterov/);
  assert.throws(() => new optim.Adam([p], { betas: [1, 0.9] }), /beta/);
});

test('module forward shapes and errors', () => {
  assert.deepEqual(new nn.Flatten().forward(randn([2, 3, 4])).shape, [2, 12]);
  assert.deepEqual(new nn.Conv2d(2, 5, 3, { padding: 1 }).forward(randn([1, 2, 6, 6])).shape, [1, 5, 6, 6]);
  assert.deepEqual(new nn.MaxPool2d(2).forward(randn([1, 2, 6, 6])).shape, [1, 2, 3, 3]);
  assert.deepEqual(new nn.GroupNorm(2, 4).forward(randn([3, 4, 5])).shape, [3, 4, 5]);
  assert.deepEqual(new nn.InstanceNorm2d(3).forward(randn([3, 4, 4])).shape, [3, 4, 4]);
  assert.throws(() => new nn.InstanceNorm1d(3, { affine: true }).forward(randn([2, 4, 5])), /match num_features \(3\), but got: 4/);
  const bn = new nn.BatchNorm2d(3);
  assert.equal(bn.runningMean!.data.length, 3);
  bn.forward(randn([2, 3, 2, 2]));
  bn.resetRunningStats();
  assert.equal(bn.numBatchesTracked, 0);
  assert.deepEqual(Array.from(bn.runningVar!.data), [1, 1, 1]);
});

test('grouped Conv2d weight shape; MaxPool2d options, indices and the F.maxPool2d call forms', () => {
  const conv = new nn.Conv2d(6, 4, 3, { groups: 2, padding: 1 });
  assert.deepEqual(conv.weight.shape, [4, 3, 3, 3]);
  assert.deepEqual(conv.forward(randn([1, 6, 5, 5])).shape, [1, 4, 5, 5]);
  const x = randn([2, 3, 5, 5]);
  const pool = new nn.MaxPool2d(2, 2, { padding: 1, ceilMode: true });
  const { output, indices } = pool.forwardWithIndices(x);
  assert.deepEqual(output.shape, [2, 3, 3, 3]);
  assert.deepEqual(pool.forward(x).data, output.data);
  assert.deepEqual(indices.shape, output.shape);
  // stride positional, stride in the options, and returnIndices: the same values.
  const opts = { padding: 1, ceilMode: true };
  assert.deepEqual(F.maxPool2d(x, 2, 2, opts).data, output.data);
  assert.deepEqual(F.maxPool2d(x, 2, { stride: 2, ...opts }).data, output.data);
  const r = F.maxPool2d(x, 2, { stride: 2, ...opts, returnIndices: true });
  assert.deepEqual(r.indices.data, indices.data);
  assert.deepEqual(F.maxPool2dWithIndices(x, 2, { stride: 2, ...opts }).output.data, output.data);
  // Each index points at its value within the (H, W) plane.
  for (let i = 0; i < output.data.length; i++) {
    const plane = Math.floor(i / 9);
    assert.equal(x.data[plane * 25 + indices.data[i]], output.data[i]);
  }
});
