/** Reads the datasets that the build puts next to the kernel bundle (dist/data/), once per worker. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { data } from '../engine';
import type { Datasets } from '../experiments/experiment';

export function fileDatasets(dataDir: string): Datasets {
  let mnist: Promise<data.MnistDataset> | undefined;
  return {
    mnist: () => (mnist ??= readFile(path.join(dataDir, 'mnist.bin')).then((bytes) => data.mnist.fromBytes(new Uint8Array(bytes)))),
  };
}
