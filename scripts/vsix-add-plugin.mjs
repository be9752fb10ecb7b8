// Puts node_modules/bnlab-ts-plugin/package.json into the packaged .vsix. VS Code's TypeScript server
// loads plugins by package name from the extension's node_modules/, which vsce leaves out whatever
// .vscodeignore says; the package only points at dist/ts-plugin.js (see scripts/build.mjs).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '..');
const vsix = path.join(repoRoot, 'dist-vsix', 'batchnorm-lab.vsix');
const manifest = readFileSync(path.join(repoRoot, 'node_modules', 'bnlab-ts-plugin', 'package.json'), 'utf8');
// Python's zipfile appends an entry and rewrites the central directory, with no extra npm dependency.
const append = 'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "a", zipfile.ZIP_DEFLATED) as z:\n    if sys.argv[2] not in z.namelist(): z.writestr(sys.argv[2], sys.stdin.read())';
execFileSync('python3', ['-c', append, vsix, 'extension/node_modules/bnlab-ts-plugin/package.json'], { input: manifest });
console.log('added extension/node_modules/bnlab-ts-plugin/package.json (the TypeScript server plugin) to the .vsix');
