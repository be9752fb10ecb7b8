// Host side of the WebAssembly element-wise kernels (elementwise.wat): the SGD update, sigmoid,
// activation gradients and column sums. Operands in the engine's memory are used in place; others
// are copied into the module's scratch (one typed-array copy each) and results copied back. The
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
      else activationBackwardWasm(kernels, kind, g, y, gx);
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

/** The SGD update of one parameter in place (and of its momentum buffer when `buf` is given). */
function sgdWasm(kernels: WasmKernels<ElementwiseWasm>, p: Float32Array, g: Float32Array, buf: Float32Array | null, s: SgdStep): void {
  const n = p.length;
  if (s.momentum === 0) buf = null;
  const flags = (s.maximize ? SGD_MAXIMIZE : 0) | (s.weightDecay !== 0 ? SGD_WEIGHT_DECAY : 0) |
    (buf ? SGD_MOMENTUM : 0) | (buf && s.firstStep ? SGD_FIRST_STEP : 0) | (buf && s.nesterov ? SGD_NESTEROV : 0);
  // The first step writes the buffer without reading it.
  const operands = [{ a: p, n, copyIn: true }, { a: g, n, copyIn: true }];
  if (buf) operands.push({ a: buf, n, copyIn: !(flags & SGD_FIRST_STEP) });
  const placed = kernels.place(operands, 0);
  if (!placed) return jsElementwise.sgd(p, g, buf, s);
  const [pP, pG, pBuf = 0] = placed.at;
  kernels.exports.sgd(pP, pG, pBuf, n, s.lr, s.weightDecay, s.momentum, s.dampFactor, flags);
  kernels.copyOut(pP, p, n);
  if (buf) kernels.copyOut(pBuf, buf, n);
}

/** gx = f'(dy, y) (see elementwise.wat); gx may be written over dy's copy. */
function activationBackwardWasm(kernels: WasmKernels<ElementwiseWasm>, kind: Activation, g: Float32Array, y: Float32Array, gx: Float32Array): void {
  const n = g.length;
  const placed = kernels.place([{ a: g, n, copyIn: true }, { a: y, n, copyIn: true }, { a: gx, n, copyIn: false }], 0);
  if (!placed) return jsElementwise.activationBackward(kind, g, y, gx);
  const [pG, pY, pX] = placed.at;
  kernels.exports.activation_backward(ACTIVATION_OP[kind], pG, pY, pX, n);
  kernels.copyOut(pX, gx, n);
}

/** y = σ(x) (see elementwise.wat; for an odd n it reads one float past x's end, which every block and scratch slot has room for). */
function sigmoidWasm(kernels: WasmKernels<ElementwiseWasm>, x: Float32Array, y: Float32Array): void {
  const n = x.length;
  const placed = kernels.place([{ a: x, n, copyIn: true }, { a: y, n, copyIn: false }], 0);
  if (!placed) return jsElementwise.sigmoid(x, y);
  const [pX, pY] = placed.at;
  kernels.exports.sigmoid(pX, pY, n);
  kernels.copyOut(pY, y, n);
}

/** Σ over rows per column (see elementwise.wat), for an even number of columns C. */
function columnSumsWasm(kernels: WasmKernels<ElementwiseWasm>, src: Float32Array, R: number, C: number): Float32Array {
  const placed = kernels.place([{ a: src, n: R * C, copyIn: true }], C * 8 + C * 4);
  if (!placed) return jsElementwise.columnSums(src, R, C);
  const pAcc = placed.work;
  const pOut = pAcc + C * 8;
  kernels.exports.column_sums(placed.at[0], R, C, pAcc, pOut);
  return kernels.f32.slice(pOut >> 2, (pOut >> 2) + C);
}
