// `npm run test:integration` (after `npm run build`): runs dist/test/integration/index.js inside a real
// VS Code extension host, offline. code-server (VS Code 1.100 server + web workbench) hosts the extension;
// headless Debian Chromium opens the workbench with the extension-development payload, and the workbench
// reports the tests' output and exit code through window.codeAutomationLog/codeAutomationExit.
// See docs/real-vscode.md.
//
// Options:
//   --extension-path <dir>  load the extension from <dir> instead of the repo (canary runs)
//   --expect-failure        succeed only if the suite fails (proves a broken extension is caught)
//   --grep <pattern>        run only the tests whose full title matches
//   --tests-path <file>     another extensionTestsPath (default dist/test/integration/index.js)
//   --timeout <seconds>     overall limit, a guard against a hung host (default 900: the suite takes 3–5 min, up to 5 on a busy VM)
//   --verbose               also print the workbench's own log and page errors
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format, parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { ensureCodeServer, repoRoot, startCodeServer, workbenchUrl } from './code-server.mjs';

const { values: opts } = parseArgs({
  options: {
    'extension-path': { type: 'string', default: repoRoot },
    'expect-failure': { type: 'boolean', default: false },
    grep: { type: 'string' },
    'tests-path': { type: 'string', default: path.join(repoRoot, 'dist', 'test', 'integration', 'index.js') },
    timeout: { type: 'string', default: '900' },
    verbose: { type: 'boolean', default: false },
    // The word before this run's "N passed, N failed" line, e.g. "vsix" for the packaged-extension run.
    label: { type: 'string', default: 'integration' },
    // Opens the workspace in Restricted Mode and runs the suites meant for it.
    restricted: { type: 'boolean', default: false },
  },
});
const extensionPath = path.resolve(opts['extension-path']);
const testsPath = path.resolve(opts['tests-path']);
const timeoutMs = Number(opts.timeout) * 1000;
const expectFailure = opts['expect-failure'];
const screenshotDir = path.join(repoRoot, 'test-results', 'integration');
const chromiumPath = process.env.BNLAB_CHROMIUM ?? '/usr/bin/chromium';
const started = Date.now();
// The workbench's own routine log lines, shown only with --verbose (the host's output always is).
// 127.0.0.1:9 is the dead extension gallery that code-server is given.
const WORKBENCH_NOISE =
  /^(Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin extensions cache|\[Service Worker\]|ChatSessionStore:)|127\.0\.0\.1:9\b/;
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (message) => console.log(`[integration ${elapsed()}] ${message}`);

let server;
let browser;
let tmp;
let cleaning;
let interrupted;
// Once only, whether reached from the end of main(), an error or a signal.
const cleanup = () => (cleaning ??= (async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
  if (tmp) await rm(tmp, { recursive: true, force: true, maxRetries: 3 });
})());
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.once(signal, async () => {
    interrupted = signal;
    say(`${signal}: stopping`);
    await cleanup();
    process.exit(code);
  });
}

