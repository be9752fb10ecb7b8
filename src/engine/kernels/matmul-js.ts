// The 'js' matrix kernel (the tested fallback of wasm/gemm.wat; see matmul.ts): cache-blocked in
// the GotoBLAS style:
// op(B) is packed in column panels of NR = 4 and op(A) in row panels of MR = 4, as float64, into
// reused scratch buffers; a 4×4 register-tile micro-kernel then runs over contiguous memory. The
// transposed variants (NT, TN) only change how the panels are packed, so no transpose is ever
// materialized. Sums are carried in float64 over the whole K dimension and rounded to float32
// once, when stored (a long K is cut into KC-deep slices summed in a float64 buffer).

import type { MatmulKernel } from './matmul';

const MR = 4;
const NR = 4;
/** Target size (in float64 values) of a packed A block and of a packed B block. */
const A_BLOCK = 64 * 1024;
const B_BLOCK = 32 * 1024;
/** Depth of a K slice when K is long (weight gradients: K = batch·positions). */
const KC = 1024;

let packA = new Float64Array(0);
let packB = new Float64Array(0);

function scratchA(n: number): Float64Array {
  if (packA.length < n) packA = new Float64Array(Math.max(n, packA.length * 2));
  return packA;
}

function scratchB(n: number): Float64Array {
  if (packB.length < n) packB = new Float64Array(Math.max(n, packB.length * 2));
  return packB;
}

/**
 * Packs rows i0..i0+mc of op(A) (op(A)[i,k] = A[aOff + i·sai + k·sak]) into panels of MR rows:
 * panel p holds, for each k, its MR values contiguously. Rows past M are zero.
 */
function packRows(A: Float32Array, aOff: number, sai: number, sak: number, i0: number, mc: number, M: number, K: number, out: Float64Array): void {
  const panels = Math.ceil(mc / MR);
  for (let p = 0; p < panels; p++) {
    const base = p * MR * K;
    for (let r = 0; r < MR; r++) {
      const i = i0 + p * MR + r;
      let o = base + r;
      if (i >= M || i >= i0 + mc) {
        for (let k = 0; k < K; k++, o += MR) out[o] = 0;
        continue;
      }
      let src = aOff + i * sai;
      if (sak === 1) {
        for (let k = 0; k < K; k++, o += MR) out[o] = A[src + k];
      } else {
        for (let k = 0; k < K; k++, o += MR, src += sak) out[o] = A[src];
      }
    }
  }
}

/**
 * Packs columns j0..j0+nc of op(B) (op(B)[k,j] = B[bOff + k·sbk + j·sbj]) into panels of NR
 * columns: panel p holds, for each k, its NR values contiguously. Columns past N are zero.
 */
function packCols(B: Float32Array, bOff: number, sbk: number, sbj: number, j0: number, nc: number, N: number, K: number, out: Float64Array): void {
  const panels = Math.ceil(nc / NR);
  for (let p = 0; p < panels; p++) {
    const base = p * NR * K;
    const jp = j0 + p * NR;
    const full = jp + NR <= Math.min(N, j0 + nc);
    if (full && sbj === 1) {
      // Row-major op(B): NR neighbouring values per k.
      let src = bOff + jp;
      for (let k = 0, o = base; k < K; k++, o += NR, src += sbk) {
        out[o] = B[src];
        out[o + 1] = B[src + 1];
        out[o + 2] = B[src + 2];
        out[o + 3] = B[src + 3];
      }
      continue;
    }
    for (let c = 0; c < NR; c++) {
      const j = jp + c;
      let o = base + c;
      if (j >= N || j >= j0 + nc) {
        for (let k = 0; k < K; k++, o += NR) out[o] = 0;
        continue;
      }
      let src = bOff + j * sbj;
      for (let k = 0; k < K; k++, o += NR, src += sbk) out[o] = B[src];
    }
  }
}

/**
 * C[i0.., j0..] (=|+=) packedA · packedB (+ bias[j]) for an mc × nc block. `accumulate` adds to
 * the existing C values; `bias` (per column) is added before rounding.
 */
