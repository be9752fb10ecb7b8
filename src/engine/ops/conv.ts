// conv2d via im2col: the whole batch is unfolded into one (C·kh·kw, N·OH·OW) matrix so forward
// and both weight/input gradients are large GEMMs, one per group (a group's rows of the unfolded
// matrix, of the weight and of the output are contiguous blocks).
import { Tensor } from '../tensor';
import { shapeToString } from '../shape';
import { gemmNN, gemmNT, gemmTN } from '../kernels/matmul';
import { attach } from './graph';

/** An int (used for both spatial dims) or [h, w]. */
export type Pair = number | readonly [number, number];

function pair(v: Pair, name: string): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= 0)) throw new Error(`conv2d: invalid ${name} ${JSON.stringify(v)}`);
  return p;
}

/** PyTorch's string paddings: 'valid' = none, 'same' = output size of the input (stride 1). */
export type Padding = Pair | 'same' | 'valid';

interface Geometry {
  N: number; C: number; H: number; W: number;
  /** ph, pw: padding before (top, left); the padding after only shows in OH, OW. */
  kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
  OH: number; OW: number;
}

function im2col(x: Float32Array, g: Geometry): Float32Array {
  const { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, OH, OW } = g;
  const L = OH * OW;
  const NL = N * L;
  const cols = new Float32Array(C * kh * kw * NL);
  for (let c = 0; c < C; c++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const row = ((c * kh + ki) * kw + kj) * NL;
        for (let n = 0; n < N; n++) {
          const xBase = (n * C + c) * H * W;
          const cBase = row + n * L;
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * sh - ph + ki * dh;
            const o = cBase + oh * OW;
            if (ih < 0 || ih >= H) continue; // stays zero (padding)
            const xr = xBase + ih * W;
            for (let ow = 0; ow < OW; ow++) {
              const iw = ow * sw - pw + kj * dw;
              if (iw >= 0 && iw < W) cols[o + ow] = x[xr + iw];
            }
          }
        }
      }
    }
  }
  return cols;
}

function col2im(cols: Float32Array, g: Geometry): Float32Array {
  const { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, OH, OW } = g;
  const L = OH * OW;
  const NL = N * L;
  const acc = new Float64Array(N * C * H * W);
  for (let c = 0; c < C; c++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const row = ((c * kh + ki) * kw + kj) * NL;
        for (let n = 0; n < N; n++) {
          const xBase = (n * C + c) * H * W;
          const cBase = row + n * L;
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * sh - ph + ki * dh;
            if (ih < 0 || ih >= H) continue;
            const o = cBase + oh * OW;
            const xr = xBase + ih * W;
            for (let ow = 0; ow < OW; ow++) {
              const iw = ow * sw - pw + kj * dw;
              if (iw >= 0 && iw < W) acc[xr + iw] += cols[o + ow];
            }
          }
        }
      }
    }
  }
  return Float32Array.from(acc);
}

/** Options of F.conv2d. */
export interface Conv2dOptions {
  /** Step of the kernel: an int or [sh, sw] (default 1). */
  stride?: Pair;
  /** Zero padding on each side: an int or [ph, pw], or 'same' / 'valid' (default 0). */
  padding?: Padding;
  /** Spacing between kernel elements: an int or [dh, dw] (default 1). */
  dilation?: Pair;
  /** Input and output channels split into this many groups, each convolved separately. */
  groups?: number;
}

/** PyTorch's checks of the weight and bias against the input's channels and `groups`. */
function checkShapes(input: Tensor, weight: Tensor, bias: Tensor | null, C: number, groups: number): void {
  if (!Number.isInteger(groups) || groups <= 0) throw new Error('non-positive groups is not supported');
  const [O, Cg] = weight.shape;
  const w = shapeToString(weight.shape);
  if (O % groups !== 0) {
    throw new Error(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${w}] instead`);
  }
  if (C !== Cg * groups) {
    throw new Error(`Given groups=${groups}, weight of size ${w}, expected input${shapeToString(input.shape)} to have ${Cg * groups} channels, but got ${C} channels instead`);
  }
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== O)) {
    throw new Error(`Given weight of size ${w}, expected bias to be 1-dimensional with ${O} elements, but got bias of size ${shapeToString(bias.shape)} instead`);
  }
}

/** The geometry of a convolution's output, after PyTorch's checks of its stride, padding and size. */
function convGeometry(N: number, C: number, H: number, W: number, kh: number, kw: number, opts: Conv2dOptions): Geometry {
  const [sh, sw] = pair(opts.stride ?? 1, 'stride');
  const [dh, dw] = pair(opts.dilation ?? 1, 'dilation');
  if (sh < 1 || sw < 1) throw new Error('non-positive stride is not supported');
  const ekh = dh * (kh - 1) + 1;
  const ekw = dw * (kw - 1) + 1;
  const padding = opts.padding ?? 0;
  let ph: number, pw: number, padH: number, padW: number; // before, and total over both sides
  if (padding === 'same') {
    if (sh !== 1 || sw !== 1) throw new Error("padding='same' is not supported for strided convolutions");
    // Like PyTorch, an odd total puts the extra row/column after (bottom, right).
    padH = ekh - 1;
    padW = ekw - 1;
    ph = Math.floor(padH / 2);
    pw = Math.floor(padW / 2);
  } else {
    [ph, pw] = padding === 'valid' ? [0, 0] : pair(padding, 'padding');
    padH = 2 * ph;
    padW = 2 * pw;
  }
  if (H + padH < ekh || W + padW < ekw) {
    throw new Error(`Calculated padded input size per channel: (${H + padH} x ${W + padW}). Kernel size: (${ekh} x ${ekw}). Kernel size can't be greater than actual input size`);
  }
  const OH = Math.floor((H + padH - ekh) / sh) + 1;
  const OW = Math.floor((W + padW - ekw) / sw) + 1;
  return { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, OH, OW };
}

