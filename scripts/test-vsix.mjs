// Checks that the packaged .vsix works like the development build: unpacks it and runs the sample
// notebook's integration test with the extension loaded from the unpacked package. Run after
// `npm run package` (and `npm run build` for the test bundle).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '..');
const vsix = path.join(repoRoot, 'dist-vsix', 'batchnorm-lab.vsix');
if (!existsSync(vsix)) throw new Error(`no ${path.relative(repoRoot, vsix)}: run npm run package first`);

const unpacked = await mkdtemp(path.join(os.tmpdir(), 'bnlab-vsix-'));
try {
  // A .vsix is a zip; Python's zipfile module unpacks it without another dependency.
  execFileSync('python3', ['-m', 'zipfile', '-e', vsix, unpacked], { stdio: 'inherit' });
  // Sample 01, and the TypeScript cells' language features (the server plugin must be in the package).
  for (const [grep, label] of [['sample 01', 'vsix'], ['TypeScript cells: completions', 'vsix-language']]) {
    execFileSync(
      process.execPath,
      [path.join(repoRoot, 'scripts', 'test-integration.mjs'), '--extension-path', path.join(unpacked, 'extension'), '--grep', grep, '--label', label],
      { stdio: 'inherit' },
    );
  }
} finally {
  await rm(unpacked, { recursive: true, force: true });
}
