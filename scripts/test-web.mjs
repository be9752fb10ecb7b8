// `npm run test:web` (after `npm run build`): runs dist/test/web/index.js inside the WEB WORKER extension
// host of a real VS Code (code-server 4.100.3 + headless Chromium, offline), the host of vscode.dev and
// github.dev, once without and once with cross-origin isolation (a proxy adding COOP/COEP; see
// coi-proxy.mjs). The extension has both `main` and `browser`; the user setting
// "remote.extensionKind": {"bnlab.batchnorm-lab": ["web"]} moves it from the Node host to the web one.
// The web host has no file system and no environment: the suite's settings and results travel as files of
// the opened workspace (.bnlab-web-test.json, .bnlab-web-results.json), which it reads through workspace.fs.
//
// Options:
//   --isolation <both|none|coi>  which runs (default both)
//   --extension-path <dir>       the extension to load (default the repo)
//   --vsix <file>                unpack this .vsix and load it (with the web test bundle copied in)
//   --grep <pattern>             only the tests whose full title matches
//   --timeout <seconds>          overall limit per run (default 1800)
//   --label <word>               the word before each run's "N passed, N failed" line (default web)
//   --verbose                    also print the workbench's own log
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { format, parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startCoiProxy } from './coi-proxy.mjs';
import { ensureCodeServer, repoRoot, startCodeServer, workbenchUrl } from './code-server.mjs';

const { values: opts } = parseArgs({
  options: {
    isolation: { type: 'string', default: 'both' },
    'extension-path': { type: 'string', default: repoRoot },
    vsix: { type: 'string' },
    grep: { type: 'string' },
    timeout: { type: 'string', default: '1800' },
    label: { type: 'string', default: 'web' },
    verbose: { type: 'boolean', default: false },
  },
});
const EXTENSION_ID = 'bnlab.batchnorm-lab';
const TESTS = path.join('dist', 'test', 'web', 'index.js');
const chromiumPath = process.env.BNLAB_CHROMIUM ?? '/usr/bin/chromium';
const WORKBENCH_NOISE =
  /^(Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin extensions cache|\[Service Worker\]|ChatSessionStore:)|127\.0\.0\.1:9\b/;
const started = Date.now();
const say = (message) => console.log(`[web ${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);

const cleanups = [];
const cleanup = async () => {
  while (cleanups.length) await cleanups.pop()().catch(() => {});
};
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.once(signal, async () => {
    say(`${signal}: stopping`);
    await cleanup();
    process.exit(code);
  });
}

try {
  process.exitCode = await main();
} catch (error) {
  console.log(`[web] error: ${error?.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}

async function main() {
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath} (apt-get install -y chromium, or set BNLAB_CHROMIUM)`);
  const modes = { both: [false, true], none: [false], coi: [true] }[opts.isolation];
  if (!modes) throw new Error(`--isolation must be both, none or coi (got ${opts.isolation})`);
  await ensureCodeServer();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bnlab-web-'));
  cleanups.push(() => rm(tmp, { recursive: true, force: true, maxRetries: 3 }));

  let extensionPath = path.resolve(opts['extension-path']);
  if (opts.vsix) {
    // The packaged extension, unpacked; the test bundle must sit inside the extension's folder to run in the web host.
    const unpacked = path.join(tmp, 'vsix');
    execFileSync('python3', ['-m', 'zipfile', '-e', path.resolve(opts.vsix), unpacked], { stdio: 'inherit' });
    extensionPath = path.join(unpacked, 'extension');
    await mkdir(path.dirname(path.join(extensionPath, TESTS)), { recursive: true });
    await cp(path.join(repoRoot, TESTS), path.join(extensionPath, TESTS));
    say(`extension under test: ${path.basename(opts.vsix)} (unpacked)`);
  }
  const testsPath = path.join(extensionPath, TESTS);
  if (!existsSync(testsPath)) throw new Error(`${testsPath} is missing: run \`npm run build\` first`);

  let failedRuns = 0;
  for (const isolated of modes) {
    const label = `${opts.label} (${isolated ? 'cross-origin isolated' : 'not isolated'})`;
    const { passed, failed, ok } = await runOnce({ tmp, extensionPath, testsPath, isolated });
    console.log(`${label}: ${passed} passed, ${failed} failed`);
    if (!ok) failedRuns++;
  }
  return failedRuns === 0 ? 0 : 1;
}

