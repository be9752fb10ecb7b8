// Every layer against PyTorch 1.13 fixtures: forward in train and eval mode, input/weight/bias
// gradients, and running statistics after each step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture, type LayerCase } from './fixtures';
import { runLayerCase } from './layer-cases';

const norm = loadFixture<{ cases: LayerCase[] }>('norm_layers');
const other = loadFixture<{ cases: LayerCase[] }>('layers');

for (const c of [...norm.cases, ...other.cases]) {
  test(`matches PyTorch: ${c.name}`, () => runLayerCase(c));
}

test('fixtures cover every required layer, train and eval', () => {
  const kinds = new Set([...norm.cases, ...other.cases].map((c) => c.kind));
  for (const k of ['BatchNorm1d', 'BatchNorm2d', 'LayerNorm', 'GroupNorm', 'InstanceNorm1d', 'InstanceNorm2d', 'Linear', 'Conv2d', 'Flatten', 'ReLU', 'Sigmoid', 'Tanh', 'Dropout']) {
    assert.ok(kinds.has(k), k);
  }
  const modes = new Set(norm.cases.flatMap((c) => c.steps.map((s) => `${c.kind}:${s.mode}`)));
  for (const k of ['BatchNorm1d', 'BatchNorm2d', 'InstanceNorm1d', 'InstanceNorm2d']) {
    assert.ok(modes.has(`${k}:train`) && modes.has(`${k}:eval`), k);
  }
});
