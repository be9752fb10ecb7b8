// A real VS Code (code-server from npm: VS Code server + web workbench) for tests and `npm start`,
// because @vscode/test-electron cannot download a desktop VS Code on this offline machine.
//
//   import { ensureCodeServer, startCodeServer } from './code-server.mjs';
//   node scripts/code-server.mjs install     # install into .vscode-test/ (idempotent)
//   node scripts/code-server.mjs start [dir] # serve a folder until Ctrl+C
//
// code-server is installed on demand into .vscode-test/code-server-<version>/ (gitignored), not as a
// package.json dependency: it is 300 MB and only the integration tests need it. See docs/real-vscode.md.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setInterval, clearInterval } from 'node:timers';
import { fileURLToPath, pathToFileURL, URLSearchParams } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3'; // = VS Code 1.100.3, runs on Node 20
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// BNLAB_CODE_SERVER_DIR can point several clones at one install.
export const installDir = path.resolve(process.env.BNLAB_CODE_SERVER_DIR ?? path.join(repoRoot, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`));
const entryJs = path.join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const marker = path.join(installDir, '.installed');
const installLog = path.join(installDir, 'install.log');

// @vscode/ripgrep's postinstall downloads rg from GitHub unless this tarball is already in its cache
// (os.tmpdir()/vscode-ripgrep-cache-<its version>/ripgrep-<rg version>-<target>.tar.gz, `rg` at the root).
const RIPGREP_PKG_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

const log = (message) => console.log(`[code-server] ${message}`);

/** Installs code-server into .vscode-test/ unless already there; returns the path of its entry.js. */
export async function ensureCodeServer() {
  if (existsSync(marker) && existsSync(entryJs)) return entryJs;
  if (os.platform() !== 'linux' || os.arch() !== 'x64') {
    throw new Error(`code-server install is only scripted for linux-x64 (this is ${os.platform()}-${os.arch()})`);
  }
  // A half-finished install (no marker) is not trusted: start over.
  await rm(installDir, { recursive: true, force: true });
  await mkdir(installDir, { recursive: true });
  await seedRipgrepCache();

  log(`installing code-server@${CODE_SERVER_VERSION} into ${path.relative(repoRoot, installDir)} (about 1 min, 300 MB; log: ${path.relative(repoRoot, installLog)})`);
  const started = Date.now();
  const out = createWriteStream(installLog);
  const child = spawn(
    'npm',
    ['install', '--prefix', installDir, `code-server@${CODE_SERVER_VERSION}`, '--no-audit', '--no-fund', '--no-save', '--loglevel', 'http'],
    { cwd: installDir, env: installEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  const heartbeat = setInterval(() => log(`  still installing… ${Math.round((Date.now() - started) / 1000)} s`), 15_000);
  const code = await new Promise((resolve) => {
    child.on('error', (error) => { out.write(`\nspawn failed: ${error.message}\n`); resolve(-1); });
    child.on('close', resolve);
  });
  clearInterval(heartbeat);
  await new Promise((resolve) => out.end(resolve));

  // npm deletes the whole package when any postinstall fails, so entry.js missing = failed install.
  if (code !== 0 || !existsSync(entryJs)) {
    const text = readFileSync(installLog, 'utf8');
    const tail = text.trimEnd().split('\n').slice(-40).join('\n');
    const hints = [];
    if (/krb5|gssapi/i.test(text)) hints.push('kerberos needs the Debian package libkrb5-dev (apt-get install -y libkrb5-dev)');
    if (/ripgrep|api\.github\.com/i.test(text)) hints.push(`@vscode/ripgrep could not use the seeded ${RIPGREP_ASSET}; is /usr/bin/rg installed (apt-get install -y ripgrep)?`);
    if (/node-gyp|gyp ERR/i.test(text)) hints.push('a native module failed to build: needs python3, make, g++');
    throw new Error(
      `npm install code-server@${CODE_SERVER_VERSION} failed (exit ${code}). Last lines of ${installLog}:\n${tail}` +
        (hints.length ? `\nHints:\n  - ${hints.join('\n  - ')}` : ''),
    );
  }
  await writeFile(marker, `${CODE_SERVER_VERSION}\n`);
  log(`installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return entryJs;
}

function installEnv() {
  const env = { ...process.env };
  // Under `npm run`, npm exports the outer project's settings (prefix, lifecycle, package.*): drop them.
  for (const key of Object.keys(env)) {
    if (/^npm_(package_|lifecycle_|command$|config_(local_)?prefix$|config_global_prefix$)/i.test(key)) delete env[key];
  }
  return {
    ...env,
    npm_config_unsafe_perm: 'true', // as root, postinstall scripts otherwise run without permission to write
    npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`, which must not prompt
    npm_config_update_notifier: 'false',
  };
}

async function seedRipgrepCache() {
  const cacheDir = path.join(os.tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}`);
  const tarball = path.join(cacheDir, RIPGREP_ASSET);
  if (existsSync(tarball)) return;
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
  if (!rg) {
    log('warning: no `rg` on PATH, so @vscode/ripgrep will try to download it (fails offline; apt-get install -y ripgrep)');
    return;
  }
  await mkdir(cacheDir, { recursive: true });
  // -C <dir of rg> rg: the tarball holds just `rg` at its root, like the GitHub release asset.
  const tar = spawnSync('tar', ['-czf', tarball, '-C', path.dirname(rg), path.basename(rg)], { encoding: 'utf8' });
  if (tar.status !== 0) throw new Error(`could not create ${tarball}: ${tar.stderr}`);
  log(`seeded ${tarball} from ${rg}`);
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Is `port` on 127.0.0.1 free to listen on? */
export function isPortFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// A quiet, offline workbench: no welcome page or walkthrough, no update or telemetry traffic.
const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'security.workspace.trust.enabled': false,
};

/**
 * Starts code-server on 127.0.0.1 with throwaway settings, no gallery and no auth.
 * `env` is added to code-server's environment, which the extension host inherits.
 * `settings` are merged into the throwaway user settings.json. With `restricted`, the folder opens in
 * Restricted Mode (workspace trust on, the folder not trusted).
 * Returns { url, port, pid, logFile, stop() }; stop() kills the whole process group.
 */
export async function startCodeServer({ folder, env = {}, port, settings = {}, quiet = true, restricted = false } = {}) {
  const entry = await ensureCodeServer();
  port ??= await freePort();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bnlab-code-server-'));
  const logFile = path.join(tmp, 'code-server.log');
  await writeFile(path.join(tmp, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  await mkdir(path.join(tmp, 'ud', 'User'), { recursive: true });
  // Restricted Mode: workspace trust on, and the folder opened untrusted without asking.
  const trust = restricted
    ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never', 'security.workspace.trust.emptyWindow': false }
    : {};
  await writeFile(path.join(tmp, 'ud', 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...trust, ...settings }, null, 2));
  const args = [
    entry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(restricted ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--config', path.join(tmp, 'config.yaml'),
    '--user-data-dir', path.join(tmp, 'ud'),
    '--extensions-dir', path.join(tmp, 'ext'),
    ...(folder ? [folder] : []),
  ];
  const out = createWriteStream(logFile);
  const child = spawn(process.execPath, args, {
    // detached: own process group, so stop() also ends the extension host and other children.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      // No marketplace: any gallery request fails fast on a dead local port instead of hanging.
      EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item' }),
      XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'),
      XDG_DATA_HOME: path.join(tmp, 'xdg-data'),
      ...env,
    },
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.pipe(out, { end: false });
    if (!quiet) stream.pipe(process.stderr, { end: false });
  }
  let exited = false;
  const exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => { exited = true; resolve(signal ?? code); }));
  const killGroup = (signal) => {
    try { process.kill(-child.pid, signal); } catch { /* already gone */ }
  };
  // Last resort if the caller crashes or forgets stop(): exit handlers must be synchronous.
  const onExit = () => killGroup('SIGKILL');
  process.on('exit', onExit);

  let stopped;
  const stop = () => (stopped ??= (async () => {
    process.off('exit', onExit);
    if (!exited) {
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(timer);
    }
    killGroup('SIGKILL'); // children that outlived the server
    out.end();
    await rm(tmp, { recursive: true, force: true, maxRetries: 3 });
  })());

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
      await stop();
      throw new Error(`code-server exited before it was ready:\n${text.trimEnd().split('\n').slice(-30).join('\n')}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer ${url}/healthz within 60 s (log was ${logFile})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, port, pid: child.pid, logFile, stop };
}

/**
 * The workbench URL that opens `folder` with the extension at `extensionDevelopmentPath` loaded
 * (and, with `extensionTestsPath`, runs those tests in the extension host), like the desktop flags.
 * code-server has no such command-line flags; the web workbench reads them from the `payload` query.
 * The paths are vscode-remote:// URIs whose authority must be the host:port the page is served from.
 */
export function workbenchUrl({ url, folder, extensionDevelopmentPath, extensionTestsPath }) {
  const { host } = new URL(url);
  const remote = (p) => `vscode-remote://${host}${pathToFileURL(path.resolve(p)).pathname}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const query = new URLSearchParams();
  if (folder) query.set('folder', path.resolve(folder));
  if (payload.length) query.set('payload', JSON.stringify(payload));
  return `${url}/?${query}`;
}

// CLI
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, folder] = process.argv.slice(2);
  try {
    if (command === 'install') {
      console.log(await ensureCodeServer());
    } else if (command === 'start') {
      const server = await startCodeServer({ folder: folder && path.resolve(folder), quiet: false });
      log(`ready: ${server.url}  (Ctrl+C to stop)`);
      const stop = async () => { await server.stop(); process.exit(0); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    } else {
      console.error('usage: node scripts/code-server.mjs install | start [folder]');
      process.exit(2);
    }
  } catch (error) {
    console.error(`[code-server] ${error.message}`);
    process.exit(1);
  }
}
