// The last step of `npm run package`: prints the .vsix's size and its largest entries (compressed, as they
// count in the download), and fails when it is at or over the budget.
//
// Usage: node scripts/vsix-size.mjs [path/to.vsix]
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The package must stay under this many bytes (issue 17: "under 5 MB"; MB as vsce counts them, 2^20 bytes). */
export const BUDGET_BYTES = 5 * 2 ** 20;

/** The entries of a zip file from its central directory: name, compressed and uncompressed sizes. */
export function zipEntries(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory record: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65_557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip file (no end of central directory)');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const entries = [];
  for (let k = 0; k < count; k++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error(`zip: bad central directory entry ${k}`);
    const compressed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const name = Buffer.from(bytes.subarray(at + 46, at + 46 + nameLength)).toString('utf8');
    entries.push({ name, compressed, size });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(2)} MB`;

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const file = process.argv[2] ?? path.join(import.meta.dirname, '..', 'dist-vsix', 'batchnorm-lab.vsix');
  const bytes = new Uint8Array(readFileSync(file));
  const entries = zipEntries(bytes).sort((a, b) => b.compressed - a.compressed);
  console.log(`${path.relative(process.cwd(), file)}: ${mb(bytes.length)} (${bytes.length} bytes, ${entries.length} files; budget ${mb(BUDGET_BYTES)})`);
  for (const entry of entries.slice(0, 8)) console.log(`  ${mb(entry.compressed).padStart(9)}  ${entry.name} (${mb(entry.size)} uncompressed)`);
  if (bytes.length >= BUDGET_BYTES) {
    console.error(`the .vsix is ${mb(bytes.length)}: at or over the budget of ${mb(BUDGET_BYTES)} (scripts/vsix-size.mjs)`);
    process.exitCode = 1;
  }
}