/** The GEMM's (O, N·L) result as (N, O, L), plus the bias of each output channel. */
function fromGemmLayout(outT: Float32Array, bd: Float32Array | null, N: number, O: number, L: number): Float32Array {
  const NL = N * L;
  const out = new Float32Array(N * O * L);
  for (let o = 0; o < O; o++) {
    const bo = bd ? bd[o] : 0;
    for (let n = 0; n < N; n++) {
      const src = o * NL + n * L;
      const dst = (n * O + o) * L;
      for (let l = 0; l < L; l++) out[dst + l] = outT[src + l] + bo;
    }
  }
  return out;
}

/** F.conv2d: input (N, C, H, W) or unbatched (C, H, W), weight (O, C / groups, kh, kw), bias (O) → (N, O, H_out, W_out). */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  const unbatched = input.shape.length === 3;
  if (input.shape.length !== 3 && input.shape.length !== 4) {
    throw new Error(`Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${shapeToString(input.shape)}`);
  }
  if (weight.shape.length !== 4) throw new Error(`conv2d: weight must be 4-D (out, in, kh, kw), got ${shapeToString(weight.shape)}`);
  const xShape = unbatched ? [1, ...input.shape] : input.shape;
  const [N, C, H, W] = xShape;
  const [O, Cg, kh, kw] = weight.shape;
  const groups = opts.groups ?? 1;
  checkShapes(input, weight, bias, C, groups);
  const Og = O / groups;
  const geo = convGeometry(N, C, H, W, kh, kw, opts);
  const { OH, OW } = geo;
  const L = OH * OW;
  const NL = N * L;
  const CKK = C * kh * kw;
  const GKK = Cg * kh * kw; // one group's rows of the unfolded input
  const cols = im2col(input.data, geo);
  const outT = new Float32Array(O * NL); // (O, N·L)
  for (let g = 0; g < groups; g++) gemmNN(weight.data, cols, Og, GKK, NL, outT, g * Og * NL, g * Og * GKK, g * GKK * NL);
  const out = fromGemmLayout(outT, bias ? bias.data : null, N, O, L);
  const outShape = unbatched ? [O, OH, OW] : [N, O, OH, OW];
  return attach(new Tensor(out, outShape), 'ConvolutionBackward', [input, weight, bias], (g) => {
    // Back to the (O, N·L) layout of the forward GEMM.
    const gT = new Float32Array(O * NL);
    for (let o = 0; o < O; o++) {
      for (let n = 0; n < N; n++) gT.set(g.subarray((n * O + o) * L, (n * O + o + 1) * L), o * NL + n * L);
    }
    let gx: Float32Array | null = null;
    if (input.requiresGrad) {
      const gcols = new Float32Array(CKK * NL);
      for (let g = 0; g < groups; g++) gemmTN(weight.data, gT, GKK, Og, NL, gcols, g * GKK * NL, g * Og * GKK, g * Og * NL);
      gx = col2im(gcols, geo);
    }
    let gw: Float32Array | null = null;
    if (weight.requiresGrad) {
      const gwAll = new Float32Array(O * GKK);
      for (let g = 0; g < groups; g++) gemmNT(gT, cols, Og, NL, GKK, gwAll, g * Og * GKK, g * Og * NL, g * GKK * NL);
      gw = gwAll;
    }
    let gb: Float32Array | null = null;
    if (bias && bias.requiresGrad) {
      gb = new Float32Array(O);
      for (let o = 0; o < O; o++) {
        let s = 0;
        for (let j = 0; j < NL; j++) s += gT[o * NL + j];
        gb[o] = s;
      }
    }
    return [gx, gw, gb];
  });
}
