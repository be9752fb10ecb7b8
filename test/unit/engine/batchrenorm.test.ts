// Batch Renormalization (Ioffe 2017, Algorithm 1): equals BatchNorm1d when r and d cannot move,
// gradients match finite differences of the same function with r and d held constant, and the
// moving averages update like BatchNorm's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, nn, randn, tensor, type Tensor } from './imports';
import { assertClose } from './helpers';

function r(shape: number[], seed: number, scale = 1, shift = 0): Tensor {
  const t = randn(shape, { generator: new Generator(seed) });
  for (let i = 0; i < t.data.length; i++) t.data[i] = t.data[i]! * scale + shift;
  return t;
}

/** Σ w·y with w fixed, as the scalar whose gradient is checked. */
function weights(n: number, seed: number): Float64Array {
  const g = new Generator(seed);
  return Float64Array.from({ length: n }, () => g.nextFloat64() * 2 - 1);
}

/**
 * The renormalized output in float64 for x (N, C, S) with r and d given (constants), γ and β:
 * y = γ·((x − μ_B) / √(var_B + eps) · r + d) + β.
 */
function reference(x: Float64Array, N: number, C: number, S: number, rr: ArrayLike<number>, dd: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  const M = N * S;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let j = 0; j < S; j++) s += x[(n * C + c) * S + j]!;
    const m = s / M;
    let q = 0;
    for (let n = 0; n < N; n++) for (let j = 0; j < S; j++) q += (x[(n * C + c) * S + j]! - m) ** 2;
    const sd = Math.sqrt(q / M + eps);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < S; j++) {
        const i = (n * C + c) * S + j;
        y[i] = gamma[c]! * (((x[i]! - m) / sd) * rr[c]! + dd[c]!) + beta[c]!;
      }
    }
  }
  return y;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

