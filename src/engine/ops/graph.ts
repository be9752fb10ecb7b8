// Records an op in the autograd graph when any input requires grad and grad mode is on.
import { needsGrad } from '../autograd';
import type { Tensor } from '../tensor';

export type BackwardFn = (g: Float32Array) => (Float32Array | null)[];

/** `freshGrads`: every gradient `backward` returns is newly allocated (see GradFn.freshGrads). */
export function attach(out: Tensor, name: string, inputs: (Tensor | null | undefined)[], backward: BackwardFn, freshGrads = false): Tensor {
  const present = inputs.filter((t): t is Tensor => !!t);
  if (needsGrad(...present)) {
    out.requiresGrad = true;
    if (present.length === inputs.length) {
      out.gradFn = { name, inputs: present, backward, freshGrads };
    } else {
      // Keep the gradient list aligned with the inputs that exist.
      const keep = inputs.map((t) => !!t);
      out.gradFn = {
        name,
        inputs: present,
        backward: (g) => backward(g).filter((_, i) => keep[i]),
        freshGrads,
      };
    }
  }
  return out;
}
