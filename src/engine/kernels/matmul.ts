// The matrix-product kernel family: one interface, a 'js' implementation (matmul-js.ts, float64
// sums) and a 'wasm' one (wasm/gemm.ts, f32x4, float32 sums), the active one chosen in backend.ts.
// The wrappers below (strided, NN, NT, TN) are what ops call; they handle the empty cases once.
import { activeKernels } from './backend';

/**
 * C[M,N] (=|+=) op(A)·op(B) (+ bias[j] per column), with op(A)[i,k] = A[aOff + i·sai + k·sak],
 * op(B)[k,j] = B[bOff + k·sbk + j·sbj], C row-major from cOff with row stride ldc. M, K, N ≥ 1.
 */
export interface MatmulKernel {
  gemm(
    A: Float32Array, aOff: number, sai: number, sak: number,
    B: Float32Array, bOff: number, sbk: number, sbj: number,
    M: number, K: number, N: number,
    C: Float32Array, cOff: number, ldc: number,
    accumulate: boolean, bias: Float32Array | null,
  ): void;
}

export interface GemmOptions {
  /** Add to C instead of overwriting it (the sum is still rounded once, then added). */
  accumulate?: boolean;
  /** Per-column bias added to every row (length ≥ N): linear's addmm, folded into the product. */
  bias?: Float32Array | null;
}

/** C[M,N] = op(A)·op(B) with explicit strides (see MatmulKernel); returns C. */
export function gemmStrided(
  A: Float32Array, aOff: number, sai: number, sak: number,
  B: Float32Array, bOff: number, sbk: number, sbj: number,
  M: number, K: number, N: number,
  C: Float32Array, cOff: number, ldc: number,
  opts: GemmOptions = {},
): Float32Array {
  const accumulate = opts.accumulate ?? false;
  const bias = opts.bias ?? null;
  if (M === 0 || N === 0) return C;
  if (K === 0) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const v = bias ? bias[j] : 0;
        if (accumulate) C[cOff + i * ldc + j] += v;
        else C[cOff + i * ldc + j] = v;
      }
    }
    return C;
  }
  activeKernels().matmul.gemm(A, aOff, sai, sak, B, bOff, sbk, sbj, M, K, N, C, cOff, ldc, accumulate, bias);
  return C;
}

/** C[M,N] = A[M,K] · B[K,N] */
export function gemmNN(A: Float32Array, B: Float32Array, M: number, K: number, N: number, C: Float32Array = new Float32Array(M * N), cOff = 0, aOff = 0, bOff = 0, opts?: GemmOptions): Float32Array {
  return gemmStrided(A, aOff, K, 1, B, bOff, N, 1, M, K, N, C, cOff, N, opts);
}

/** C[M,N] = A[K,M]ᵀ · B[K,N] */
export function gemmTN(A: Float32Array, B: Float32Array, M: number, K: number, N: number, C: Float32Array = new Float32Array(M * N), cOff = 0, aOff = 0, bOff = 0, opts?: GemmOptions): Float32Array {
  return gemmStrided(A, aOff, 1, M, B, bOff, N, 1, M, K, N, C, cOff, N, opts);
}

/** C[M,N] = A[M,K] · B[N,K]ᵀ */
export function gemmNT(A: Float32Array, B: Float32Array, M: number, K: number, N: number, C: Float32Array = new Float32Array(M * N), cOff = 0, aOff = 0, bOff = 0, opts?: GemmOptions): Float32Array {
  return gemmStrided(A, aOff, K, 1, B, bOff, 1, K, M, K, N, C, cOff, N, opts);
}
