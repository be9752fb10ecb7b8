// Tensor storage with known lifetimes: a size-class pool of Float32Arrays. A fresh typed array
// costs more than the kernel that fills it when its memory is cold (V8 frees dead typed arrays only
// when a scavenge runs, so a new one lands on memory last touched tens of MB ago); a released one
// comes back hot. Only storage whose end the engine knows is released: gradient buffers inside a
// backward walk once consumed (autograd.ts), the tensors of a `tidy` scope and those given to
// `dispose` (scope.ts).
//
// Arrays below POOL_MIN values are not pooled (V8 allocates small typed arrays cheaply). Classes
// are quarter steps between powers of two; a class keeps at most CLASS_CAP free buffers and the
// pool at most POOL_CAP bytes, so its size is bounded whatever the workload. `allocate` returns zeros, like
// `new Float32Array(n)`, unless the caller says it overwrites every value.
//
// Debug mode (`setStorageDebug(true)`): released buffers are filled with NaN, so a stale raw
// reference shows NaN, and a tensor freed by a scope throws on `.data` (scope.ts).

const POOL_MIN = 1024;
const CLASS_CAP = 32;
const POOL_CAP = 64 * 1024 * 1024;

const free = new Map<number, ArrayBuffer[]>();
/** Buffers made by the pool (only these are ever released into it). */
const made = new WeakSet<ArrayBuffer>();
/** Buffers currently in a free list (a second release would hand one buffer to two tensors). */
const idle = new WeakSet<ArrayBuffer>();
let pooledBytes = 0;
let reused = 0;
let created = 0;
let debug = false;

/** The buffers allocated while each `tidy` scope runs (innermost last; scope.ts pushes and pops). */
export const scopeAllocations: Set<ArrayBuffer>[] = [];

/** n values' size class: a power of two or 1¼, 1½, 1¾ times one (at most 25% unused: a weight gradient of 784 × 100 takes 320 KB, not 512). */
function classBytes(n: number): number {
  const bytes = 4 * n;
  const power = 2 ** Math.floor(Math.log2(bytes));
  const quarter = power / 4;
  return power + quarter * Math.ceil((bytes - power) / quarter);
}

/**
 * n zeros, from the pool when a buffer of n's class is free. `zeroed = false` is for a caller that
 * writes every value itself (a reused buffer then keeps old values, NaN in debug mode).
 */
export function allocate(n: number, zeroed = true): Float32Array {
  if (n < POOL_MIN) return new Float32Array(n);
  const bytes = classBytes(n);
  const list = free.get(bytes);
  let buffer = list?.pop();
  if (buffer) {
    idle.delete(buffer);
    pooledBytes -= bytes;
    reused++;
    const a = new Float32Array(buffer, 0, n);
    if (zeroed) a.fill(0);
    if (scopeAllocations.length > 0) scopeAllocations[scopeAllocations.length - 1].add(buffer);
    return a;
  }
  buffer = new ArrayBuffer(bytes);
  made.add(buffer);
  created++;
  if (scopeAllocations.length > 0) scopeAllocations[scopeAllocations.length - 1].add(buffer);
  return new Float32Array(buffer, 0, n);
}

/** True when `a` is pool storage that is in use (so `release(a)` would take it). */
export function isPooled(a: Float32Array): boolean {
  return a.byteOffset === 0 && made.has(a.buffer as ArrayBuffer) && !idle.has(a.buffer as ArrayBuffer);
}

/**
 * Gives `a`'s buffer back to the pool: the caller guarantees nothing reads or writes it any more
 * (any view of the same buffer included). Arrays the pool did not make are left to the GC.
 */
export function release(a: Float32Array): void {
  if (!isPooled(a)) return;
  const buffer = a.buffer as ArrayBuffer;
  const bytes = buffer.byteLength;
  if (debug) new Float32Array(buffer).fill(NaN);
  idle.add(buffer);
  let list = free.get(bytes);
  if (!list) free.set(bytes, (list = []));
  if (list.length >= CLASS_CAP || pooledBytes + bytes > POOL_CAP) return; // dropped: the GC takes it
  list.push(buffer);
  pooledBytes += bytes;
}

export interface StorageStats {
  /** Bytes waiting in the free lists. */
  pooledBytes: number;
  /** Allocations served from a free list / by a new buffer. */
  reused: number;
  created: number;
}

export function storageStats(): StorageStats {
  return { pooledBytes, reused, created };
}

/** Debug mode: released storage is poisoned (NaN) and reading a freed tensor throws. */
export function setStorageDebug(on: boolean): void {
  debug = on;
}

export function storageDebug(): boolean {
  return debug;
}
