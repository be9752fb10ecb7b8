/**
 * Turns on WebAssembly relaxed SIMD in Node 20, whose V8 (11.3) still has it behind a flag; it is
 * standard and on by default in newer V8, in VS Code's Electron and in browsers. With it, the
 * engine's matrix kernel uses fused multiply-adds (src/engine/wasm/gemm.ts). V8 flags are per
 * process and read when a module is validated, so this runs first in every Node entry that runs
 * the engine, before the engine compiles its modules. (The test scripts pass the same flag,
 * `--experimental-wasm-relaxed-simd`, on node's command line.)
 */
import { setFlagsFromString } from 'node:v8';

/** `(func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd …))`, assembled with wabt. */
const PROBE = Uint8Array.from([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
]);

const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
if (!wasm.validate(PROBE)) setFlagsFromString('--experimental-wasm-relaxed-simd');
