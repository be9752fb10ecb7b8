// BatchNorm1d forward semantics on small hand-checkable inputs (values from PyTorch 1.13).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, tensor, randn, Generator, stats } from './imports';
import { assertClose } from './helpers';

const X = [1, 2, 3, 4, 6, 8, 0.5, -1, 2];

test('BatchNorm1d training: batch statistics, biased variance for the output', () => {
  const bn = new nn.BatchNorm1d(3);
  const y = bn.forward(tensor(X, [3, 3]));
  assert.deepEqual(y.shape, [3, 3]);
  assertClose(y.data, [-0.5391627550125122, -0.11624753475189209, -0.5080001950263977, 1.4018231630325317, 1.2787232398986816, 1.3970003128051758, -0.8626604080200195, -1.1624755859375, -0.8890002965927124]);
  // Each feature is normalized: mean 0, population std ~1 (eps aside).
  for (const m of stats.featureMoments(y)) {
    assert.ok(Math.abs(m.mean) < 1e-6);
    assert.ok(Math.abs(m.std - 1) < 1e-4);
  }
});

test('BatchNorm1d running stats use the unbiased variance and momentum 0.1', () => {
  const bn = new nn.BatchNorm1d(3);
  bn.forward(tensor(X, [3, 3]));
  assertClose(bn.runningMean!.data, [0.18333333730697632, 0.23333333432674408, 0.4333333671092987]);
  assertClose(bn.runningVar!.data, [1.2583333253860474, 2.133333206176758, 1.9333332777023315]);
  assert.equal(bn.numBatchesTracked, 1);
  bn.forward(tensor(X.map((v) => v * 2), [3, 3]));
  assertClose(bn.runningMean!.data, [0.5316666960716248, 0.6766666769981384, 1.2566667795181274]);
  assertClose(bn.runningVar!.data, [2.56583309173584, 6.853332996368408, 5.873332977294922]);
  assert.equal(bn.numBatchesTracked, 2);
  bn.eval();
  assert.equal(bn.training, false);
  const y = bn.forward(tensor(X, [3, 3]));
  assertClose(y.data, [0.292374849319458, 0.5054963827133179, 0.7193458080291748, 2.165238857269287, 2.033445119857788, 2.7824792861938477, -0.019769132137298584, -0.6404651403427124, 0.3067191243171692]);
  // Eval mode does not touch the running statistics.
  assertClose(bn.runningMean!.data, [0.5316666960716248, 0.6766666769981384, 1.2566667795181274]);
  assert.equal(bn.numBatchesTracked, 2);
});

test('BatchNorm1d momentum null is a cumulative average', () => {
  const bn = new nn.BatchNorm1d(2, { momentum: null });
  const g = new Generator(1);
  const batches = [0, 1, 2].map(() => randn([16, 2], { generator: g }));
  for (const b of batches) bn.forward(b);
  // Cumulative average of the batch means and unbiased variances.
  for (let c = 0; c < 2; c++) {
    let m = 0, v = 0;
    for (const b of batches) {
      const col = stats.featureValues(b, c);
      const mm = stats.moments(col);
      m += mm.mean / 3;
      v += (mm.std * mm.std * 16) / 15 / 3;
    }
    assertClose([bn.runningMean!.data[c], bn.runningVar!.data[c]], [m, v], { rtol: 1e-5, atol: 1e-6 });
  }
});

test('BatchNorm1d without running stats uses batch statistics in eval mode', () => {
  const bn = new nn.BatchNorm1d(3, { trackRunningStats: false });
  assert.equal(bn.runningMean, null);
  bn.eval();
  const y = bn.forward(tensor(X, [3, 3]));
  assertClose(y.data, [-0.5391627550125122, -0.11624753475189209, -0.5080001950263977, 1.4018231630325317, 1.2787232398986816, 1.3970003128051758, -0.8626604080200195, -1.1624755859375, -0.8890002965927124]);
});

test('BatchNorm1d with affine=false has no parameters; (N, C, L) input is normalized over N and L', () => {
  const bn = new nn.BatchNorm1d(2, { affine: false });
  assert.equal(bn.weight, null);
  assert.deepEqual(bn.parameters(), []);
  const x = randn([4, 2, 5], { generator: new Generator(3) });
  const y = bn.forward(x);
  for (const m of stats.channelMoments(y)) {
    assert.ok(Math.abs(m.mean) < 1e-6);
    assert.ok(Math.abs(m.std - 1) < 1e-4);
    assert.equal(m.count, 20);
  }
});

test('BatchNorm1d refuses what PyTorch refuses', () => {
  const bn = new nn.BatchNorm1d(4);
  assert.throws(() => bn.forward(tensor([1, 2, 3, 4], [1, 4])), { message: 'Expected more than 1 value per channel when training, got input size [1, 4]' });
  assert.throws(() => bn.forward(tensor([1, 2, 3, 4], [4])), { message: 'expected 2D or 3D input (got 1D input)' });
  assert.throws(() => bn.forward(tensor(new Array(6).fill(1), [2, 3])), /running_mean should contain 3 elements not 4/);
  bn.eval();
  // One sample is fine in eval mode.
  assert.deepEqual(bn.forward(tensor([1, 2, 3, 4], [1, 4])).shape, [1, 4]);
});

test('BatchNorm1d with 1e4 + small noise: float64 two-pass statistics keep the spread', () => {
  const g = new Generator(11);
  const noise = randn([64, 1], { generator: g });
  const x = tensor(Array.from(noise.data, (v) => 1e4 + 0.01 * v), [64, 1]);
  const y = new nn.BatchNorm1d(1, { eps: 0 }).forward(x);
  const m = stats.moments(y);
  assert.ok(Math.abs(m.mean) < 1e-3, `mean ${m.mean}`);
  assert.ok(Math.abs(m.std - 1) < 1e-3, `std ${m.std}`);
});