describe('nn.BatchRenorm1d', () => {
  it('with rMax = 1 and dMax = 0 is BatchNorm1d in training mode: outputs, gradients, running statistics', () => {
    const C = 5;
    const renorm = new nn.BatchRenorm1d(C, { rMax: 1, dMax: 0 });
    const bn = new nn.BatchNorm1d(C);
    for (const m of [renorm, bn]) {
      const gen = new Generator(7);
      for (let c = 0; c < C; c++) {
        m.weight!.data[c] = 0.5 + gen.nextFloat64();
        m.bias!.data[c] = gen.nextFloat64() - 0.5;
      }
    }
    for (let step = 0; step < 4; step++) {
      const data = r([16, C], 10 + step, 3, 2).data;
      const xa = tensor(data.slice(), [16, C], { requiresGrad: true });
      const xb = tensor(data.slice(), [16, C], { requiresGrad: true });
      const ya = renorm.forward(xa);
      const yb = bn.forward(xb);
      assertClose(ya.data, yb.data, { atol: 1e-5, rtol: 1e-5, msg: `output, step ${step}` });
      const w = tensor(Float32Array.from(weights(16 * C, step)), [16, C]);
      renorm.zeroGrad();
      bn.zeroGrad();
      ya.backward(w);
      yb.backward(w);
      assertClose(xa.grad!.data, xb.grad!.data, { atol: 1e-5, rtol: 1e-4, msg: `dx, step ${step}` });
      assertClose(renorm.weight!.grad!.data, bn.weight!.grad!.data, { atol: 1e-5, rtol: 1e-4, msg: 'dγ' });
      assertClose(renorm.bias!.grad!.data, bn.bias!.grad!.data, { atol: 1e-5, rtol: 1e-4, msg: 'dβ' });
      assertClose(renorm.runningMean.data, bn.runningMean!.data, { msg: 'running mean' });
      assertClose(renorm.runningVar.data, bn.runningVar!.data, { msg: 'running var' });
    }
    assert.equal(renorm.numBatchesTracked, 4);
    renorm.eval();
    bn.eval();
    const x = r([8, C], 99, 3, 2);
    assertClose(renorm.forward(x).data, bn.forward(x).data, { atol: 1e-5, msg: 'eval output' });
  });

  it('computes r and d from the running statistics, clipped, and treats them as constants in the gradient', () => {
    const [N, C, S] = [6, 4, 3];
    const eps = 1e-5;
    const renorm = new nn.BatchRenorm1d(C, { rMax: 1.5, dMax: 0.5, eps });
    // Channel 0: σ_B/σ ≈ 1, d small; channel 1: r clipped high; channel 2: r clipped low; channel 3: d clipped.
    renorm.runningMean.data.set([0.1, 0, 0, 5]);
    renorm.runningVar.data.set([1, 0.1, 20, 1]);
    const gen = new Generator(5);
    for (let c = 0; c < C; c++) {
      renorm.weight!.data[c] = 0.5 + gen.nextFloat64();
      renorm.bias!.data[c] = gen.nextFloat64() - 0.5;
    }
    const x = r([N, C, S], 21);
    x.requiresGrad = true;
    const y = renorm.forward(x);
    const rr = Array.from(renorm.lastR);
    const dd = Array.from(renorm.lastD);
    // r and d as the paper defines them, from the batch and the *old* running statistics.
    const x64 = Float64Array.from(x.data);
    for (let c = 0; c < C; c++) {
      const vals: number[] = [];
      for (let n = 0; n < N; n++) for (let j = 0; j < S; j++) vals.push(x64[(n * C + c) * S + j]!);
      const m = vals.reduce((a, b) => a + b, 0) / vals.length;
      const sdB = Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length + eps);
      const sd = Math.sqrt([1, 0.1, 20, 1][c]! + eps);
      const mu = [0.1, 0, 0, 5][c]!;
      assert.ok(Math.abs(rr[c]! - Math.min(1.5, Math.max(1 / 1.5, sdB / sd))) < 1e-6, `r[${c}]`);
      assert.ok(Math.abs(dd[c]! - Math.min(0.5, Math.max(-0.5, (m - mu) / sd))) < 1e-6, `d[${c}]`);
    }
    assert.ok(rr[1] === 1.5 && Math.abs(rr[2]! - 1 / 1.5) < 1e-12 && dd[3] === -0.5, `clipping exercised: r ${rr}, d ${dd}`);
    assert.ok(Math.abs(rr[0]! - 1) > 0.01, 'r ≠ 1 where unclipped');

    const gamma = Array.from(renorm.weight!.data);
    const beta = Array.from(renorm.bias!.data);
    assertClose(y.data, reference(x64, N, C, S, rr, dd, gamma, beta, eps), { atol: 1e-5, rtol: 1e-5, msg: 'forward' });

    const w = weights(N * C * S, 8);
    y.backward(tensor(Float32Array.from(w), y.shape));
    const h = 1e-4;
    const loss = (xs: Float64Array, gm: number[], bt: number[]): number => dot(w, reference(xs, N, C, S, rr, dd, gm, bt, eps));
    for (let i = 0; i < x64.length; i++) {
      const p = x64.slice();
      const m = x64.slice();
      p[i]! += h;
      m[i]! -= h;
      const numeric = (loss(p, gamma, beta) - loss(m, gamma, beta)) / (2 * h);
      assert.ok(Math.abs(numeric - x.grad!.data[i]!) <= 1e-4 + 1e-3 * Math.abs(numeric), `dx[${i}]: analytic ${x.grad!.data[i]} vs numeric ${numeric}`);
    }
    for (let c = 0; c < C; c++) {
      const gp = gamma.slice();
      const gm = gamma.slice();
      gp[c]! += h;
      gm[c]! -= h;
      const dGamma = (loss(x64, gp, beta) - loss(x64, gm, beta)) / (2 * h);
      assert.ok(Math.abs(dGamma - renorm.weight!.grad!.data[c]!) <= 1e-4 + 1e-3 * Math.abs(dGamma), `dγ[${c}]`);
      const bp = beta.slice();
      const bm = beta.slice();
      bp[c]! += h;
      bm[c]! -= h;
      const dBeta = (loss(x64, gamma, bp) - loss(x64, gamma, bm)) / (2 * h);
      assert.ok(Math.abs(dBeta - renorm.bias!.grad!.data[c]!) <= 1e-4 + 1e-3 * Math.abs(dBeta), `dβ[${c}]`);
    }
  });

  it('differs from the full BatchNorm gradient when r ≠ 1 (the gradient is scaled by r, not differentiated through it)', () => {
    const renorm = new nn.BatchRenorm1d(2, { rMax: 4, dMax: 0, affine: false });
    renorm.runningVar.data.set([0.25, 4]);
    const bn = new nn.BatchNorm1d(2, { affine: false });
    const data = r([10, 2], 4).data;
    const xa = tensor(data.slice(), [10, 2], { requiresGrad: true });
    const xb = tensor(data.slice(), [10, 2], { requiresGrad: true });
    const w = tensor(Float32Array.from(weights(20, 2)), [10, 2]);
    renorm.forward(xa).backward(w);
    bn.forward(xb).backward(w);
    for (let i = 0; i < 20; i++) {
      const c = i % 2;
      const expected = xb.grad!.data[i]! * renorm.lastR[c]!;
      assert.ok(Math.abs(xa.grad!.data[i]! - expected) < 1e-5, `dx[${i}] = r·dx(BN)`);
    }
    assert.ok(renorm.lastR[0]! > 1.3 && renorm.lastR[1]! < 0.7, `r = ${Array.from(renorm.lastR)}`);
  });

  it('updates the running statistics in training mode only, and normalizes with them in eval mode', () => {
    const C = 3;
    const momentum = 0.2;
    const renorm = new nn.BatchRenorm1d(C, { momentum });
    const x = r([12, C], 31, 2, 1);
    renorm.forward(x);
    for (let c = 0; c < C; c++) {
      const vals = Array.from({ length: 12 }, (_, n) => x.data[n * C + c]!);
      const m = vals.reduce((a, b) => a + b, 0) / 12;
      const unbiased = vals.reduce((a, b) => a + (b - m) ** 2, 0) / 11;
      assert.ok(Math.abs(renorm.runningMean.data[c]! - momentum * m) < 1e-6, `running mean ${c}`);
      assert.ok(Math.abs(renorm.runningVar.data[c]! - (momentum * unbiased + (1 - momentum))) < 1e-5, `running var ${c}`);
    }
    assert.equal(renorm.numBatchesTracked, 1);
    renorm.eval();
    const before = Float32Array.from(renorm.runningMean.data);
    const z = r([4, C], 32);
    const out = renorm.forward(z);
    assert.deepEqual(renorm.runningMean.data, before, 'eval leaves the running mean');
    for (let i = 0; i < z.data.length; i++) {
      const c = i % C;
      const expected = (z.data[i]! - renorm.runningMean.data[c]!) / Math.sqrt(renorm.runningVar.data[c]! + 1e-5);
      assert.ok(Math.abs(out.data[i]! - expected) < 1e-5);
    }
    // Eval mode accepts a single example; training mode needs more than one value per channel.
    assert.equal(renorm.forward(r([1, C], 33)).shape[0], 1);
    renorm.train();
    assert.throws(() => renorm.forward(r([1, C], 33)), /more than 1 value per channel/);
  });

  it('is a module with parameters and buffers, and refuses bad clips', () => {
    const renorm = new nn.BatchRenorm1d(4);
    assert.deepEqual(renorm.namedParameters().map(([n]) => n), ['weight', 'bias']);
    assert.deepEqual(Object.keys(renorm.stateDict()), ['weight', 'bias', 'runningMean', 'runningVar', 'numBatchesTracked']);
    assert.equal(new nn.BatchRenorm1d(4, { affine: false }).parameters().length, 0);
    assert.throws(() => new nn.BatchRenorm1d(4, { rMax: 0.5 }), /rMax must be a finite number ≥ 1/);
    assert.throws(() => new nn.BatchRenorm1d(4, { dMax: -1 }), /dMax must be a finite number ≥ 0/);
    assert.throws(() => renorm.forward(r([2, 4, 1, 1], 1)), /expected 2D or 3D input/);
  });
});
