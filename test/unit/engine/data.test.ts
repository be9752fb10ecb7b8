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