function macroKernel(Ap: Float64Array, Bp: Float64Array, K: number, i0: number, mc: number, j0: number, nc: number, C: Float32Array | Float64Array, cOff: number, ldc: number, accumulate: boolean, bias: Float32Array | null): void {
  const pm = Math.ceil(mc / MR);
  const pn = Math.ceil(nc / NR);
  for (let pj = 0; pj < pn; pj++) {
    const bb = pj * NR * K;
    const j = j0 + pj * NR;
    const nj = Math.min(NR, j0 + nc - j);
    for (let pi = 0; pi < pm; pi++) {
      const ab = pi * MR * K;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let k = 0, a = ab, b = bb; k < K; k++, a += MR, b += NR) {
        const b0 = Bp[b], b1 = Bp[b + 1], b2 = Bp[b + 2], b3 = Bp[b + 3];
        let av = Ap[a];
        c00 += av * b0; c01 += av * b1; c02 += av * b2; c03 += av * b3;
        av = Ap[a + 1];
        c10 += av * b0; c11 += av * b1; c12 += av * b2; c13 += av * b3;
        av = Ap[a + 2];
        c20 += av * b0; c21 += av * b1; c22 += av * b2; c23 += av * b3;
        av = Ap[a + 3];
        c30 += av * b0; c31 += av * b1; c32 += av * b2; c33 += av * b3;
      }
      if (bias) {
        const d0 = bias[j], d1 = nj > 1 ? bias[j + 1] : 0, d2 = nj > 2 ? bias[j + 2] : 0, d3 = nj > 3 ? bias[j + 3] : 0;
        c00 += d0; c01 += d1; c02 += d2; c03 += d3;
        c10 += d0; c11 += d1; c12 += d2; c13 += d3;
        c20 += d0; c21 += d1; c22 += d2; c23 += d3;
        c30 += d0; c31 += d1; c32 += d2; c33 += d3;
      }
      const i = i0 + pi * MR;
      const ni = Math.min(MR, i0 + mc - i);
      let o = cOff + i * ldc + j;
      if (ni === MR && nj === NR) {
        if (accumulate) {
          C[o] += c00; C[o + 1] += c01; C[o + 2] += c02; C[o + 3] += c03; o += ldc;
          C[o] += c10; C[o + 1] += c11; C[o + 2] += c12; C[o + 3] += c13; o += ldc;
          C[o] += c20; C[o + 1] += c21; C[o + 2] += c22; C[o + 3] += c23; o += ldc;
          C[o] += c30; C[o + 1] += c31; C[o + 2] += c32; C[o + 3] += c33;
        } else {
          C[o] = c00; C[o + 1] = c01; C[o + 2] = c02; C[o + 3] = c03; o += ldc;
          C[o] = c10; C[o + 1] = c11; C[o + 2] = c12; C[o + 3] = c13; o += ldc;
          C[o] = c20; C[o + 1] = c21; C[o + 2] = c22; C[o + 3] = c23; o += ldc;
          C[o] = c30; C[o + 1] = c31; C[o + 2] = c32; C[o + 3] = c33;
        }
        continue;
      }
      // Edge tile: store only the valid part.
      const rows = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
      for (let r = 0; r < ni; r++, o += ldc) {
        for (let c = 0; c < nj; c++) {
          if (accumulate) C[o + c] += rows[r * NR + c];
          else C[o + c] = rows[r * NR + c];
        }
      }
    }
  }
}

/** C (=|+=) op(A)·op(B) (+ bias): float64 sums over all of K, rounded once (see MatmulKernel). */
function gemmJs(
  A: Float32Array, aOff: number, sai: number, sak: number,
  B: Float32Array, bOff: number, sbk: number, sbj: number,
  M: number, K: number, N: number,
  C: Float32Array, cOff: number, ldc: number,
  accumulate: boolean, bias: Float32Array | null,
): void {
  if (K > KC) {
    // K slices summed into a float64 buffer, rounded once at the end.
    const acc = new Float64Array(M * N);
    for (let k0 = 0; k0 < K; k0 += KC) {
      blocked(A, aOff + k0 * sak, sai, sak, B, bOff + k0 * sbk, sbk, sbj, M, Math.min(KC, K - k0), N, acc, 0, N, k0 > 0, null);
    }
    for (let i = 0; i < M; i++) {
      const o = cOff + i * ldc;
      const a = i * N;
      for (let j = 0; j < N; j++) {
        const v = bias ? acc[a + j] + bias[j] : acc[a + j];
        if (accumulate) C[o + j] += v;
        else C[o + j] = v;
      }
    }
    return;
  }
  blocked(A, aOff, sai, sak, B, bOff, sbk, sbj, M, K, N, C, cOff, ldc, accumulate, bias);
}

export const jsMatmul: MatmulKernel = { gemm: gemmJs };

/** The blocked product for one K range (see gemmStrided). */
function blocked(
  A: Float32Array, aOff: number, sai: number, sak: number,
  B: Float32Array, bOff: number, sbk: number, sbj: number,
  M: number, K: number, N: number,
  C: Float32Array | Float64Array, cOff: number, ldc: number,
  accumulate: boolean, bias: Float32Array | null,
): void {
  // Block sizes: a packed block of A (mc·K) and of B (K·nc) stay cache-sized.
  const mc = Math.max(MR, Math.floor(A_BLOCK / K / MR) * MR);
  const nc = Math.max(NR, Math.floor(B_BLOCK / K / NR) * NR);
  const mcEff = Math.min(mc, Math.ceil(M / MR) * MR);
  const ncEff = Math.min(nc, Math.ceil(N / NR) * NR);
  const Ap = scratchA(mcEff * K);
  const Bp = scratchB(ncEff * K);
  const singleA = M <= mc;
  if (singleA) packRows(A, aOff, sai, sak, 0, M, M, K, Ap);
  for (let j0 = 0; j0 < N; j0 += nc) {
    const nb = Math.min(nc, N - j0);
    packCols(B, bOff, sbk, sbj, j0, nb, N, K, Bp);
    for (let i0 = 0; i0 < M; i0 += mc) {
      const mb = Math.min(mc, M - i0);
      if (!singleA) packRows(A, aOff, sai, sak, i0, mb, M, K, Ap);
      macroKernel(Ap, Bp, K, i0, mb, j0, nb, C, cOff, ldc, accumulate, bias);
    }
  }
}
