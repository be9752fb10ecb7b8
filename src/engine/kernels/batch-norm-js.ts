// The 'js' batch-norm passes (kernels/batch-norm.ts describes the family; ops/batch-norm.ts calls
// them block by block, with the per-channel coefficients computed in between).
//
// They run channel block by channel block: for each block (4 channels of (N, C) input, or
// 1 channel of (N, C, S)) the statistics pass is followed at once by the output pass, while the
// block's data is still in cache (L1 for a 4-column strip of (N, C), L2 for a channel of
// (N, C, S)), and likewise Σdy, Σdy·x̂ then dx in the backward pass. Memory sees one read of x
// in the forward pass and one read of (dy, x) in the backward pass instead of two.
//
// For S = 1 the kernels walk 4 channels at a time down all N rows, keeping the channels'
// accumulators and coefficients in locals; for S > 1 the contiguous runs of S values are unrolled
// with independent accumulators. Every intermediate is a float64 JS number; only the stored outputs
// are rounded to float32. The statistics are one-pass over data shifted by x₀, an average of a few
// of the channel's values (shiftEstimate): var = mean((x − x₀)²) − mean(x − x₀)². As x₀ lies within
// the data, (x₀ − mean)² ≤ N·var, so the cancellation costs at most a relative 1e-16·N:
// 1e4 + 0.01·noise stays exact.

/** s1[c], s2[c] = Σ(x − sh[c]), Σ(x − sh[c])² over channel c of (N, C, S), for c in [c0, c1). */
export function channelSums(x: Float32Array, N: number, C: number, S: number, c0: number, c1: number, sh: Float64Array, s1: Float64Array, s2: Float64Array): void {
  if (S === 1) {
    const end = N * C;
    let c = c0;
    for (; c + 3 < c1; c += 4) {
      const m0 = sh[c], m1 = sh[c + 1], m2 = sh[c + 2], m3 = sh[c + 3];
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
      for (let o = c; o < end; o += C) {
        const d0 = x[o] - m0, d1 = x[o + 1] - m1, d2 = x[o + 2] - m2, d3 = x[o + 3] - m3;
        a0 += d0;
        a1 += d1;
        a2 += d2;
        a3 += d3;
        q0 += d0 * d0;
        q1 += d1 * d1;
        q2 += d2 * d2;
        q3 += d3 * d3;
      }
      s1[c] = a0; s1[c + 1] = a1; s1[c + 2] = a2; s1[c + 3] = a3;
      s2[c] = q0; s2[c + 1] = q1; s2[c + 2] = q2; s2[c + 3] = q3;
    }
    for (; c < c1; c++) {
      const m = sh[c];
      let a = 0, q = 0;
      for (let o = c; o < end; o += C) {
        const d = x[o] - m;
        a += d;
        q += d * d;
      }
      s1[c] = a;
      s2[c] = q;
    }
    return;
  }
  for (let c = c0; c < c1; c++) {
    const m = sh[c];
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * S;
      const end = base + S;
      let j = base;
      for (; j + 3 < end; j += 4) {
        const d0 = x[j] - m, d1 = x[j + 1] - m, d2 = x[j + 2] - m, d3 = x[j + 3] - m;
        a0 += d0;
        a1 += d1;
        a2 += d2;
        a3 += d3;
        q0 += d0 * d0;
        q1 += d1 * d1;
        q2 += d2 * d2;
        q3 += d3 * d3;
      }
      for (; j < end; j++) {
        const d = x[j] - m;
        a0 += d;
        q0 += d * d;
      }
    }
    s1[c] = a0 + a1 + (a2 + a3);
    s2[c] = q0 + q1 + (q2 + q3);
  }
}

/** out = x·k[c] + b[c] over channels [c0, c1) of (N, C, S), in float64 before the final rounding. */
export function channelAffine(out: Float32Array, x: Float32Array, N: number, C: number, S: number, c0: number, c1: number, k: Float64Array, b: Float64Array): void {
  if (S === 1) {
    const end = N * C;
    let c = c0;
    for (; c + 3 < c1; c += 4) {
      const k0 = k[c], k1 = k[c + 1], k2 = k[c + 2], k3 = k[c + 3];
      const b0 = b[c], b1 = b[c + 1], b2 = b[c + 2], b3 = b[c + 3];
      for (let o = c; o < end; o += C) {
        out[o] = x[o] * k0 + b0;
        out[o + 1] = x[o + 1] * k1 + b1;
        out[o + 2] = x[o + 2] * k2 + b2;
        out[o + 3] = x[o + 3] * k3 + b3;
      }
    }
    for (; c < c1; c++) {
      const kc = k[c], bc = b[c];
      for (let o = c; o < end; o += C) out[o] = x[o] * kc + bc;
    }
    return;
  }
  for (let c = c0; c < c1; c++) {
    const kc = k[c], bc = b[c];
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * S;
      const end = base + S;
      let j = base;
      for (; j + 3 < end; j += 4) {
        out[j] = x[j] * kc + bc;
        out[j + 1] = x[j + 1] * kc + bc;
        out[j + 2] = x[j + 2] * kc + bc;
        out[j + 3] = x[j + 3] * kc + bc;
      }
      for (; j < end; j++) out[j] = x[j] * kc + bc;
    }
  }
}