try {
  process.exitCode = await main();
} catch (error) {
  console.log(`[integration] error: ${error?.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}

async function main() {
  if (!existsSync(testsPath)) throw new Error(`${path.relative(repoRoot, testsPath)} is missing: run \`npm run build\` first`);
  if (!existsSync(path.join(extensionPath, 'package.json'))) throw new Error(`no extension at ${extensionPath} (no package.json)`);
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath} (apt-get install -y chromium, or set BNLAB_CHROMIUM)`);
  if (extensionPath !== repoRoot) say(`extension under test: ${extensionPath}`);

  await ensureCodeServer();

  // The opened folder holds a copy of samples/ (as <workspace>/samples/), so tests can edit, save and
  // add notebooks without touching the repo.
  tmp = await mkdtemp(path.join(os.tmpdir(), 'bnlab-integration-'));
  const workspace = path.join(tmp, 'workspace');
  await mkdir(workspace);
  if (existsSync(path.join(repoRoot, 'samples'))) await cp(path.join(repoRoot, 'samples'), path.join(workspace, 'samples'), { recursive: true });
  const resultsFile = path.join(tmp, 'results.json');
  await mkdir(screenshotDir, { recursive: true });

  // code-server's environment reaches the extension host: that is how the tests get their paths.
  server = await startCodeServer({
    folder: workspace,
    env: {
      BNLAB_TEST_WORKSPACE: workspace,
      BNLAB_TEST_RESULTS: resultsFile,
      BNLAB_SCREENSHOT_DIR: screenshotDir,
      ...(opts.grep ? { BNLAB_TEST_GREP: opts.grep } : {}),
      ...(opts.restricted ? { BNLAB_TEST_RESTRICTED: '1' } : {}),
    },
    restricted: opts.restricted,
  });
  say(`code-server ${server.url} ready (pid ${server.pid})`);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    // Signals are ours to handle (above), so that code-server and the temp folders go too.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      '--no-sandbox', // runs as root
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Offline: every name but 127.0.0.1 fails at once instead of waiting for DNS.
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

  // Screenshots that tests ask for by logging "[bnlab:screenshot] <name>" (see screenshot() in
  // test/integration/index.ts); done one at a time, each followed by a <name>.png.done marker.
  let screenshots = Promise.resolve();
  const takeScreenshot = (name) => {
    screenshots = screenshots.then(async () => {
      const file = path.join(screenshotDir, `${name}.png`);
      try {
        await page.screenshot({ path: `${file}.tmp.png` });
        await rename(`${file}.tmp.png`, file);
        say(`screenshot ${path.relative(repoRoot, file)}`);
      } catch (error) {
        say(`screenshot ${name} failed: ${error.message}`);
      }
      await writeFile(`${file}.done`, '');
    });
    return screenshots;
  };

  let resolveExit;
  const exited = new Promise((resolve) => (resolveExit = resolve));
  // Both are called by the workbench (VS Code's browser main) when the URL carries extensionTestsPath:
  // codeAutomationLog(level, args) for every log entry, including the extension host's console;
  // codeAutomationExit(code, logs) when run() has settled (0 = resolved).
  await page.exposeFunction('codeAutomationLog', (level, args) => {
    // The extension host's console arrives as printf-style args, like the workbench's own log.
    const text = format(...(Array.isArray(args) ? args : [args]));
    if (!opts.verbose && WORKBENCH_NOISE.test(text)) return;
    for (const line of trimStack(text, level).split('\n')) {
      const screenshot = /^\[bnlab:screenshot\] (\S+)/.exec(line);
      if (screenshot) takeScreenshot(screenshot[1]);
      console.log(`  ${level === 'error' || level === 'warn' ? `[${level}] ` : ''}${guardHostSummary(line)}`);
    }
  });
  await page.exposeFunction('codeAutomationExit', async (code) => {
    await takeScreenshot('workbench');
    resolveExit({ code });
  });
  page.on('crash', () => resolveExit({ error: 'the workbench page crashed' }));
  browser.on('disconnected', () => resolveExit({ error: interrupted ? `stopped by ${interrupted}` : 'Chromium exited' }));
  if (opts.verbose) page.on('pageerror', (error) => console.log(`  [page error] ${error.message}`));

  const url = workbenchUrl({ url: server.url, folder: workspace, extensionDevelopmentPath: extensionPath, extensionTestsPath: testsPath });
  say('opening the workbench; the tests run in its extension host');
  await page.goto(url);
  let timer;
  const outcome = await Promise.race([
    exited,
    new Promise((resolve) => (timer = setTimeout(() => resolve({ error: 'timeout' }), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome.error === 'timeout') {
    await takeScreenshot('timeout');
    console.log(
      `[integration] timed out after ${timeoutMs / 1000} s: the extension host never reported the end of the tests ` +
        `(see test-results/integration/timeout.png; --verbose prints the workbench log)`,
    );
  } else if (outcome.error) {
    console.log(`[integration] ${outcome.error}`);
  }
  await screenshots;
  for (const name of await readdir(screenshotDir)) {
    if (name.endsWith('.done')) await rm(path.join(screenshotDir, name), { force: true });
  }

  const results = existsSync(resultsFile) ? JSON.parse(await readFile(resultsFile, 'utf8')) : undefined;
  const passed = results?.passed ?? 0;
  const failed = results?.failed ?? 0;
  for (const failure of results?.failures ?? []) console.log(`  FAILED ${failure.title}\n    ${failure.message.trim().split('\n').join('\n    ')}`);
  const ok = outcome.code === 0 && results !== undefined && failed === 0 && passed > 0;
  if (outcome.code !== undefined && !results) console.log(`[integration] the tests exited with code ${outcome.code} but wrote no results: run() failed before mocha ran?`);
  if (results && passed + failed === 0) console.log('[integration] no test ran');

  if (expectFailure) {
    // No "N passed, N failed" line here: this run is meant to fail, CI must not count it as a test result.
    if (ok) {
      console.log(`canary: FAILED, the suite passed (${passed} tests) although it was expected to fail`);
      return 1;
    }
    console.log(`canary: OK, the suite failed as expected (${failed} of ${passed + failed} tests failed${outcome.error ? `; ${outcome.error}` : ''}) in ${elapsed()}`);
    return 0;
  }
  say(`done (exit code ${outcome.code ?? outcome.error})`);
  // Counted as failed when the suite never reported (timeout, crash): a run that ran nothing is no pass.
  console.log(`${opts.label}: ${passed} passed, ${ok ? failed : Math.max(failed, 1)} failed`);
  return ok ? 0 : 1;
}

/** Warnings and errors that the workbench logs carry whole stack traces: keep their first frames. */
function trimStack(text, level) {
  if (opts.verbose || (level !== 'warn' && level !== 'error')) return text;
  const lines = text.split('\n');
  const frames = lines.filter((line) => /^\s+at /.test(line)).length;
  if (frames <= 4) return text;
  let kept = 0;
  const out = lines.filter((line) => !/^\s+at /.test(line) || ++kept <= 3);
  out.push(`    … ${frames - 3} more frames (--verbose shows them)`);
  return out.join('\n');
}

/**
 * Keeps the host's own "N passed, N failed" line from reading as a second result: this runner prints the
 * one that counts (and none at all in --expect-failure runs, which are meant to fail).
 */
function guardHostSummary(line) {
  return /^\s*\d+ passed, \d+ failed/.test(line) ? `(${expectFailure ? 'canary' : 'extension host'}) ${line.trim()}` : line;
}
