// Reverse-mode autodiff. Each op result records a GradFn (its inputs and a closure that maps the
// output gradient to input gradients); backward() walks the graph once in reverse topological
// order. Gradients are raw Float32Arrays internally, wrapped in Tensors only on leaves.
import type { Tensor } from './tensor';
import { isPooled, release, storageKey } from './storage';

export interface GradFn {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** One gradient per input (null when that input needs none). May alias `grad`. */
  backward(grad: Float32Array): (Float32Array | null)[];
  /**
   * True when every gradient `backward` returns is a fresh array nobody else holds: the walk may
   * then keep it as a leaf's .grad or accumulate into it without copying.
   */
  readonly freshGrads?: boolean;
}

let gradEnabled = true;

/** True unless inside noGrad() or after setGradEnabled(false). Like torch.is_grad_enabled. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Turns recording of the autograd graph on or off globally. Like torch.set_grad_enabled. */
export function setGradEnabled(enabled: boolean): void {
  gradEnabled = enabled;
}

/** Runs `fn` without recording the autograd graph and returns its result (like `with torch.no_grad():`). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** True when an op over `inputs` must record a GradFn. */
export function needsGrad(...inputs: (Tensor | null | undefined)[]): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (t && t.requiresGrad) return true;
  return false;
}

/** Reverse topological order (root first) of every tensor reachable through grad fns. */
function topoOrder(root: Tensor): Tensor[] {
  const post: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  // Iterative DFS: deep graphs (long training unrolls) must not overflow the JS stack.
  const stack: { t: Tensor; i: number }[] = [{ t: root, i: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top.t.gradFn ? top.t.gradFn.inputs : [];
    if (top.i < inputs.length) {
      const next = inputs[top.i++];
      if (next.requiresGrad && !seen.has(next)) {
        seen.add(next);
        stack.push({ t: next, i: 0 });
      }
    } else {
      post.push(top.t);
      stack.pop();
    }
  }
  return post.reverse();
}

export function runBackward(root: Tensor, rootGrad: Float32Array, wrap: (g: Float32Array, like: Tensor) => Tensor): void {
  const order = topoOrder(root);
  // `owned` marks buffers we allocated and may add into; others may alias a caller's array.
  const grads = new Map<Tensor, { g: Float32Array; owned: boolean }>();
  grads.set(root, { g: rootGrad, owned: false });
  for (const t of order) {
    const entry = grads.get(t);
    if (!entry) continue;
    grads.delete(t); // free memory as we go
    const g = entry.g;
    if (t.gradFn === null || t.retainsGrad) {
      if (t.grad === null) {
        t.grad = wrap(entry.owned ? g : g.slice(), t);
      } else {
        const acc = t.grad.data;
        for (let i = 0; i < acc.length; i++) acc[i] += g[i];
      }
    }
    if (t.gradFn === null) continue;
    const fn = t.gradFn;
    const inputGrads = fn.backward(g);
    // g is consumed: its pool storage goes back unless something still holds it (a .grad, a
    // gradient that aliases it).
    const stored = t.gradFn === null || t.retainsGrad;
    if (entry.owned && !stored && isPooled(g) && !inputGrads.some((gi) => gi !== null && storageKey(gi) === storageKey(g))) release(g);
    for (let k = 0; k < fn.inputs.length; k++) {
      const inp = fn.inputs[k];
      const gi = inputGrads[k];
      if (!gi || !inp.requiresGrad) continue;
      if (gi.length !== inp.data.length) {
        throw new Error(`internal: ${fn.name} returned a gradient of size ${gi.length} for an input of size ${inp.data.length}`);
      }
      const prev = grads.get(inp);
      if (!prev) {
        // Owned: fresh, and not handed to another input too.
        const shared = inputGrads.some((other, j) => j !== k && other === gi);
        grads.set(inp, { g: gi, owned: fn.freshGrads === true && gi !== g && !shared });
      } else {
        let acc = prev.g;
        if (!prev.owned) {
          acc = acc.slice();
          prev.g = acc;
          prev.owned = true;
        }
        for (let i = 0; i < acc.length; i++) acc[i] += gi[i];
      }
    }
  }
}
