// `npm run demo`: runs a sample notebook through the headless runner and says where its report is.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const repoRoot = path.resolve(import.meta.dirname, '..');
const sample = path.join(repoRoot, 'samples', '01-what-batchnorm-does.bnnb');
const outDir = path.join(repoRoot, 'demo-output');
mkdirSync(outDir, { recursive: true });
const executed = path.join(outDir, 'executed.bnnb');
const report = path.join(outDir, 'report.html');
execFileSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'run', sample, '--out', executed, '--html', report], { stdio: 'inherit' });
console.log(`\nThe report is at ${report}\nOpen it in a browser (it works offline): ${pathToFileURL(report).href}`);
