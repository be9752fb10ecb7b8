import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stats, tensor, randn, Generator } from './imports';
import { assertClose } from './helpers';

test('moments: population std, min, max, float64 accumulation', () => {
  const m = stats.moments([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.deepEqual(m, { count: 8, mean: 5, std: 2, min: 2, max: 9 });
  const big = new Float32Array(1000);
  for (let i = 0; i < big.length; i++) big[i] = 1e4 + (i % 2 === 0 ? 0.5 : -0.5);
  const mb = stats.moments(big);
  assert.equal(mb.mean, 1e4);
  assert.equal(mb.std, 0.5);
  const e = stats.moments([]);
  assert.equal(e.count, 0);
  assert.ok(Number.isNaN(e.mean));
  assert.ok(Number.isNaN(stats.moments([1, NaN]).std));
});

test('moments accept tensors; per-feature and per-channel moments', () => {
  const t = tensor([1, 10, 2, 20, 3, 30], [3, 2]);
  assert.equal(stats.moments(t).count, 6);
  const f = stats.featureMoments(t);
  assert.equal(f.length, 2);
  assert.equal(f[0].mean, 2);
  assert.equal(f[1].mean, 20);
  assert.equal(f[1].min, 10);
  assertClose([f[0].std], [Math.sqrt(2 / 3)]);
  // (N=2, C=2, H=1, W=2): channel 0 holds 1,2,5,6; channel 1 holds 3,4,7,8.
  const c = stats.channelMoments(tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 1, 2]));
  assert.deepEqual(c.map((m) => m.mean), [3.5, 5.5]);
  assert.deepEqual(c.map((m) => m.count), [4, 4]);
  assert.deepEqual(Array.from(stats.channelValues(tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 1, 2]), 1)), [3, 4, 7, 8]);
  assert.throws(() => stats.featureMoments(tensor([1, 2, 3], [3])), /expected a 2D tensor/);
});

test('histogram with given edges: numpy convention (last bin closed, outside ignored)', () => {
  // np.histogram([3,1,4,1,5,9,2,6], [0,2,4,6,9]) -> [2,2,2,2]
  assert.deepEqual(stats.histogram([3, 1, 4, 1, 5, 9, 2, 6], [0, 2, 4, 6, 9]).counts, [2, 2, 2, 2]);
  const h = stats.histogram([-1, 0, 0.5, 1, 1.5, 2, 2.5, NaN], [0, 1, 2]);
  assert.deepEqual(h.counts, [2, 3]);
  assert.deepEqual(h.edges, [0, 1, 2]);
  assert.throws(() => stats.histogram([1], [0, 0]), /monotonically/);
});

test('sharedBins: same edges for all arrays, covering all values', () => {
  const g = new Generator(4);
  const a = randn([500], { generator: g });
  const b = tensor(Array.from(randn([300], { generator: g }).data, (v) => v * 3 + 2), [300]);
  const [ha, hb] = stats.sharedBins([a, b], 20);
  assert.deepEqual(ha.edges, hb.edges);
  assert.equal(ha.edges.length, 21);
  assert.equal(ha.counts.reduce((s, c) => s + c, 0), 500);
  assert.equal(hb.counts.reduce((s, c) => s + c, 0), 300);
  const lo = Math.min(stats.moments(a).min, stats.moments(b).min);
  const hi = Math.max(stats.moments(a).max, stats.moments(b).max);
  assert.equal(ha.edges[0], lo);
  assert.equal(ha.edges[20], hi);
  // Constant data: widened by ±0.5 like numpy.
  const [hc] = stats.sharedBins([[3, 3, 3]], 2);
  assert.deepEqual(hc.edges, [2.5, 3, 3.5]);
  assert.deepEqual(hc.counts, [0, 3]);
});

test('percentiles: numpy linear interpolation', () => {
  // np.percentile([3,1,4,1,5,9,2,6], [0,10,25,50,90,100])
  assertClose(stats.percentiles([3, 1, 4, 1, 5, 9, 2, 6], [0, 10, 25, 50, 90, 100]), [1.0, 1.0, 1.75, 3.5, 6.8999999999999995, 9.0], { rtol: 1e-12, atol: 0 });
  assert.deepEqual(stats.quantiles([10, 20], [0, 0.5, 1]), [10, 15, 20]);
  assert.deepEqual(stats.percentiles([42], [0, 50, 100]), [42, 42, 42]);
  assert.ok(Number.isNaN(stats.percentiles([], [50])[0]));
  assert.throws(() => stats.percentiles([1], [101]), /range \[0, 100\]/);
});
