// Edge cases against PyTorch: large offsets (engine must match float64) and refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, F, randn } from './imports';
import { assertClose } from './helpers';
import { fromJson, loadFixture } from './fixtures';
import { checkBigOffsetBatchNorm1d, type Big } from './layer-cases';


const fx = loadFixture<{ bigOffset: Record<'BatchNorm1d' | 'LayerNorm', Big>; errors: Record<string, string | number> }>('norm_layers');

test('BatchNorm1d on 1e4 + 0.01·noise matches the float64 result', () => checkBigOffsetBatchNorm1d(fx.bigOffset.BatchNorm1d));

test('LayerNorm on 1e4 + 0.01·noise matches the float64 result', () => {
  const c = fx.bigOffset.LayerNorm;
  const ln = new nn.LayerNorm(2);
  const y = ln.forward(fromJson(c.input));
  // Two values per row normalize to ±1·σ/√(σ²+eps); float64 math on the float32 input is exact enough.
  assertClose(y.data, c.output64.data, { rtol: 0, atol: 1e-3 });
});

function messageOf(torchError: string | number): string {
  return String(torchError).replace(/^\w+: /, '');
}

test('refusals carry PyTorch messages', () => {
  const e = fx.errors;
  const cases: [string, () => unknown][] = [
    ['bn1d_rank', () => new nn.BatchNorm1d(4).forward(randn([4]))],
    ['bn1d_features', () => new nn.BatchNorm1d(4).forward(randn([2, 3]))],
    ['bn2d_rank', () => new nn.BatchNorm2d(3).forward(randn([2, 3, 4]))],
    ['groupnorm_ctor', () => new nn.GroupNorm(4, 6)],
    ['groupnorm_divisible', () => new nn.GroupNorm(2, 6, { affine: false }).forward(randn([2, 3, 3]))],
    ['layernorm_shape', () => new nn.LayerNorm(4).forward(randn([2, 3]))],
    ['instancenorm1d_rank', () => new nn.InstanceNorm1d(3).forward(randn([2, 3, 4, 4]))],
    ['instancenorm2d_rank', () => new nn.InstanceNorm2d(3).forward(randn([2, 3]))],
    ['linear_shape', () => new nn.Linear(4, 5).forward(randn([2, 3]))],
    ['conv_channels', () => new nn.Conv2d(3, 8, 3).forward(randn([2, 4, 5, 5]))],
    ['cross_entropy_target', () => F.crossEntropy(randn([2, 3]), [0, 3])],
    ['broadcast', () => randn([2, 3]).add(randn([4]))],
    ['matmul', () => randn([2, 3]).matmul(randn([4, 5]))],
  ];
  for (const [key, fn] of cases) assert.throws(fn, { message: messageOf(e[key]) }, key);
  // PyTorch prints torch.Size([1, 4]); the engine prints the same shape as [1, 4].
  const sized: [string, () => unknown][] = [
    ['bn1d_one_value_per_channel', () => new nn.BatchNorm1d(4).forward(randn([1, 4]))],
    ['bn2d_one_value_per_channel', () => new nn.BatchNorm2d(3).forward(randn([1, 3, 1, 1]))],
    ['instancenorm_spatial', () => new nn.InstanceNorm1d(3).forward(randn([2, 3, 1]))],
  ];
  for (const [key, fn] of sized) assert.throws(fn, { message: messageOf(e[key]).replace(/torch\.Size\((\[.*?\])\)/, '$1') }, key);
});

test('a refused training batch is still counted, as in PyTorch', () => {
  const bn = new nn.BatchNorm1d(4);
  assert.throws(() => bn.forward(randn([1, 4])));
  assert.equal(bn.numBatchesTracked, fx.errors.bn1d_counter_after_refusal);
});
