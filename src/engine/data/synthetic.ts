// Small synthetic datasets for experiments, fully determined by the generator's seed.
import { Tensor } from '../tensor';
import { resolveGenerator, type Generator } from '../random';

/** Options of featuresOnScales(). */
export interface FeaturesOnScalesOptions {
  /** Per-feature means (default 0). */
  offsets?: readonly number[];
  /** Generator of the samples (the global one if omitted). */
  generator?: Generator | null;
}

/**
 * (n, C) samples whose feature c is N(offsets[c], scales[c]²): the classic "features on very
 * different scales" input that motivates normalization.
 */
export function featuresOnScales(n: number, scales: readonly number[], opts: FeaturesOnScalesOptions = {}): Tensor {
  const C = scales.length;
  const offsets = opts.offsets ?? [];
  if (offsets.length > 0 && offsets.length !== C) throw new Error(`featuresOnScales: ${offsets.length} offsets for ${C} scales`);
  const g = resolveGenerator(opts.generator);
  const z = g.fillNormal(new Float32Array(n * C));
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) z[i * C + c] = (offsets[c] ?? 0) + scales[c] * z[i * C + c];
  }
  return new Tensor(z, [n, C]);
}

/** Options of gaussianBlobs(). */
export interface BlobsOptions {
  /** Distance of the class centres from the origin. */
  spread?: number;
  /** Per-feature scale applied after sampling (to put features on different scales). */
  scales?: readonly number[];
  /** Generator of the centres, samples and classes (the global one if omitted). */
  generator?: Generator | null;
}

/**
 * `n` points in `dim` dimensions from `classes` Gaussian blobs with random unit-variance centres
 * scaled by `spread`. Returns inputs (n, dim) and class-index targets (n).
 */
export function gaussianBlobs(n: number, dim: number, classes: number, opts: BlobsOptions = {}): { x: Tensor; y: Tensor } {
  const g = resolveGenerator(opts.generator);
  const spread = opts.spread ?? 3;
  const centres = g.fillNormal(new Float32Array(classes * dim), 0, spread);
  const x = g.fillNormal(new Float32Array(n * dim));
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = g.nextInt(classes);
    y[i] = k;
    for (let d = 0; d < dim; d++) {
      const s = opts.scales ? opts.scales[d] ?? 1 : 1;
      x[i * dim + d] = (x[i * dim + d] + centres[k * dim + d]) * s;
    }
  }
  return { x: new Tensor(x, [n, dim]), y: new Tensor(y, [n]) };
}
