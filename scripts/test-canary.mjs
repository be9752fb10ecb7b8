// Proves that the real-VS-Code suite catches a broken renderer: loads a copy of the extension whose
// renderer draws nothing (the subtle break: an empty box, no exception) and succeeds only if the
// notebook test then fails. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '..');
const copy = await mkdtemp(path.join(os.tmpdir(), 'bnlab-canary-'));
try {
  for (const entry of ['package.json', 'dist', 'syntaxes']) await cp(path.join(repoRoot, entry), path.join(copy, entry), { recursive: true });
  await writeFile(
    path.join(copy, 'dist', 'renderer.js'),
    '// Broken on purpose by scripts/test-canary.mjs: renders nothing and reports nothing.\n' +
      'export const activate = () => ({ renderOutputItem() {}, disposeOutputItem() {} });\n',
  );
  execFileSync(
    process.execPath,
    [path.join(repoRoot, 'scripts', 'test-integration.mjs'), '--extension-path', copy, '--expect-failure', '--grep', 'renderer draws'],
    // The suite waits this long for the renderer's report; no need for the full wait here.
    { stdio: 'inherit', env: { ...process.env, BNLAB_RENDER_TIMEOUT_MS: '10000' } },
  );
} finally {
  await rm(copy, { recursive: true, force: true });
}
