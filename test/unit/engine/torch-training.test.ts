// Optimizers and short training runs matched step by step against PyTorch 1.13.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, optim, F, type Tensor } from './imports';
import { assertClose } from './helpers';
import { camelKeys, f32, fromJson, loadFixture, stateFromJson, type State, type TJson } from './fixtures';

interface OptCase {
  kind: 'SGD' | 'Adam';
  kwargs: Record<string, unknown>;
  initial: TJson;
  grads: TJson[];
  after: TJson[];
}

function makeOptimizer(kind: string, params: Tensor[], kwargs: Record<string, unknown>): optim.Optimizer {
  const o = camelKeys(kwargs) as never;
  return kind === 'SGD' ? new optim.SGD(params, o) : new optim.Adam(params, o);
}

for (const c of loadFixture<{ cases: OptCase[] }>('optim').cases) {
  test(`${c.kind} ${JSON.stringify(c.kwargs)} matches PyTorch step by step`, () => {
    const p = fromJson(c.initial, true);
    const opt = makeOptimizer(c.kind, [p], c.kwargs);
    c.grads.forEach((g, i) => {
      p.grad = fromJson(g);
      opt.step();
      // Same float32 operation order as PyTorch: agreement to ~1 ulp.
      assertClose(p.data, f32(c.after[i]), { rtol: 1e-6, atol: 1e-7, msg: `step ${i}` });
    });
  });
}

interface TrainCase {
  name: string;
  optimizer: 'SGD' | 'Adam';
  optimizerKwargs: Record<string, unknown>;
  initial: State;
  inputs: TJson[];
  targets: (number[] | TJson)[];
  loss: 'cross_entropy' | 'mse';
  steps: { loss: number; grads: Record<string, TJson>; state: State }[];
  evalInput: TJson;
  evalOutput: TJson;
}

function buildNet(name: string): nn.Module {
  if (name.startsWith('MLP with BatchNorm1d')) return new nn.Sequential(new nn.Linear(4, 8, { bias: false }), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Linear(8, 3));
  if (name.startsWith('CNN')) return new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.Flatten(), new nn.Linear(100, 3));
  if (name.startsWith('MLP with LayerNorm')) return new nn.Sequential(new nn.Linear(3, 6), new nn.LayerNorm(6), new nn.Tanh(), new nn.Linear(6, 2));
  throw new Error(name);
}

function camelPath(k: string): string {
  return k.split('.').map((p) => p.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())).join('.');
}

for (const c of loadFixture<{ cases: TrainCase[] }>('training').cases) {
  test(`training matches PyTorch: ${c.name}`, () => {
    const net = buildNet(c.name);
    net.loadStateDict(stateFromJson(c.initial));
    const opt = makeOptimizer(c.optimizer, net.parameters(), c.optimizerKwargs);
    c.steps.forEach((s, i) => {
      net.train();
      opt.zeroGrad();
      const out = net.forward(fromJson(c.inputs[i]));
      const t = c.targets[i];
      const loss = c.loss === 'cross_entropy' ? F.crossEntropy(out, t as number[]) : F.mseLoss(out, fromJson(t as TJson));
      loss.backward();
      // Differences start at float32 rounding and grow a little each step; 1e-5/1e-4 still
      // catches any wrong update rule (which shows up at 1e-2 or worse after one step).
      assertClose([loss.item()], [Math.fround(s.loss)], { rtol: 1e-5, atol: 1e-6, msg: `step ${i} loss` });
      const named = new Map(net.namedParameters());
      for (const [k, g] of Object.entries(s.grads)) {
        assertClose(named.get(camelPath(k))!.grad!.data, f32(g), { rtol: 1e-4, atol: 1e-5, msg: `step ${i} grad ${k}` });
      }
      opt.step();
      const state = net.stateDict();
      for (const [k, v] of Object.entries(s.state)) {
        const got = state[camelPath(k)];
        if (typeof v === 'number') assert.equal(got, v, `step ${i} ${k}`);
        else assertClose((got as Tensor).data, f32(v), { rtol: 1e-4, atol: 1e-5, msg: `step ${i} ${k}` });
      }
    });
    net.eval();
    const y = net.forward(fromJson(c.evalInput));
    assertClose(y.data, f32(c.evalOutput), { rtol: 1e-4, atol: 1e-5, msg: 'eval output' });
  });
}
