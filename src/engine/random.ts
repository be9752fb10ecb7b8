// Seeded randomness. xoshiro128** is a small, well-specified 32-bit PRNG: it only needs integer
// ops (Math.imul, shifts), so the same seed gives the same stream on every JS engine and CPU.
// Normal samples use Box-Muller in float64 and are rounded to float32 once at the end.

/** splitmix32 step: spreads a seed over the 128-bit xoshiro state (all-zero state is invalid). */
function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let t = state.x ^ (state.x >>> 16);
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  t ^= t >>> 15;
  return t >>> 0;
}

const TWO_PI = 2 * Math.PI;

/** A seeded random number generator (xoshiro128**): a seed gives the same stream on every machine, though not the stream of PyTorch's generator: new Generator(seed = 0). Like torch.Generator. */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private seedValue = 0;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Re-seeds this generator and returns it; any safe integer (|seed| ≤ 2^53 − 1) is accepted. Like torch.Generator.manual_seed. */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed)) throw new Error(`seed must be a safe integer, got ${seed}`);
    this.seedValue = seed;
    // Fold both 32-bit halves so seeds that differ only above 2^32 still differ.
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    const st = { x: lo ^ Math.imul(hi, 0x85ebca6b) ^ (hi >>> 13) };
    this.s0 = splitmix32(st) | 0;
    this.s1 = splitmix32(st) | 0;
    this.s2 = splitmix32(st) | 0;
    this.s3 = splitmix32(st) | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    return this;
  }

  /** The seed last set. Like torch.Generator.initial_seed(). */
  initialSeed(): number {
    return this.seedValue;
  }

  /** Snapshot of the state, to replay a stream exactly. */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.seedValue];
  }

  /** Restores a state taken by getState(); returns this. */
  setState(state: readonly number[]): this {
    if (state.length !== 5) throw new Error('invalid generator state');
    [this.s0, this.s1, this.s2, this.s3, this.seedValue] = state;
    return this;
  }

  /** Next uint32 (xoshiro128**). */
  nextUint32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat64(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [0, 1) with 24 random bits: exactly representable in float32. */
  nextFloat32(): number {
    return (this.nextUint32() >>> 8) / 16777216;
  }

  /** Integer uniform in [0, n). Uses rejection so every value is equally likely. */
  nextInt(n: number): number {
    if (!(n > 0 && n <= 4294967296)) throw new Error(`nextInt bound out of range: ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Fills `out` with float32 samples of U[low, high). */
  fillUniform(out: Float32Array, low = 0, high = 1): Float32Array {
    const span = high - low;
    for (let i = 0; i < out.length; i++) {
      let v = Math.fround(low + span * this.nextFloat32());
      if (v >= high && high > low) v = Math.fround(low); // rounding must not reach the open end
      out[i] = v;
    }
    return out;
  }

  /** Fills `out` with float32 samples of N(mean, std^2), Box-Muller in float64. */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    const n = out.length;
    for (let i = 0; i < n; i += 2) {
      const u1 = 1 - this.nextFloat64(); // (0, 1]: log is finite
      const u2 = this.nextFloat64();
      const r = Math.sqrt(-2 * Math.log(u1));
      out[i] = mean + std * r * Math.cos(TWO_PI * u2);
      if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(TWO_PI * u2);
    }
    return out;
  }

  /** Fisher-Yates permutation of 0..n-1. */
  randperm(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The global generator, used whenever no explicit generator is passed. */
export const defaultGenerator = new Generator(0);

/** Seeds the global generator (like torch.manual_seed) and returns it. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}

export function resolveGenerator(g: Generator | undefined | null): Generator {
  return g ?? defaultGenerator;
}
