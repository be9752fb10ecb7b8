// Entry of the integration tests inside a real VS Code extension host (the test-electron contract:
// VS Code loads this file as extensionTestsPath and calls run(); a rejection means failure).
// scripts/build.mjs bundles it to dist/test/integration/index.js (CommonJS, `vscode` and `mocha` external).
// Runners: scripts/test-integration.mjs (code-server + Chromium, offline) and scripts/test-electron.mjs.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

// The suite files. Adding one is one line here. Each is imported statically so that esbuild bundles it,
// and lazily so that mocha's `suite`/`test` globals exist before its top level runs.
// A Restricted Mode run (scripts/test-integration.mjs --restricted) loads only the suite meant for it.
const suites: Array<() => Promise<unknown>> = process.env.BNLAB_TEST_RESTRICTED
  ? [() => import('./restricted.test')]
  : [() => import('./smoke.test'), () => import('./notebook.test'), () => import('./kernel.test'), () => import('./commands.test'), () => import('./renderer.test'), () => import('./samples.test'), () => import('./pytorch.test'), () => import('./language.test'), () => import('./live.test')];

interface Results {
  passed: number;
  failed: number;
  pending: number;
  failures: Array<{ title: string; message: string; stack?: string }>;
}

export async function run(): Promise<void> {
  // No colours: the output travels through the workbench log to the outer runner's stdout.
  const mocha = new Mocha({ ui: 'tdd', reporter: 'spec', color: false, timeout: 60_000 });
  const grep = process.env.BNLAB_TEST_GREP;
  if (grep) mocha.grep(grep);

  // What mocha.run() would do for files on disk: define suite/test/setup/... on globalThis, then load.
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  for (const load of suites) await load();

  const results: Results = { passed: 0, failed: 0, pending: 0, failures: [] };
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', () => results.passed++);
    runner.on('pending', () => results.pending++);
    runner.on('fail', (test, error: Error) => {
      results.failed++;
      results.failures.push({ title: test.fullTitle(), message: String(error?.message ?? error), stack: error?.stack });
    });
  });

  const resultsFile = process.env.BNLAB_TEST_RESULTS;
  if (resultsFile) writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  // CI reads this exact form ("N passed, N failed") as the closing line.
  console.log(`${results.passed} passed, ${results.failed} failed${results.pending ? `, ${results.pending} skipped` : ''}`);
  if (results.failed > 0) throw new Error(`${results.failed} integration test(s) failed`);
  if (results.passed === 0) throw new Error('no integration test ran');
}

/**
 * Asks the outer runner (scripts/test-integration.mjs) for a screenshot of the workbench, saved as
 * test-results/integration/<name>.png, and waits until it exists (at most `timeoutMs`; never fails the test).
 * Under runners that take no screenshots (test-electron) it returns at once.
 */
export async function screenshot(name: string, timeoutMs = 15_000): Promise<void> {
  const dir = process.env.BNLAB_SCREENSHOT_DIR;
  if (!dir) return;
  const safe = name.replace(/[^\w.-]+/g, '-');
  const file = path.join(dir, `${safe}.png`);
  // The runner writes <name>.png.done once the picture is saved, so an older picture doesn't count.
  const done = `${file}.done`;
  mkdirSync(dir, { recursive: true });
  rmSync(done, { force: true });
  const requestedAt = Date.now();
  console.log(`[bnlab:screenshot] ${safe}`);
  while (Date.now() - requestedAt < timeoutMs) {
    if (existsSync(done)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.warn(`[bnlab:screenshot] ${safe}: no screenshot after ${timeoutMs} ms`);
}
