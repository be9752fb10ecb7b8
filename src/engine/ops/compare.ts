// Element-wise choices between tensors: maximum, minimum, where, maskedFill (all broadcasting).
import { Tensor, type TensorOrScalar } from '../tensor';
import { broadcastShapes, sameShape, type Shape } from '../shape';
import { expandTo, sumToShape } from './kernels';
import { indexValues, type IndexLike } from './index-ops';
import { attach } from './graph';

function broadcastData(t: Tensor, shape: Shape): Float32Array {
  return sameShape(t.shape, shape) ? t.data : expandTo(t.data, t.shape, shape);
}

type Sign = 1 | -1;

function extremum(a: Tensor, b: Tensor, sign: Sign): Tensor {
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape);
  const x = broadcastData(a, shape);
  const y = broadcastData(b, shape);
  const n = x.length;
  const out = new Float32Array(n);
  // NaN propagates; on equal values `a` is kept (maximum(-0, 0) is -0, as on PyTorch's CPU).
  if (sign > 0) for (let i = 0; i < n; i++) { const u = x[i], v = y[i]; out[i] = u !== u ? u : v !== v ? v : u < v ? v : u; }
  else for (let i = 0; i < n; i++) { const u = x[i], v = y[i]; out[i] = u !== u ? u : v !== v ? v : u > v ? v : u; }
  return attach(new Tensor(out, shape), sign > 0 ? 'MaximumBackward' : 'MinimumBackward', [a, b], (g) => {
    // PyTorch's formula: ties split the gradient in half; a NaN pair sends it whole to both sides.
    const ga = new Float32Array(n);
    const gb = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const u = x[i], v = y[i];
      if (u === v) { ga[i] = gb[i] = g[i] / 2; continue; }
      const aLoses = sign > 0 ? u < v : u > v;
      const bLoses = sign > 0 ? u > v : u < v;
      ga[i] = aLoses ? 0 : g[i];
      gb[i] = bLoses ? 0 : g[i];
    }
    return [a.requiresGrad ? sumToShape(ga, shape, a.shape) : null, b.requiresGrad ? sumToShape(gb, shape, b.shape) : null];
  });
}

/** torch.maximum: element-wise larger of two tensors (broadcasting; NaN propagates). */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return extremum(a, b, 1);
}

/** torch.minimum: element-wise smaller of two tensors (broadcasting; NaN propagates). */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return extremum(a, b, -1);
}

/** A condition: a tensor of 0/1 values (the engine's boolean tensor) or (nested) booleans. */
export type Condition = Tensor | boolean | readonly Condition[];

/** A Condition as a 0/1 tensor; `message` is the op's error for a tensor holding other values. */
function conditionTensor(cond: Condition, message = 'where expected condition to be a boolean tensor, but got a tensor with dtype Float'): Tensor {
  if (cond instanceof Tensor) {
    for (const v of cond.data) {
      // A float tensor is a boolean tensor only when it holds 0s and 1s.
      if (v !== 0 && v !== 1) throw new Error(message);
    }
    return cond;
  }
  const asNumbers = (c: Condition): IndexLike =>
    typeof c === 'boolean' ? Number(c) : (c as readonly Condition[]).map(asNumbers);
  const { values, shape } = indexValues(asNumbers(cond));
  return new Tensor(Float32Array.from(values), shape);
}

/**
 * torch.where(condition, a, b): `a` where the condition holds, else `b`, all three broadcast
 * together. Gradients flow to the chosen side only.
 */
export function where(condition: Condition, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const c = conditionTensor(condition);
  const ta = typeof a === 'number' ? new Tensor(new Float32Array([a]), []) : a;
  const tb = typeof b === 'number' ? new Tensor(new Float32Array([b]), []) : b;
  const shape = broadcastShapes(broadcastShapes(c.shape, ta.shape), tb.shape);
  const m = broadcastData(c, shape);
  const x = broadcastData(ta, shape);
  const y = broadcastData(tb, shape);
  const n = m.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = m[i] ? x[i] : y[i];
  return attach(new Tensor(out, shape), 'WhereBackward', [ta, tb], (g) => {
    const ga = ta.requiresGrad ? new Float32Array(n) : null;
    const gb = tb.requiresGrad ? new Float32Array(n) : null;
    for (let i = 0; i < n; i++) {
      if (m[i]) { if (ga) ga[i] = g[i]; } else if (gb) gb[i] = g[i];
    }
    return [ga && sumToShape(ga, shape, ta.shape), gb && sumToShape(gb, shape, tb.shape)];
  });
}

/**
 * torch.masked_fill(input, mask, value): `value` where the mask holds, else `input`; the mask and
 * the input broadcast together (as PyTorch's out-of-place masked_fill does). `value` is a number or
 * a 0-d tensor (which then gets the gradient of the filled entries); filled entries pass no
 * gradient to `input`.
 */
export function maskedFill(a: Tensor, mask: Condition, value: TensorOrScalar): Tensor {
  // PyTorch 1.13 misreads a float mask silently; later versions refuse it with this message.
  const c = conditionTensor(mask, 'masked_fill_ only supports boolean masks, but got mask with dtype float');
  if (value instanceof Tensor && value.shape.length !== 0) {
    throw new Error(`masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.shape.length} dimension(s).`);
  }
  const v = value instanceof Tensor ? value : null;
  const fill = v ? v.data[0] : Math.fround(value as number);
  const shape = sameShape(c.shape, a.shape) ? a.shape : broadcastShapes(c.shape, a.shape);
  const m = broadcastData(c, shape);
  const out = broadcastData(a, shape).slice();
  const n = out.length;
  for (let i = 0; i < n; i++) if (m[i]) out[i] = fill;
  return attach(new Tensor(out, shape), 'MaskedFillBackward', [a, v], (g) => {
    const ga = a.requiresGrad ? new Float32Array(n) : null;
    let gv = 0;
    for (let i = 0; i < n; i++) {
      if (m[i]) gv += g[i];
      else if (ga) ga[i] = g[i];
    }
    return [ga && sumToShape(ga, shape, a.shape), v && v.requiresGrad ? new Float32Array([gv]) : null];
  });
}
