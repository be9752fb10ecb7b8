// Tensor storage with known lifetimes. A fresh typed array costs more than the kernel that fills
// it when its memory is cold (V8 frees dead typed arrays only when a scavenge runs, so a new one
// lands on memory last touched tens of MB ago); a released one comes back hot. Only storage whose
// end the engine knows is released: gradient buffers inside a backward walk once consumed
// (autograd.ts), the tensors of a `tidy` scope and those given to `dispose` (scope.ts).
//
// Where it can, storage lives in the engine's WebAssembly memory (wasm/memory.ts), where the
// kernels read and write it in place. Storage whose end is not known is given back when its
// Float32Array is collected (a FinalizationRegistry; its callbacks run only between tasks, never
// inside a synchronous training loop), so it goes there only while the memory holds less than
// HEAP_UNSCOPED_BYTES: the rest stays for scopes' storage and the kernels' scratch. What does not fit
// there comes from a size-class pool of ordinary ArrayBuffers, the same way.
//
// Arrays below POOL_MIN values are ordinary arrays (V8 allocates small typed arrays cheaply). Pool
// classes are quarter steps between powers of two; a class keeps at most CLASS_CAP free buffers and
// the pool at most POOL_CAP bytes, so its size is bounded whatever the workload. `allocate` returns
// zeros, like `new Float32Array(n)`, unless the caller says it overwrites every value.
//
// Debug mode (`setStorageDebug(true)`): released storage is filled with NaN, so a stale raw
// reference shows NaN, and a tensor freed by a scope throws on `.data` (scope.ts).
import { engineHeap, type Heap } from './wasm/memory';

const POOL_MIN = 1024;
const CLASS_CAP = 32;
const POOL_CAP = 64 * 1024 * 1024;
/**
 * Storage allocated outside any scope goes to the engine's memory while its live blocks stay under
 * this many bytes (pages once touched stay in the process: a loop without tidy must not leave
 * hundreds of MB resident; beyond this its storage is the GC's, as before)...
 */
const HEAP_UNSCOPED_BYTES = 16 * 1024 * 1024;
/**
 * ...and storage allocated in a scope while they stay under this many (and half the memory: the
 * rest is the kernels' scratch). A scope's tensor that survives it and is dropped later (a `.grad`
 * that zeroGrad replaces without `dispose`) waits for the GC, so this bounds what such a loop keeps.
 */
const HEAP_TENSOR_BYTES = 256 * 1024 * 1024;

const free = new Map<number, ArrayBuffer[]>();
/** Buffers made by the pool (only these are ever released into it). */
const made = new WeakSet<ArrayBuffer>();
/** Buffers currently in a free list (a second release would hand one buffer to two tensors). */
const idle = new WeakSet<ArrayBuffer>();
let pooledBytes = 0;
let reused = 0;
let created = 0;
let debug = false;

/** The engine's memory once the first pooled allocation has reserved it (null: none; no views of it exist before). */
let heap: Heap | null = null;
let heapTried = false;
/** Gives a heap block back when the Float32Array handed out for it is collected without a release. */
let collected: FinalizationRegistry<number> | null = null;

/** Reserves the engine's memory at the first allocation that could use it (a host that only imports the engine reserves nothing). */
function reserveHeap(): Heap | null {
  heapTried = true;
  if (typeof FinalizationRegistry !== 'function') return null;
  const h = engineHeap();
  if (h) {
    collected = new FinalizationRegistry<number>((offset) => h.release(offset));
    heap = h;
  }
  return heap;
}

/** The storage identity of each allocation made while a `tidy` scope runs (innermost last; scope.ts pushes and pops). */
export const scopeAllocations: Set<unknown>[] = [];

/**
 * What identifies `a`'s storage: two arrays with the same key share it (a view of a tensor holds
 * the same array). A block of the engine's memory is its offset; other storage is its ArrayBuffer.
 */
export function storageKey(a: Float32Array): unknown {
  return heap !== null && heap.holds(a) ? a.byteOffset : a.buffer;
}

/** True when `a` lives in the engine's WebAssembly memory (the kernels use it in place). */
export function isResident(a: Float32Array): boolean {
  return heap !== null && heap.holds(a);
}

