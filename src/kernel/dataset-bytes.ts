/** The lab's datasets from the bytes of their files (dist/data/<name>), however a platform reads them. */
import { data } from '../engine';
import type { Datasets } from '../experiments/experiment';
import { gunzip } from './gunzip';

/** MNIST as the build writes it (scripts/build-mnist.mjs): the engine's binary, gzipped. */
export const MNIST_FILE = 'mnist.bin.gz';

/** Each dataset is read and decompressed on first use, once, then shared by every cell of the worker. */
export function bytesDatasets(read: (name: string) => Promise<Uint8Array>): Datasets {
  let mnist: Promise<data.MnistDataset> | undefined;
  return {
    mnist: () => (mnist ??= read(MNIST_FILE).then(gunzip).then((bytes) => data.mnist.fromBytes(bytes))),
  };
}
