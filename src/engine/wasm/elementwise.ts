// Host side of the WebAssembly element-wise kernels (elementwise.wat): the SGD update, sigmoid,
// activation gradients and column sums. Operands are copied into the module's memory (one
// typed-array copy each), the kernel runs there, and the results are copied back in place. The
// copies are plain memcpy (~0.1 ns a value); the 'js' loops they replace cost ~1 ns a value in V8,
// so this pays from a few thousand values up.
import type { Activation, ElementwiseKernels, SgdStep } from '../kernels/elementwise';
import { jsElementwise } from '../kernels/elementwise-js';
import { WASM_BASE64 } from './elementwise.generated';
import { WasmKernels } from './runtime';

interface ElementwiseWasm {
  sgd(p: number, g: number, buf: number, n: number, lr: number, wd: number, mu: number, damp: number, flags: number): void;
  activation_backward(op: number, g: number, y: number, out: number, n: number): void;
  sigmoid(x: number, out: number, n: number): void;
  column_sums(src: number, R: number, C: number, acc: number, out: number): void;
}

const ACTIVATION_OP: Record<Activation, number> = { sigmoid: 0, tanh: 1, relu: 2 };

/** Below this many values the copies in and out cost more than the 'js' loop saves. */
const ELEMENTWISE_WASM_MIN = 2048;

/** The 'wasm' element-wise kernels, or null when WebAssembly SIMD is unavailable (compiles the module). */
export function createWasmElementwise(): ElementwiseKernels | null {
  const kernels = WasmKernels.load<ElementwiseWasm>(WASM_BASE64);
  if (!kernels) return null;
  return {
    sgd: (p, g, buf, step) => {
      if (p.length < ELEMENTWISE_WASM_MIN) jsElementwise.sgd(p, g, buf, step);
      else sgdWasm(kernels, p, g, buf, step);
    },
    activationBackward: (kind, g, y, gx) => {
      if (g.length < ELEMENTWISE_WASM_MIN) jsElementwise.activationBackward(kind, g, y, gx);
      else activationBackwardWasm(kernels, ACTIVATION_OP[kind], g, y, gx);
    },
    sigmoid: (x, y) => {
      if (x.length < ELEMENTWISE_WASM_MIN) jsElementwise.sigmoid(x, y);
      else sigmoidWasm(kernels, x, y);
    },
    columnSums: (src, R, C) =>
      src.length < ELEMENTWISE_WASM_MIN || C % 2 === 1 ? jsElementwise.columnSums(src, R, C) : columnSumsWasm(kernels, src, R, C),
  };
}

// Bit flags of the `sgd` kernel (see elementwise.wat).
const SGD_MAXIMIZE = 1;
const SGD_WEIGHT_DECAY = 2;
const SGD_MOMENTUM = 4;
const SGD_FIRST_STEP = 8;
const SGD_NESTEROV = 16;

const align16 = (bytes: number): number => (bytes + 15) & ~15;

/** The SGD update of one parameter in place (and of its momentum buffer when `buf` is given). */
function sgdWasm(kernels: WasmKernels<ElementwiseWasm>, p: Float32Array, g: Float32Array, buf: Float32Array | null, s: SgdStep): void {
  const n = p.length;
  if (s.momentum === 0) buf = null;
  const flags = (s.maximize ? SGD_MAXIMIZE : 0) | (s.weightDecay !== 0 ? SGD_WEIGHT_DECAY : 0) |
    (buf ? SGD_MOMENTUM : 0) | (buf && s.firstStep ? SGD_FIRST_STEP : 0) | (buf && s.nesterov ? SGD_NESTEROV : 0);
  const pP = 0;
  const pG = align16(n * 4);
  const pBuf = pG + align16(n * 4);
  const f32 = kernels.ensure(pBuf + (buf ? n * 4 : 0));
  f32.set(p, pP >> 2);
  f32.set(g, pG >> 2);
  // The first step writes the buffer without reading it.
  if (buf && !(flags & SGD_FIRST_STEP)) f32.set(buf, pBuf >> 2);
  kernels.exports.sgd(pP, pG, pBuf, n, s.lr, s.weightDecay, s.momentum, s.dampFactor, flags);
  p.set(f32.subarray(pP >> 2, (pP >> 2) + n));
  if (buf) buf.set(f32.subarray(pBuf >> 2, (pBuf >> 2) + n));
}

/** gx = f'(dy, y) (see elementwise.wat); dx is written over the copy of dy, then copied out. */
function activationBackwardWasm(kernels: WasmKernels<ElementwiseWasm>, op: number, g: Float32Array, y: Float32Array, gx: Float32Array): void {
  const n = g.length;
  const pG = 0;
  const pY = align16(n * 4);
  const f32 = kernels.ensure(pY + n * 4);
  f32.set(g, pG >> 2);
  f32.set(y, pY >> 2);
  kernels.exports.activation_backward(op, pG, pY, pG, n);
  gx.set(f32.subarray(pG >> 2, (pG >> 2) + n));
}

/** y = σ(x) (see elementwise.wat), computed in place over the copy of x (one float of room past it for an odd n). */
function sigmoidWasm(kernels: WasmKernels<ElementwiseWasm>, x: Float32Array, y: Float32Array): void {
  const n = x.length;
  const f32 = kernels.ensure(align16((n + 1) * 4));
  f32.set(x, 0);
  kernels.exports.sigmoid(0, 0, n);
  y.set(f32.subarray(0, n));
}

/** Σ over rows per column (see elementwise.wat), for an even number of columns C. */
function columnSumsWasm(kernels: WasmKernels<ElementwiseWasm>, src: Float32Array, R: number, C: number): Float32Array {
  const pAcc = align16(R * C * 4);
  const pOut = pAcc + C * 8;
  const f32 = kernels.ensure(pOut + C * 4);
  f32.set(src.length === R * C ? src : src.subarray(0, R * C), 0);
  kernels.exports.column_sums(0, R, C, pAcc, pOut);
  return f32.slice(pOut >> 2, (pOut >> 2) + C);
}
