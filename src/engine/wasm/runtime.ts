// Synchronous instantiation of the engine's embedded WebAssembly modules (base64 in
// `*.generated.ts`, assembled from the `.wat` next to them by scripts/build-wasm.mjs). Pure: no fs,
// no Buffer; works in Node, workers and browsers (the modules are small enough for the
// synchronous `new WebAssembly.Module`).
//
// Every module imports the engine's one memory ("env" "memory", wasm/memory.ts), where tensor
// storage lives too: an operand there is used in place, any other is copied into the module's
// scratch block (and a result copied out of it).
import { engineHeap, type Heap } from './memory';

/** The part of the WebAssembly JS API used here (the engine is compiled without DOM/Node typings). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

function wasmApi(): WasmApi | null {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  return api && typeof api.validate === 'function' ? api : null;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (with or without padding) → bytes. */
export function decodeBase64(text: string): Uint8Array {
  const lookup = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) lookup[B64.charCodeAt(i)] = i;
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let acc = 0, bits = 0, o = 0;
  for (let i = 0; i < clean.length; i++) {
    const v = lookup[clean.charCodeAt(i)] ?? -1;
    if (v < 0) throw new Error(`decodeBase64: invalid character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

const align16 = (bytes: number): number => (bytes + 15) & ~15;

/** One operand of a call: `n` values of `a` from `offset`; copied into scratch first when `copyIn` (unless it is resident). */
export interface Operand {
  a: Float32Array;
  offset?: number;
  n: number;
  copyIn: boolean;
}

/** A compiled module's instance on the engine's memory, that memory seen as float32, and the module's scratch block. */
export class WasmKernels<T> {
  readonly exports: T;
  readonly f32: Float32Array;
  private scratchAt = -1;
  private scratchBytes = 0;
  private constructor(api: WasmApi, module: object, readonly heap: Heap) {
    const instance = new api.Instance(module, { env: { memory: heap.memory } });
    this.exports = instance.exports as T;
    this.f32 = heap.f32;
  }

  /** True when this runtime accepts the module (false for SIMD or relaxed SIMD it does not have). */
  static validates(base64: string): boolean {
    const api = wasmApi();
    try {
      return api !== null && api.validate(decodeBase64(base64));
    } catch {
      return false;
    }
  }

  /** Validates and compiles `base64`; null when WebAssembly (or its SIMD, or the engine's memory) is unavailable. */
  static load<T>(base64: string): WasmKernels<T> | null {
    const api = wasmApi();
    const heap = engineHeap();
    if (!api || !heap) return null;
    try {
      const bytes = decodeBase64(base64);
      if (!api.validate(bytes)) return null;
      return new WasmKernels<T>(api, new api.Module(bytes), heap);
    } catch {
      return null;
    }
  }

  /**
   * The byte offset of this module's scratch block, at least `bytes` long (its old contents are
   * dropped when it grows), or -1 when the engine's memory has no room (the caller runs the 'js' kernel).
   */
  scratch(bytes: number): number {
    if (bytes <= this.scratchBytes) return this.scratchAt;
    if (this.scratchAt >= 0) this.heap.release(this.scratchAt);
    const size = Math.max(bytes, Math.ceil(this.scratchBytes * 1.5));
    this.scratchAt = this.heap.alloc(size);
    this.scratchBytes = this.scratchAt >= 0 ? size : 0;
    return this.scratchAt;
  }

  /**
   * Where a call's operands are: a resident one in place, the others in the scratch block (copied in
   * when asked), followed by `workBytes` of work space. Null when the scratch does not fit.
   */
  place(operands: Operand[], workBytes: number): { at: number[]; work: number } | null {
    let bytes = 0;
    for (const o of operands) if (!this.heap.holds(o.a)) bytes += align16(o.n * 4);
    const base = this.scratch(bytes + workBytes);
    if (base < 0) return null;
    let cursor = base;
    const at = operands.map((o) => {
      const offset = o.offset ?? 0;
      if (this.heap.holds(o.a)) return o.a.byteOffset + offset * 4;
      const p = cursor;
      cursor += align16(o.n * 4);
      if (o.copyIn) this.f32.set(offset === 0 && o.n === o.a.length ? o.a : o.a.subarray(offset, offset + o.n), p >> 2);
      return p;
    });
    return { at, work: cursor };
  }

  /** Copies `n` values at byte offset `at` into `a` (from `offset`) unless `a` is resident (then they are there already). */
  copyOut(at: number, a: Float32Array, n: number, offset = 0): void {
    if (this.heap.holds(a)) return;
    a.set(this.f32.subarray(at >> 2, (at >> 2) + n), offset);
  }
}
