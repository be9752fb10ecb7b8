// Synchronous instantiation of the engine's embedded WebAssembly modules (base64 in
// `*.generated.ts`, assembled from the `.wat` next to them by scripts/build-wasm.mjs). Pure: no fs,
// no Buffer; works in Node, workers and browsers (the modules are small enough for the
// synchronous `new WebAssembly.Module`).
//
// Each module imports its memory ("env" "memory") and is re-instantiated on a larger fresh memory
// when it needs more room, instead of `memory.grow`: growing detaches the old ArrayBuffer, and the
// first detach in a V8 process invalidates a protector that every optimized typed-array access then
// pays for (measured: the batch-norm kernels ~30% slower after one grow).

/** The part of the WebAssembly JS API used here (the engine is compiled without DOM/Node typings). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => { readonly buffer: ArrayBuffer };
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

const PAGE = 65536;

/** A compiled module, its current instance and its memory seen as float32. */
export class WasmKernels<T> {
  exports: T;
  f32: Float32Array;
  private constructor(private readonly api: WasmApi, private readonly module: object, pages: number) {
    const { exports, f32 } = this.instantiate(pages);
    this.exports = exports;
    this.f32 = f32;
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

  /** Validates and compiles `base64`; null when WebAssembly (or its SIMD) is unavailable. */
  static load<T>(base64: string): WasmKernels<T> | null {
    const api = wasmApi();
    if (!api) return null;
    try {
      const bytes = decodeBase64(base64);
      if (!api.validate(bytes)) return null;
      return new WasmKernels<T>(api, new api.Module(bytes), 16);
    } catch {
      return null;
    }
  }

  private instantiate(pages: number): { exports: T; f32: Float32Array } {
    const memory = new this.api.Memory({ initial: pages });
    const instance = new this.api.Instance(this.module, { env: { memory } });
    return { exports: instance.exports as T, f32: new Float32Array(memory.buffer) };
  }

  /**
   * Makes at least `bytes` addressable (a fresh instance on a larger memory if needed: the old
   * contents are dropped, so call this before writing the operands). Use `exports`/`f32` after it.
   */
  ensure(bytes: number): Float32Array {
    const have = this.f32.length * 4;
    if (bytes > have) {
      const pages = Math.max(Math.ceil(bytes / PAGE), Math.ceil((have * 1.5) / PAGE));
      const { exports, f32 } = this.instantiate(pages);
      this.exports = exports;
      this.f32 = f32;
    }
    return this.f32;
  }
}
