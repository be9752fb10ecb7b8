// Shared checks of the PyTorch layer fixtures (test/fixtures/torch/*.json), run by several test files
// (the batch-norm ones on both kernel backends).
import assert from 'node:assert/strict';
import { nn, tensor, type Tensor } from './imports';
import { assertClose } from './helpers';
import { buildModule, f32, fromJson, stateFromJson, type LayerCase, type State, type TJson } from './fixtures';

// float32 norm layers: PyTorch computes the output as x·α + β in float32, the engine in float64,
// so outputs can differ by a few float32 ulps of the pre-shift terms; 1e-5 absolute covers it.
const TOL = { rtol: 1e-5, atol: 1e-5 };

/**
 * Checks a module's state dict against PyTorch's (snake_case keys; counters exactly, tensors with
 * `close`, by default at TOL against the exact float32 values).
 */
function checkState(m: nn.Module, expected: State, label: string, close: CloseFn): void {
  const actual = m.stateDict();
  for (const [key, value] of Object.entries(expected)) {
    const camelKey = key.split('.').map((p) => p.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())).join('.');
    const got = actual[camelKey];
    assert.ok(got !== undefined, `${label}: missing state ${camelKey}`);
    if (typeof value === 'number') assert.equal(got, value, `${label}: ${camelKey}`);
    else close((got as Tensor).data, value, `${label}: ${camelKey}`);
  }
}

/** Compares engine values with a fixture tensor (by default at TOL against its float32 values). */
export type CloseFn = (got: Float32Array, want: TJson, msg: string) => void;

const closeAtTol: CloseFn = (got, want, msg) => assertClose(got, f32(want), { ...TOL, msg });

/**
 * Runs a layer fixture's steps and checks outputs, gradients and state after each; with
 * `exactState`, the module may hold no state PyTorch's does not.
 */
export function runLayerCase(c: LayerCase, close: CloseFn = closeAtTol, exactState = false): void {
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
    close(y.data, s.output, `${label}: output`);
    y.backward(tensor(f32(s.gradOutput), s.gradOutput.shape));
    close(x.grad!.data, s.gradInput, `${label}: grad input`);
    const w = (m as unknown as { weight?: Tensor | null }).weight;
    const b = (m as unknown as { bias?: Tensor | null }).bias;
    if (s.gradWeight) close(w!.grad!.data, s.gradWeight, `${label}: grad weight`);
    else assert.ok(!w, `${label}: unexpected weight`);
    if (s.gradBias) close(b!.grad!.data, s.gradBias, `${label}: grad bias`);
    else assert.ok(!b, `${label}: unexpected bias`);
    checkState(m, s.state, label, close);
    if (exactState) {
      // No state beyond PyTorch's (e.g. a counter PyTorch does not keep).
      for (const key of Object.keys(m.stateDict())) {
        const snake = key.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
        assert.ok(snake in s.state, `${label}: unexpected state ${key}`);
      }
    }
  });
}

/** A batch-norm input of 1e4 + 0.01·noise, with PyTorch's float64 results. */
export interface Big {
  input: TJson;
  output64: TJson;
  output32: TJson;
  gradOutput: TJson;
  gradInput64: TJson;
  runningMean64?: TJson;
  runningVar64?: TJson;
}

/** BatchNorm1d on 1e4 + 0.01·noise against PyTorch in float64: the statistics must not lose digits. */
export function checkBigOffsetBatchNorm1d(c: Big): void {
  const bn = new nn.BatchNorm1d(2);
  const x = fromJson(c.input, true);
  const y = bn.forward(x);
  // The output is ~N(0,1): 1e-4 absolute is far below the float32 error of a naive one-pass kernel.
  assertClose(y.data, c.output64.data, { rtol: 0, atol: 1e-4, msg: 'output vs float64' });
  y.backward(tensor(c.gradOutput.data, c.gradOutput.shape));
  // Input grads scale with 1/σ = 100, so compare relative to that scale.
  assertClose(x.grad!.data, c.gradInput64.data, { rtol: 1e-3, atol: 1e-2, msg: 'grad vs float64' });
  assertClose(bn.runningMean!.data, c.runningMean64!.data, { rtol: 1e-7, atol: 0 });
  assertClose(bn.runningVar!.data, c.runningVar64!.data, { rtol: 1e-4, atol: 1e-9 });
}