/** Σdy and Σdy·(x − m[c]) over channels [c0, c1) of (N, C, S), float64. */
export function channelGradSums(g: Float32Array, x: Float32Array, N: number, C: number, S: number, c0: number, c1: number, m: Float64Array, sumDy: Float64Array, sumDyXc: Float64Array): void {
  if (S === 1) {
    const end = N * C;
    let c = c0;
    for (; c + 3 < c1; c += 4) {
      const m0 = m[c], m1 = m[c + 1], m2 = m[c + 2], m3 = m[c + 3];
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
      for (let o = c; o < end; o += C) {
        const g0 = g[o], g1 = g[o + 1], g2 = g[o + 2], g3 = g[o + 3];
        a0 += g0;
        a1 += g1;
        a2 += g2;
        a3 += g3;
        q0 += g0 * (x[o] - m0);
        q1 += g1 * (x[o + 1] - m1);
        q2 += g2 * (x[o + 2] - m2);
        q3 += g3 * (x[o + 3] - m3);
      }
      sumDy[c] = a0; sumDy[c + 1] = a1; sumDy[c + 2] = a2; sumDy[c + 3] = a3;
      sumDyXc[c] = q0; sumDyXc[c + 1] = q1; sumDyXc[c + 2] = q2; sumDyXc[c + 3] = q3;
    }
    for (; c < c1; c++) {
      const mc = m[c];
      let a = 0, q = 0;
      for (let o = c; o < end; o += C) {
        a += g[o];
        q += g[o] * (x[o] - mc);
      }
      sumDy[c] = a;
      sumDyXc[c] = q;
    }
    return;
  }
  for (let c = c0; c < c1; c++) {
    const mc = m[c];
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * S;
      const end = base + S;
      let j = base;
      for (; j + 3 < end; j += 4) {
        const g0 = g[j], g1 = g[j + 1], g2 = g[j + 2], g3 = g[j + 3];
        a0 += g0;
        a1 += g1;
        a2 += g2;
        a3 += g3;
        q0 += g0 * (x[j] - mc);
        q1 += g1 * (x[j + 1] - mc);
        q2 += g2 * (x[j + 2] - mc);
        q3 += g3 * (x[j + 3] - mc);
      }
      for (; j < end; j++) {
        a0 += g[j];
        q0 += g[j] * (x[j] - mc);
      }
    }
    sumDy[c] = a0 + a1 + (a2 + a3);
    sumDyXc[c] = q0 + q1 + (q2 + q3);
  }
}

/** out = dy·k[c] + x·e[c] + d[c] over channels [c0, c1) of (N, C, S). */
export function channelGradInput(out: Float32Array, g: Float32Array, x: Float32Array, N: number, C: number, S: number, c0: number, c1: number, k: Float64Array, e: Float64Array, d: Float64Array): void {
  if (S === 1) {
    const end = N * C;
    let c = c0;
    for (; c + 3 < c1; c += 4) {
      const k0 = k[c], k1 = k[c + 1], k2 = k[c + 2], k3 = k[c + 3];
      const e0 = e[c], e1 = e[c + 1], e2 = e[c + 2], e3 = e[c + 3];
      const d0 = d[c], d1 = d[c + 1], d2 = d[c + 2], d3 = d[c + 3];
      for (let o = c; o < end; o += C) {
        out[o] = g[o] * k0 + x[o] * e0 + d0;
        out[o + 1] = g[o + 1] * k1 + x[o + 1] * e1 + d1;
        out[o + 2] = g[o + 2] * k2 + x[o + 2] * e2 + d2;
        out[o + 3] = g[o + 3] * k3 + x[o + 3] * e3 + d3;
      }
    }
    for (; c < c1; c++) {
      const kc = k[c], ec = e[c], dc = d[c];
      for (let o = c; o < end; o += C) out[o] = g[o] * kc + x[o] * ec + dc;
    }
    return;
  }
  for (let c = c0; c < c1; c++) {
    const kc = k[c], ec = e[c], dc = d[c];
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * S;
      const end = base + S;
      let j = base;
      for (; j + 3 < end; j += 4) {
        out[j] = g[j] * kc + x[j] * ec + dc;
        out[j + 1] = g[j + 1] * kc + x[j + 1] * ec + dc;
        out[j + 2] = g[j + 2] * kc + x[j + 2] * ec + dc;
        out[j + 3] = g[j + 3] * kc + x[j + 3] * ec + dc;
      }
      for (; j < end; j++) out[j] = g[j] * kc + x[j] * ec + dc;
    }
  }
}

/** Channels per fused block: a 4-wide column strip of (N, C), or one channel of (N, C, S). */
export function channelBlock(S: number): number {
  return S === 1 ? 4 : 1;
}
