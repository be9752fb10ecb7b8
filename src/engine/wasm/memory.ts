// The engine's one WebAssembly memory. Every kernel module is instantiated on it (runtime.ts), and
// tensor storage is allocated in it (storage.ts), so the kernels read their operands and write
// their results in place: no copy into the module's memory and back (a sixth of an MNIST step).
//
// It is never grown: growing detaches its ArrayBuffer, which would empty every Float32Array a
// tensor holds (and, in V8, slows every typed-array access after the first detach). It is reserved
// whole at first use; the OS backs only the pages that are touched. Blocks come from size classes
// (quarter steps between powers of two, like storage.ts's pool) with free lists and a bump pointer;
// an allocation that does not fit returns -1, and the caller falls back (an ordinary array for a
// tensor, the 'js' kernel for scratch).

/** Sizes tried, largest first (a runtime may refuse a large reservation). */
const RESERVATION_MB = [512, 256, 128];
const MB = 1 << 20;
const PAGE = 65536;
/** Every block has at least this many bytes past what was asked: SIMD kernels may read a vector past the end. */
const SLACK = 16;
/** The first 4 KB are never handed out (0 is the kernels' "no pointer", gemm's bias), nor the last 64 KB (a read past the last block stays inside). */
const FIRST = 4096;
const GUARD = 65536;

interface WasmMemoryApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WebAssemblyMemory;
}

export interface WebAssemblyMemory {
  readonly buffer: ArrayBuffer;
}

/** A block's size class: a power of two or 1¼, 1½, 1¾ times one, at least 4 KB (so every block starts on a 1 KB boundary). */
function classBytes(bytes: number): number {
  const b = Math.max(4096, bytes + SLACK);
  const power = 2 ** Math.floor(Math.log2(b));
  const quarter = power / 4;
  return power + quarter * Math.ceil((b - power) / quarter);
}

export class Heap {
  readonly buffer: ArrayBuffer;
  readonly f32: Float32Array;
  readonly bytes: number;
  private top = FIRST;
  private readonly free = new Map<number, number[]>();
  /** Live blocks: start offset → class bytes. */
  private readonly live = new Map<number, number>();
  private liveBytes = 0;
  /** Blocks served from a free list so far (the rest came from the bump pointer). */
  reusedBlocks = 0;

  constructor(readonly memory: WebAssemblyMemory) {
    this.buffer = memory.buffer;
    this.f32 = new Float32Array(this.buffer);
    this.bytes = this.buffer.byteLength - GUARD;
  }

  /**
   * A block of at least `bytes` (plus SLACK), or -1 when it does not fit under `limit` bytes of
   * live blocks (default: the whole memory). A block from a free list keeps its old contents.
   */
  alloc(bytes: number, limit = this.bytes): number {
    let size = classBytes(bytes);
    if (this.liveBytes + size > limit) return -1;
    let offset = this.free.get(size)?.pop();
    if (offset === undefined && this.top + size <= this.bytes) {
      offset = this.top;
      this.top += size;
    } else if (offset === undefined) {
      // The bump region is used up: the smallest free block of a larger class, whole (it goes back to its own class).
      let best = Infinity;
      for (const [s, list] of this.free) if (s > size && s < best && list.length > 0) best = s;
      if (best === Infinity || this.liveBytes + best > limit) return -1;
      size = best;
      offset = this.free.get(best)!.pop()!;
      this.reusedBlocks++;
    } else this.reusedBlocks++;
    this.live.set(offset, size);
    this.liveBytes += size;
    return offset;
  }

  /** Whether `offset` starts a live block. */
  isLive(offset: number): boolean {
    return this.live.has(offset);
  }

  /** Gives the block at `offset` back (nothing may use it afterwards); false when it is not live. */
  release(offset: number): boolean {
    const size = this.live.get(offset);
    if (size === undefined) return false;
    this.live.delete(offset);
    this.liveBytes -= size;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(offset);
    return true;
  }

  /** Bytes in live blocks. */
  get used(): number {
    return this.liveBytes;
  }

  /** True when `a` is a view of this memory. */
  holds(a: ArrayBufferView): boolean {
    return a.buffer === this.buffer;
  }
}

let heap: Heap | null | undefined;

/** The engine's memory (reserved at the first call), or null when this runtime has no WebAssembly or refuses every size. */
export function engineHeap(): Heap | null {
  if (heap !== undefined) return heap;
  heap = null;
  const api = (globalThis as unknown as { WebAssembly?: WasmMemoryApi }).WebAssembly;
  if (!api || typeof api.Memory !== 'function') return heap;
  for (const mb of RESERVATION_MB) {
    try {
      heap = new Heap(new api.Memory({ initial: (mb * MB) / PAGE, maximum: (mb * MB) / PAGE }));
      break;
    } catch {
      // too large for this runtime: try the next size
    }
  }
  return heap;
}
