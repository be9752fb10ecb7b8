/** The lab's datasets from the bytes of their files (dist/data/<name>), however a platform reads them. */
import { data } from '../engine';
import type { Datasets } from '../experiments/experiment';

export function bytesDatasets(read: (name: string) => Promise<Uint8Array>): Datasets {
  let mnist: Promise<data.MnistDataset> | undefined;
  return {
    mnist: () => (mnist ??= read('mnist.bin').then((bytes) => data.mnist.fromBytes(bytes))),
  };
}
