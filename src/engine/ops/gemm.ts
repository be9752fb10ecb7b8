// Matrix-multiply kernels on row-major Float32Arrays. The innermost loop always runs over
// contiguous memory: NN and TN are i-k-j with 4 output rows per pass (each B row loaded once per
// 4 rows), NT is dot products of contiguous rows. Sums are carried in float64 and rounded once.

/**
 * C[M,N] = op(A) · B[K,N], where op(A)[i,k] = A[aOff + i·sai + k·sak]
 * (NN: sai = K, sak = 1; TN: sai = 1, sak = M).
 */
function gemmRowsBlocked(A: Float32Array, sai: number, sak: number, B: Float32Array, M: number, K: number, N: number, C: Float32Array, cOff: number, aOff: number, bOff: number): Float32Array {
  const acc0 = new Float64Array(N);
  const acc1 = new Float64Array(N);
  const acc2 = new Float64Array(N);
  const acc3 = new Float64Array(N);
  let i = 0;
  for (; i + 3 < M; i += 4) {
    acc0.fill(0);
    acc1.fill(0);
    acc2.fill(0);
    acc3.fill(0);
    const r0 = aOff + i * sai;
    for (let k = 0; k < K; k++) {
      const ak = r0 + k * sak;
      const a0 = A[ak];
      const a1 = A[ak + sai];
      const a2 = A[ak + 2 * sai];
      const a3 = A[ak + 3 * sai];
      const bk = bOff + k * N;
      for (let j = 0; j < N; j++) {
        const b = B[bk + j];
        acc0[j] += a0 * b;
        acc1[j] += a1 * b;
        acc2[j] += a2 * b;
        acc3[j] += a3 * b;
      }
    }
    const c0 = cOff + i * N;
    for (let j = 0; j < N; j++) {
      C[c0 + j] = acc0[j];
      C[c0 + N + j] = acc1[j];
      C[c0 + 2 * N + j] = acc2[j];
      C[c0 + 3 * N + j] = acc3[j];
    }
  }
  for (; i < M; i++) {
    acc0.fill(0);
    const r0 = aOff + i * sai;
    for (let k = 0; k < K; k++) {
      const a = A[r0 + k * sak];
      const bk = bOff + k * N;
      for (let j = 0; j < N; j++) acc0[j] += a * B[bk + j];
    }
    const c0 = cOff + i * N;
    for (let j = 0; j < N; j++) C[c0 + j] = acc0[j];
  }
  return C;
}

/** C[M,N] = A[M,K] · B[K,N] */
export function gemmNN(A: Float32Array, B: Float32Array, M: number, K: number, N: number, C = new Float32Array(M * N), cOff = 0, aOff = 0, bOff = 0): Float32Array {
  return gemmRowsBlocked(A, K, 1, B, M, K, N, C, cOff, aOff, bOff);
}

/** C[M,N] = A[K,M]ᵀ · B[K,N] */
export function gemmTN(A: Float32Array, B: Float32Array, M: number, K: number, N: number, C = new Float32Array(M * N), cOff = 0, aOff = 0, bOff = 0): Float32Array {
  return gemmRowsBlocked(A, 1, M, B, M, K, N, C, cOff, aOff, bOff);
}

/** C[M,N] = A[M,K] · B[N,K]ᵀ */
export function gemmNT(A: Float32Array, B: Float32Array, M: number, K: number, N: number, C = new Float32Array(M * N), cOff = 0, aOff = 0, bOff = 0): Float32Array {
  for (let i = 0; i < M; i++) {
    const ai = aOff + i * K;
    const ci = cOff + i * N;
    for (let j = 0; j < N; j++) {
      const bj = bOff + j * K;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let k = 0;
      for (; k + 3 < K; k += 4) {
        s0 += A[ai + k] * B[bj + k];
        s1 += A[ai + k + 1] * B[bj + k + 1];
        s2 += A[ai + k + 2] * B[bj + k + 2];
        s3 += A[ai + k + 3] * B[bj + k + 3];
      }
      for (; k < K; k++) s0 += A[ai + k] * B[bj + k];
      C[ci + j] = s0 + s1 + (s2 + s3);
    }
  }
  return C;
}
