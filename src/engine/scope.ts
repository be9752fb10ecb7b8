// `tidy(fn)`: the tensors an op creates while `fn` runs are freed when it returns, except what it
// returns (tensors, or arrays and plain objects holding them), what `keep()` marks, and gradients
// stored in a `.grad` by backward. Their pool storage (storage.ts) goes back to the pool, so a
// training step inside `tidy` reuses the same hot memory every step instead of fresh arrays. Like
// TF.js's tidy: a freed tensor must not be used again (its graph included: call backward inside);
// in debug mode (setStorageDebug) reading its `.data` throws.
import type { Tensor } from './tensor';
import { isPooled, release, scopeAllocations, storageDebug, storageKey } from './storage';

interface Scope {
  tensors: Tensor[];
}

const scopes: Scope[] = [];
const kept = new WeakSet<Tensor>();

/** Called by the Tensor constructor: records `t` in the innermost scope. */
export function track(t: Tensor): void {
  if (scopes.length > 0) scopes[scopes.length - 1].tensors.push(t);
}

/** `t` survives every enclosing tidy scope. Returns `t`. */
export function keep<T extends Tensor>(t: T): T {
  kept.add(t);
  return t;
}

/** True when `x` is a Tensor (duck-typed: this module must not import the class). */
function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'shape' in x && 'gradFn' in x && 'requiresGrad' in x;
}

/** Tensors inside a returned value: a tensor, or arrays and plain objects of them (any depth). */
function collect(value: unknown, out: Set<Tensor>, seen: Set<unknown>): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  if (isTensor(value)) {
    out.add(value);
    if (value.grad) out.add(value.grad);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, out, seen);
}

const FREED = 'this tensor was freed at the end of a tidy() scope; return it from the scope or keep() it to use it afterwards';

const DISPOSED = 'this tensor was disposed (dispose() gave its storage back); it cannot be used any more';

function markFreed(t: Tensor, message = FREED): void {
  (t as { freed: boolean }).freed = true;
  if (storageDebug()) {
    Object.defineProperty(t, 'data', { get: () => { throw new Error(message); }, configurable: true });
  }
}

/**
 * Frees the tensors' storage now, for a caller that knows their last use (a training loop's old
 * gradients, say): like TF.js's dispose. Views of the same storage (reshape, view, detach) lose it
 * too; using a disposed tensor afterwards is an error (reading its `.data` throws in debug mode).
 * Storage the pool did not make (a parameter's, randn's) is left to the GC.
 */
export function dispose(...tensors: Tensor[]): void {
  for (const t of tensors) {
    if (t.freed) continue;
    const data = t.data;
    markFreed(t, DISPOSED);
    if (isPooled(data)) release(data);
  }
}

/** Runs `fn` and frees the tensors it created that it does not return (see the header). */
export function tidy<T>(fn: () => T): T {
  const scope: Scope = { tensors: [] };
  const allocated = new Set<unknown>();
  scopes.push(scope);
  scopeAllocations.push(allocated);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
    scopeAllocations.pop();
  }
  const survivors = new Set<Tensor>();
  collect(result, survivors, new Set());
  // Storage a survivor uses stays, and so do the tensors viewing it; only storage allocated in
  // this scope is released (a view made here of an older tensor's storage leaves it alone).
  const keptStorage = new Set<unknown>();
  for (const t of survivors) keptStorage.add(storageKey(t.data));
  for (const t of scope.tensors) if (kept.has(t) || t.escaped) keptStorage.add(storageKey(t.data));
  const outer = scopes.length > 0 ? scopes[scopes.length - 1] : null;
  const releasing = new Set<Float32Array>();
  const seen = new Set<unknown>();
  for (const t of scope.tensors) {
    if (t.freed) continue;
    const data = t.data;
    const key = storageKey(data);
    if (keptStorage.has(key) || !allocated.has(key)) {
      if (outer) outer.tensors.push(t); // the enclosing scope decides about it
      continue;
    }
    markFreed(t);
    if (!seen.has(key) && isPooled(data)) releasing.add(data);
    seen.add(key);
  }
  // Kept storage from this scope belongs to the enclosing one now.
  if (scopeAllocations.length > 0) {
    const outerAllocated = scopeAllocations[scopeAllocations.length - 1];
    for (const key of allocated) if (keptStorage.has(key)) outerAllocated.add(key);
  }
  for (const d of releasing) release(d);
  return result;
}
