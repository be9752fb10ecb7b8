/**
 * Divergence guards for training loops: a loss or an activation that becomes NaN or infinite stops the
 * training with a message that names the step and the layer. For an experiment about divergence that
 * message is a result to report (see {@link DivergenceError}), not a crash.
 */
import { nn, type Tensor } from '../engine';

export class DivergenceError extends Error {
  override readonly name = 'DivergenceError';
  constructor(
    readonly step: number,
    /** Where the non-finite value appeared, e.g. "the loss" or "layer 2 (Linear) of the model". */
    readonly where: string,
    readonly value: number,
  ) {
    super(`Training diverged at step ${step}: ${where} became ${describe(value)}.`);
  }
}

function describe(value: number): string {
  return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Infinity' : '-Infinity';
}

/** The first value that is NaN or infinite, or undefined. */
export function firstNonFinite(values: Float32Array): number | undefined {
  // v * 0 is 0 for finite v and NaN for NaN and ±Infinity: four branch-free sums first (twice as fast
  // as testing each value), the search only when one of them is not 0.
  const n = values.length;
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    a += values[i]! * 0;
    b += values[i + 1]! * 0;
    c += values[i + 2]! * 0;
    d += values[i + 3]! * 0;
  }
  for (; i < n; i++) a += values[i]! * 0;
  if (a + b + c + d === 0) return undefined;
  return values.find((v) => v - v !== 0);
}

/** Layers whose output is finite whenever their input is: not checked again after a checked layer. */
const FINITE_IN_FINITE_OUT = [nn.Sigmoid, nn.Tanh, nn.ReLU, nn.Identity];

export function checkLoss(loss: Tensor, step: number): void {
  const bad = firstNonFinite(loss.data);
  if (bad !== undefined) throw new DivergenceError(step, 'the loss', bad);
}

/**
 * Runs `model.forward(x)`, checking the output of every layer of a Sequential (and of the model
 * otherwise): the first one that is not finite is named, with its index as in PyTorch's printout.
 */
export function forwardChecked(model: nn.Module, x: Tensor, step: number): Tensor {
  if (model instanceof nn.Sequential) {
    let inputChecked = false;
    for (const [name, layer] of model.namedChildren()) {
      x = layer.forward(x);
      if (inputChecked && FINITE_IN_FINITE_OUT.some((kind) => layer instanceof kind)) continue;
      inputChecked = true;
      const bad = firstNonFinite(x.data);
      if (bad !== undefined) throw new DivergenceError(step, `the output of layer ${name} (${layer.constructor.name})`, bad);
    }
    return x;
  }
  const out = model.forward(x);
  const bad = firstNonFinite(out.data);
  if (bad !== undefined) throw new DivergenceError(step, `the output of the model (${model.constructor.name})`, bad);
  return out;
}
