/**
 * NoisyBatchNorm: a BatchNorm1d followed by random noise that changes every training step, after
 * Santurkar et al. 2018 ("How Does Batch Normalization Help Optimization?", §2.1, Fig. 2), who inject
 * "time-varying, non-zero mean and non-unit variance" noise after each BatchNorm layer so that the
 * distribution of the next layer's inputs shifts much more than without BatchNorm.
 *
 * Noise law (training mode only; eval mode is the plain BatchNorm1d): at every forward pass t, for every
 * feature j, draw independently
 *
 *   scale  s_tj ~ Uniform(1, maxScale)       (non-unit variance: the feature's std becomes s_tj·γ_j)
 *   shift  m_tj ~ Uniform(−maxShift, maxShift)   (non-zero mean: the feature's mean becomes β_j + m_tj)
 *
 * and output y_ij = s_tj · BN(x)_ij + m_tj for every example i of the batch. The draws come from the
 * module's own seeded Generator, so a run is reproducible; they are constants for autograd.
 *
 * In eval mode the noise is replaced by its expectation, as dropout rescales: y = E[s] · BN(x) + E[m]
 * = ((1 + maxScale) / 2) · BN(x), with BN using its running statistics. (Without this the network, which
 * only ever saw features scaled by 2 on average, would meet features half as large at test time.)
 */
import { add, Generator, mul, nn, tensor, type Tensor } from '../../engine';

export interface NoisyBatchNormOptions {
  /** Largest scale: s ~ U(1, maxScale). 1 means no scale noise. */
  maxScale: number;
  /** Largest shift magnitude: m ~ U(−maxShift, maxShift). 0 means no shift noise. */
  maxShift: number;
  generator: Generator;
}

export class NoisyBatchNorm extends nn.Module {
  declare readonly bn: nn.BatchNorm1d;
  readonly maxScale: number;
  readonly maxShift: number;
  private readonly generator: Generator;
  /** The scale and shift of the last training forward pass (for tests and probes). */
  lastScale: Float32Array | null = null;
  lastShift: Float32Array | null = null;

  constructor(numFeatures: number, options: NoisyBatchNormOptions) {
    super();
    if (!(options.maxScale >= 1)) throw new Error(`maxScale must be at least 1, got ${options.maxScale}`);
    if (!(options.maxShift >= 0)) throw new Error(`maxShift must be at least 0, got ${options.maxShift}`);
    this.registerModule('bn', new nn.BatchNorm1d(numFeatures));
    this.maxScale = options.maxScale;
    this.maxShift = options.maxShift;
    this.generator = options.generator;
  }

  forward(x: Tensor): Tensor {
    const normalized = this.bn.forward(x);
    if (!this.training) return this.maxScale === 1 ? normalized : mul(normalized, (1 + this.maxScale) / 2);
    const c = this.bn.numFeatures;
    const scale = this.generator.fillUniform(new Float32Array(c), 1, this.maxScale);
    const shift = this.generator.fillUniform(new Float32Array(c), -this.maxShift, this.maxShift);
    this.lastScale = scale;
    this.lastShift = shift;
    return add(mul(normalized, tensor(scale, [1, c])), tensor(shift, [1, c]));
  }
}

/**
 * Wraps a layer (or nothing) and keeps a reference to its last training-mode output, so that a probe
 * can summarize the distribution of a layer's output after a step without running the model again.
 */
export class Recorder extends nn.Module {
  declare readonly inner: nn.Module;
  last: Tensor | null = null;

  constructor(inner: nn.Module = new nn.Identity()) {
    super();
    this.registerModule('inner', inner);
  }

  forward(x: Tensor): Tensor {
    const out = this.inner.forward(x);
    if (this.training) this.last = out;
    return out;
  }
}
