import { test } from 'node:test';
import assert from 'node:assert/strict';
import { data, Generator, stats } from './imports';

test('featuresOnScales: per-feature mean and scale, seeded', () => {
  const x = data.featuresOnScales(20000, [1, 1000, 0.01], { offsets: [0, 5000, -3], generator: new Generator(1) });
  assert.deepEqual(x.shape, [20000, 3]);
  const m = stats.featureMoments(x);
  const expect = [[0, 1], [5000, 1000], [-3, 0.01]];
  m.forEach((mm, c) => {
    assert.ok(Math.abs(mm.mean - expect[c][0]) < 0.03 * expect[c][1], `mean ${c}`);
    assert.ok(Math.abs(mm.std / expect[c][1] - 1) < 0.03, `std ${c}`);
  });
  const again = data.featuresOnScales(20000, [1, 1000, 0.01], { offsets: [0, 5000, -3], generator: new Generator(1) });
  assert.deepEqual(Array.from(again.data.subarray(0, 10)), Array.from(x.data.subarray(0, 10)));
  assert.throws(() => data.featuresOnScales(2, [1, 2], { offsets: [1] }), /offsets/);
});

test('gaussianBlobs: labelled points, every class present', () => {
  const { x, y } = data.gaussianBlobs(300, 2, 3, { generator: new Generator(2) });
  assert.deepEqual(x.shape, [300, 2]);
  assert.deepEqual(y.shape, [300]);
  const counts = [0, 0, 0];
  for (const v of y.data) counts[v]++;
  assert.ok(counts.every((c) => c > 50));
});

test('twoMoons: scikit-learn geometry without noise, seeded shuffle and noise', () => {
  const plain = data.twoMoons(101, { shuffle: false });
  assert.deepEqual(plain.x.shape, [101, 2]);
  const [x, y] = [plain.x.data, plain.y.data];
  for (let i = 0; i < 101; i++) {
    const u = x[2 * i], v = x[2 * i + 1];
    // Class 0 on the upper unit half circle, class 1 on the lower one centred at (1, 0.5).
    const r = y[i] === 0 ? Math.hypot(u, v) : Math.hypot(u - 1, v - 0.5);
    assert.ok(Math.abs(r - 1) < 1e-6, `point ${i}: radius ${r}`);
    assert.equal(y[i], i < 50 ? 0 : 1);
  }
  assert.deepEqual([x[0], x[1]], [1, 0]); // t = 0 of the upper moon
  const a = data.twoMoons(200, { noise: 0.1, generator: new Generator(3) });
  const b = data.twoMoons(200, { noise: 0.1, generator: new Generator(3) });
  assert.deepEqual(a.x.data, b.x.data);
  assert.deepEqual(a.y.data, b.y.data);
  assert.ok(Array.from(a.y.data.slice(0, 20)).some((v) => v !== a.y.data[0]), 'shuffled');
  assert.throws(() => data.twoMoons(1), /n must be an integer ≥ 2/);
  assert.throws(() => data.twoMoons(10, { noise: -1 }), /noise must be non-negative/);
});

test('spirals: arms of radius 0 → 1 at evenly spread angles, every class present', () => {
  const { x, y } = data.spirals(30, 3, { shuffle: false, turns: 0.5 });
  assert.deepEqual(x.shape, [30, 2]);
  for (let k = 0; k < 3; k++) {
    const arm = Array.from({ length: 10 }, (_, j) => k * 10 + j);
    assert.ok(arm.every((i) => y.data[i] === k));
    const [first, last] = [arm[0], arm[9]];
    assert.ok(Math.hypot(x.data[2 * first], x.data[2 * first + 1]) < 1e-7, 'starts at the centre');
    const end = Math.atan2(x.data[2 * last + 1], x.data[2 * last]);
    const expected = 2 * Math.PI * (0.5 + k / 3);
    assert.ok(Math.abs(Math.cos(end) - Math.cos(expected)) < 1e-6 && Math.abs(Math.sin(end) - Math.sin(expected)) < 1e-6, `arm ${k} ends at its angle`);
  }
  const uneven = data.spirals(10, 3, { noise: 0.05, generator: new Generator(1) });
  const counts = [0, 0, 0];
  for (const v of uneven.y.data) counts[v]++;
  assert.deepEqual(counts, [4, 3, 3]);
  assert.throws(() => data.spirals(5, 6), /classes must be an integer in \[1, n\]/);
});