/** n values' size class: a power of two or 1¼, 1½, 1¾ times one (at most 25% unused: a weight gradient of 784 × 100 takes 320 KB, not 512). */
function classBytes(n: number): number {
  const bytes = 4 * n;
  const power = 2 ** Math.floor(Math.log2(bytes));
  const quarter = power / 4;
  return power + quarter * Math.ceil((bytes - power) / quarter);
}

function recordInScope(key: unknown): void {
  if (scopeAllocations.length > 0) scopeAllocations[scopeAllocations.length - 1].add(key);
}

/**
 * n zeros: from the engine's memory when it has room, else from the pool. `zeroed = false` is for a
 * caller that writes every value itself (reused storage then keeps old values, NaN in debug mode).
 */
export function allocate(n: number, zeroed = true): Float32Array {
  if (n < POOL_MIN) return new Float32Array(n);
  if (!heapTried) reserveHeap();
  if (heap !== null) {
    const limit = scopeAllocations.length > 0 ? Math.min(HEAP_TENSOR_BYTES, heap.bytes / 2) : HEAP_UNSCOPED_BYTES;
    const before = heap.reusedBlocks;
    const offset = heap.alloc(4 * n, limit);
    if (offset >= 0) {
      const a = new Float32Array(heap.buffer, offset, n);
      collected!.register(a, offset, a);
      if (heap.reusedBlocks > before) reused++;
      else created++;
      if (zeroed) a.fill(0);
      recordInScope(offset);
      return a;
    }
  }
  const bytes = classBytes(n);
  const list = free.get(bytes);
  let buffer = list?.pop();
  if (buffer) {
    idle.delete(buffer);
    pooledBytes -= bytes;
    reused++;
    const a = new Float32Array(buffer, 0, n);
    if (zeroed) a.fill(0);
    recordInScope(buffer);
    return a;
  }
  buffer = new ArrayBuffer(bytes);
  made.add(buffer);
  created++;
  recordInScope(buffer);
  return new Float32Array(buffer, 0, n);
}

/**
 * n zeros for storage that lives on with no known end (a parameter, an optimizer's state): in the
 * engine's memory when it has room (reclaimed when the array is collected), never tied to a scope.
 */
export function allocateLasting(n: number): Float32Array {
  if (!heapTried) reserveHeap();
  if (n < POOL_MIN || heap === null) return new Float32Array(n);
  const offset = heap.alloc(4 * n, HEAP_UNSCOPED_BYTES);
  if (offset < 0) return new Float32Array(n);
  const a = new Float32Array(heap.buffer, offset, n);
  collected!.register(a, offset, a);
  return a.fill(0);
}

/** True when `a` is storage `allocate` made that is in use (so `release(a)` would take it). */
export function isPooled(a: Float32Array): boolean {
  if (heap !== null && heap.holds(a)) return heap.isLive(a.byteOffset);
  return a.byteOffset === 0 && made.has(a.buffer as ArrayBuffer) && !idle.has(a.buffer as ArrayBuffer);
}

/**
 * Gives `a`'s storage back: the caller guarantees nothing reads or writes it any more (any view of
 * the same storage included). `a` must be the array `allocate` returned (a tensor's `.data`);
 * anything else, and a second release, is ignored.
 */
export function release(a: Float32Array): void {
  if (heap !== null && heap.holds(a)) {
    if (!collected!.unregister(a)) return; // not an array allocate handed out, or released already
    if (debug) a.fill(NaN);
    heap.release(a.byteOffset);
    return;
  }
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
  /** Bytes waiting in the pool's free lists. */
  pooledBytes: number;
  /** Bytes in use in the engine's WebAssembly memory (tensor storage and the kernels' scratch). */
  residentBytes: number;
  /** Allocations served from a free list / by new storage. */
  reused: number;
  created: number;
}

export function storageStats(): StorageStats {
  return { pooledBytes, residentBytes: heap?.used ?? 0, reused, created };
}

/** Debug mode: released storage is poisoned (NaN) and reading a freed tensor throws. */
export function setStorageDebug(on: boolean): void {
  debug = on;
}

export function storageDebug(): boolean {
  return debug;
}
