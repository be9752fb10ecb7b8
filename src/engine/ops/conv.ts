// conv2d via im2col: the whole batch is unfolded into one (C·kh·kw, N·OH·OW) matrix so forward
// and both weight/input gradients are single large GEMMs.
import { Tensor } from '../tensor';
import { shapeToString } from '../shape';
import { gemmNN, gemmNT, gemmTN } from './gemm';
import { attach } from './graph';

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

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
}

/** F.conv2d for groups = 1. Input (N, C, H, W) or unbatched (C, H, W); weight (O, C, kh, kw). */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  const unbatched = input.shape.length === 3;
  if (input.shape.length !== 3 && input.shape.length !== 4) {
    throw new Error(`Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${shapeToString(input.shape)}`);
  }
  if (weight.shape.length !== 4) throw new Error(`conv2d: weight must be 4-D (out, in, kh, kw), got ${shapeToString(weight.shape)}`);
  const xShape = unbatched ? [1, ...input.shape] : input.shape;
  const [N, C, H, W] = xShape;
  const [O, Cw, kh, kw] = weight.shape;
  if (C !== Cw) {
    throw new Error(`Given groups=1, weight of size ${shapeToString(weight.shape)}, expected input${shapeToString(input.shape)} to have ${Cw} channels, but got ${C} channels instead`);
  }
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== O)) throw new Error(`conv2d: bias must have shape [${O}], got ${shapeToString(bias.shape)}`);
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
  const geo: Geometry = { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, OH, OW };
  const L = OH * OW;
  const NL = N * L;
  const CKK = C * kh * kw;
  const cols = im2col(input.data, geo);
  const outT = gemmNN(weight.data, cols, O, CKK, NL); // (O, N·L)
  const out = new Float32Array(N * O * L);
  const bd = bias ? bias.data : null;
  for (let o = 0; o < O; o++) {
    const bo = bd ? bd[o] : 0;
    for (let n = 0; n < N; n++) {
      const src = o * NL + n * L;
      const dst = (n * O + o) * L;
      for (let l = 0; l < L; l++) out[dst + l] = outT[src + l] + bo;
    }
  }
  const outShape = unbatched ? [O, OH, OW] : [N, O, OH, OW];
  return attach(new Tensor(out, outShape), 'ConvolutionBackward', [input, weight, bias], (g) => {
    // Back to the (O, N·L) layout of the forward GEMM.
    const gT = new Float32Array(O * NL);
    for (let o = 0; o < O; o++) {
      for (let n = 0; n < N; n++) gT.set(g.subarray((n * O + o) * L, (n * O + o + 1) * L), o * NL + n * L);
    }
    const gx = input.requiresGrad ? col2im(gemmTN(weight.data, gT, CKK, O, NL), geo) : null;
    const gw = weight.requiresGrad ? gemmNT(gT, cols, O, NL, CKK) : null;
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

/** F.max_pool2d (no padding/dilation); the gradient goes to the first maximum of each window. */
export function maxPool2d(input: Tensor, kernelSize: Pair, stride?: Pair | null): Tensor {
  if (input.shape.length !== 4 && input.shape.length !== 3) {
    throw new Error(`max_pool2d: Expected 3D or 4D (batch mode) tensor for input, got ${shapeToString(input.shape)}`);
  }
  const [kh, kw] = pair(kernelSize, 'kernel_size');
  const [sh, sw] = pair(stride ?? kernelSize, 'stride');
  const s = input.shape;
  const H = s[s.length - 2];
  const W = s[s.length - 1];
  const planes = input.data.length / (H * W);
  const OH = Math.floor((H - kh) / sh) + 1;
  const OW = Math.floor((W - kw) / sw) + 1;
  if (OH < 1 || OW < 1) throw new Error(`max_pool2d: output size is too small for input ${shapeToString(s)}`);
  const x = input.data;
  const out = new Float32Array(planes * OH * OW);
  const arg = new Int32Array(out.length);
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let best = -Infinity;
        let bi = -1;
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            const idx = p * H * W + (oh * sh + i) * W + ow * sw + j;
            const v = x[idx];
            if (v > best || bi < 0 || v !== v) {
              best = v;
              bi = idx;
              if (v !== v) break;
            }
          }
        }
        const o = (p * OH + oh) * OW + ow;
        out[o] = best;
        arg[o] = bi;
      }
    }
  }
  const outShape = [...s.slice(0, -2), OH, OW];
  return attach(new Tensor(out, outShape), 'MaxPool2DWithIndicesBackward', [input], (g) => {
    const gx = new Float32Array(x.length);
    for (let o = 0; o < g.length; o++) gx[arg[o]] += g[o];
    return [gx];
  });
}
