// Every layer against PyTorch 1.13 fixtures: forward in train and eval mode, input/weight/bias
// gradients, and running statistics after each step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, type nn, type Tensor } from './imports';
import { assertClose } from './helpers';
import { buildModule, f32, fromJson, loadFixture, stateFromJson, type State, type TJson } from './fixtures';

interface Step {
  mode: 'train' | 'eval';
  input: TJson;
  output: TJson;
  gradOutput: TJson;
  gradInput: TJson;
  gradWeight?: TJson;
  gradBias?: TJson;
  state: State;
}

interface LayerCase {
  name: string;
  kind: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  initial: State;
  steps: Step[];
}

// float32 norm layers: PyTorch computes the output as x·α + β in float32, the engine in float64,
// so outputs can differ by a few float32 ulps of the pre-shift terms; 1e-5 absolute covers it.
const TOL = { rtol: 1e-5, atol: 1e-5 };

function checkState(m: nn.Module, expected: State, label: string): void {
  const actual = m.stateDict();
  for (const [key, value] of Object.entries(expected)) {
    const camelKey = key.split('.').map((p) => p.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())).join('.');
    const got = actual[camelKey];
    assert.ok(got !== undefined, `${label}: missing state ${camelKey}`);
    if (typeof value === 'number') assert.equal(got, value, `${label}: ${camelKey}`);
    else assertClose((got as Tensor).data, f32(value), { ...TOL, msg: `${label}: ${camelKey}` });
  }
}

function runCase(c: LayerCase): void {
  const m = buildModule(c.kind, c.args, c.kwargs);
  m.loadStateDict(stateFromJson(c.initial));
  c.steps.forEach((s, i) => {
    const label = `${c.name} step ${i} (${s.mode})`;
    if (s.mode === 'train') m.train();
    else m.eval();
    m.zeroGrad();
    const x = fromJson(s.input, true);
    const y = m.forward(x);
    assert.deepEqual(y.shape, s.output.shape, `${label}: output shape`);
    assertClose(y.data, f32(s.output), { ...TOL, msg: `${label}: output` });
    y.backward(tensor(f32(s.gradOutput), s.gradOutput.shape));
    assertClose(x.grad!.data, f32(s.gradInput), { ...TOL, msg: `${label}: grad input` });
    const w = (m as unknown as { weight?: Tensor | null }).weight;
    const b = (m as unknown as { bias?: Tensor | null }).bias;
    if (s.gradWeight) assertClose(w!.grad!.data, f32(s.gradWeight), { ...TOL, msg: `${label}: grad weight` });
    else assert.ok(!w, `${label}: unexpected weight`);
    if (s.gradBias) assertClose(b!.grad!.data, f32(s.gradBias), { ...TOL, msg: `${label}: grad bias` });
    else assert.ok(!b, `${label}: unexpected bias`);
    checkState(m, s.state, label);
  });
}

const norm = loadFixture<{ cases: LayerCase[] }>('norm_layers');
const other = loadFixture<{ cases: LayerCase[] }>('layers');

for (const c of [...norm.cases, ...other.cases]) {
  test(`matches PyTorch: ${c.name}`, () => runCase(c));
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