async function runOnce({ tmp, extensionPath, testsPath, isolated }) {
  const runDir = await mkdtemp(path.join(tmp, isolated ? 'coi-' : 'plain-'));
  const workspace = path.join(runDir, 'workspace');
  await mkdir(workspace);
  await cp(path.join(repoRoot, 'samples'), path.join(workspace, 'samples'), { recursive: true });
  const samples = (await readdir(path.join(workspace, 'samples'))).filter((name) => name.endsWith('.bnnb')).sort();
  await writeFile(path.join(workspace, '.bnlab-web-test.json'), JSON.stringify({ isolated, samples, ...(opts.grep ? { grep: opts.grep } : {}) }));
  const resultsFile = path.join(workspace, '.bnlab-web-results.json');

  const server = await startCodeServer({ folder: workspace, settings: { 'remote.extensionKind': { [EXTENSION_ID]: ['web'] } } });
  const stops = [() => server.stop()];
  const stopAll = async () => {
    while (stops.length) await stops.pop()().catch(() => {});
  };
  cleanups.push(stopAll);
  let front = server;
  if (isolated) {
    const proxy = await startCoiProxy(server.port);
    stops.push(() => proxy.close());
    front = { url: proxy.url };
  }
  say(`code-server ${server.url}${isolated ? `, isolation proxy ${front.url}` : ''}`);

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
  });
  stops.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  let resolveExit;
  const exited = new Promise((resolve) => (resolveExit = resolve));
  await page.exposeFunction('codeAutomationLog', (level, args) => {
    const text = format(...(Array.isArray(args) ? args : [args]));
    if (!opts.verbose && WORKBENCH_NOISE.test(text)) return;
    // The host's own closing line is reprinted by this runner with its label: keep it from counting twice.
    for (const line of text.split('\n')) console.log(`  ${level === 'error' || level === 'warn' ? `[${level}] ` : ''}${/^\s*\d+ passed, \d+ failed/.test(line) ? `(extension host) ${line.trim()}` : line}`);
  });
  await page.exposeFunction('codeAutomationExit', async (code) => resolveExit({ code }));
  page.on('crash', () => resolveExit({ error: 'the workbench page crashed' }));
  if (opts.verbose) page.on('pageerror', (error) => console.log(`  [page error] ${error.message}`));

  await page.goto(workbenchUrl({ url: front.url, folder: workspace, extensionDevelopmentPath: extensionPath, extensionTestsPath: testsPath }));
  say(`workbench open; page crossOriginIsolated = ${await page.evaluate(() => globalThis.crossOriginIsolated)}`);
  let timer;
  const outcome = await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(() => resolve({ error: 'timeout' }), Number(opts.timeout) * 1000)))]);
  clearTimeout(timer);
  if (outcome.error) {
    await mkdir(path.join(repoRoot, 'test-results', 'web'), { recursive: true });
    await page.screenshot({ path: path.join(repoRoot, 'test-results', 'web', `${isolated ? 'coi' : 'plain'}-${outcome.error.replace(/\W+/g, '-')}.png`) }).catch(() => {});
    console.log(`[web] ${outcome.error}`);
  }
  await stopAll();
  cleanups.splice(cleanups.indexOf(stopAll), 1);

  const results = existsSync(resultsFile) ? JSON.parse(await readFile(resultsFile, 'utf8')) : undefined;
  for (const failure of results?.failures ?? []) console.log(`  FAILED ${failure.title}\n    ${failure.message.trim().split('\n').slice(0, 8).join('\n    ')}`);
  const passed = results?.passed ?? 0;
  const failed = results?.failed ?? 0;
  const ok = outcome.code === 0 && results !== undefined && failed === 0 && passed > 0;
  if (outcome.code !== undefined && !results) console.log(`[web] the tests exited with code ${outcome.code} but wrote no results: run() failed before mocha ran?`);
  // A run that never reported (timeout, crash) counts as a failure.
  return { passed, failed: ok ? failed : Math.max(failed, 1), ok };
}
