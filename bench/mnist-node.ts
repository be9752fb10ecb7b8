// Node-side helper for the bench: runs the MNIST build step (scripts/build-mnist.mjs, a no-op when
// up to date) and reads its cached output, node_modules/.cache/batchnorm-lab/mnist.bin, which is the
// same file as dist/data/mnist.bin but is never deleted by a concurrent `npm run build`.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { data } from '../src/engine/index';

// BNLAB_ROOT: set by bench/index.ts for the bundled runners, whose __dirname is a temp directory.
const root = process.env.BNLAB_ROOT ?? resolve(__dirname, '..');

interface BuildMnistModule {
  buildMnist(opts?: { root?: string; out?: string | null; cacheDir?: string; force?: boolean; log?: (m: string) => void }): Promise<{ out: string | null; cached: string; converted: boolean; copied: boolean }>;
}

/** The build-mnist module, imported by URL so TypeScript does not need its types. */
export async function buildMnistModule(): Promise<BuildMnistModule> {
  const url = pathToFileURL(resolve(root, 'scripts', 'build-mnist.mjs')).href;
  return (await import(url)) as BuildMnistModule;
}

/** Path of an up-to-date mnist.bin (converting first if needed). */
export async function mnistPath(): Promise<string> {
  return (await (await buildMnistModule()).buildMnist({ root, out: null })).cached;
}

export async function loadMnist(): Promise<data.mnist.MnistDataset> {
  return data.mnist.fromBytes(new Uint8Array(readFileSync(await mnistPath())));
}
