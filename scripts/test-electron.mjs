// The standard @vscode/test-electron runner, for machines with internet and a desktop (or xvfb-run):
// downloads VS Code 1.100.3 into .vscode-test/ and runs dist/test/integration/index.js in it.
// Offline, CI and this repo's default use scripts/test-integration.mjs (code-server) instead.
//   npm run build && node scripts/test-electron.mjs
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const extensionTestsPath = path.join(repoRoot, 'dist', 'test', 'integration', 'index.js');
if (!existsSync(extensionTestsPath)) {
  console.error('dist/test/integration/index.js is missing: run `npm run build` first');
  process.exit(1);
}

// Same contract as test-integration.mjs: a scratch copy of samples/ and a results file.
const tmp = await mkdtemp(path.join(os.tmpdir(), 'bnlab-electron-'));
const workspace = path.join(tmp, 'workspace');
await cp(path.join(repoRoot, 'samples'), path.join(workspace, 'samples'), { recursive: true });
const resultsFile = path.join(tmp, 'results.json');

let code = 1;
try {
  await runTests({
    version: process.env.BNLAB_VSCODE_VERSION ?? '1.100.3',
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath,
    extensionTestsEnv: { BNLAB_TEST_WORKSPACE: workspace, BNLAB_TEST_RESULTS: resultsFile },
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
  code = 0;
} catch (error) {
  console.error(`integration tests failed: ${error?.message ?? error}`);
}
if (existsSync(resultsFile)) {
  const { passed, failed } = JSON.parse(await readFile(resultsFile, 'utf8'));
  console.log(`integration: ${passed} passed, ${failed} failed`);
  if (passed === 0) code = 1;
} else {
  code = 1;
}
await rm(tmp, { recursive: true, force: true });
process.exit(code);
