/** The datasets that the build puts next to the kernel bundle (dist/data/), read once per worker. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Datasets } from '../experiments/experiment';
import { bytesDatasets } from './dataset-bytes';

/** Node: from the data folder on disk. */
export function fileDatasets(dataDir: string): Datasets {
  return bytesDatasets((name) => readFile(path.join(dataDir, name)).then((bytes) => new Uint8Array(bytes)));
}
