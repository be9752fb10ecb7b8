// `npm start` (after the build): opens samples/ in a real VS Code with this extension loaded.
// With a desktop `code` on PATH it uses that (--extensionDevelopmentPath); otherwise, or with --web,
// it serves code-server on 127.0.0.1 (port BNLAB_PORT, else 8080, else a free one) until Ctrl+C.
//
// It opens a working copy of samples/ (.bnlab-workspace/samples, gitignored), never the shipped samples:
// runs and saves (VS Code for the Web saves by itself) then change the copy alone. Files already in the
// copy are kept, since they may hold your changes; delete the folder to start afresh.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { freePort, isPortFree, repoRoot, startCodeServer, workbenchUrl } from './code-server.mjs';

const samples = path.join(repoRoot, '.bnlab-workspace', 'samples');
await cp(path.join(repoRoot, 'samples'), samples, { recursive: true, force: false, errorOnExist: false });
console.log(`opening a working copy of the samples: ${path.relative(repoRoot, samples)}/ (the shipped samples/ stay as they are; delete the copy to start afresh)`);
if (!existsSync(path.join(repoRoot, 'dist', 'extension.js'))) {
  console.error('dist/extension.js is missing: run `npm run build` first (npm start does)');
  process.exit(1);
}

const web = process.argv.includes('--web') || process.env.BNLAB_WEB === '1';
const hasCode = !web && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;

if (hasCode) {
  console.log('opening it in desktop VS Code with the extension from this repo');
  const child = spawn('code', ['--new-window', `--extensionDevelopmentPath=${repoRoot}`, samples], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  let port = Number(process.env.BNLAB_PORT ?? 8080);
  if (!(await isPortFree(port))) {
    const wanted = port;
    port = await freePort();
    console.log(`port ${wanted} is taken; using ${port}`);
  }
  const server = await startCodeServer({ folder: samples, port });
  // code-server has no --extensionDevelopmentPath flag: the workbench URL carries it.
  const url = workbenchUrl({ url: server.url, folder: samples, extensionDevelopmentPath: repoRoot });
  console.log(`\nBatchNorm Lab in VS Code (code-server) is ready. Open in a browser on this machine:\n\n  ${url}\n`);
  console.log('Press Ctrl+C to stop.');
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
