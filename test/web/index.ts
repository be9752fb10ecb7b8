// Entry of the web test suite inside the web worker extension host of a real VS Code (code-server +
// Chromium; scripts/test-web.mjs). VS Code loads this bundle (dist/test/web/index.js, which must sit inside
// the extension's folder) and calls run(). There is no file system and no `process` here: the runner's
// settings come in, and the results go out, as files of the workspace, through vscode.workspace.fs.
import 'mocha/mocha.js';
import * as vscode from 'vscode';

interface Results {
  passed: number;
  failed: number;
  pending: number;
  failures: Array<{ title: string; message: string }>;
}

declare const mocha: BrowserMocha;
interface BrowserMocha {
  setup(options: { ui: 'tdd'; reporter?: unknown; timeout: number; color: boolean }): void;
  grep(pattern: RegExp): void;
  run(done: (failures: number) => void): { on(event: string, listener: (test: { fullTitle(): string }, error?: Error) => void): void };
}

class SilentReporter {}

export const RESULTS_FILE = '.bnlab-web-results.json';

export async function run(): Promise<void> {
  // Mocha's browser build reports into the page's DOM by default; this host has none: run() logs instead.
  mocha.setup({ ui: 'tdd', reporter: SilentReporter, timeout: 120_000, color: false });
  const { settings } = await import('./settings');
  const options = await settings();
  if (options.grep) mocha.grep(new RegExp(options.grep));
  // Loaded after setup, which defines suite() and test().
  await import('./kernel.test');
  await import('./commands.test');
  (await import('./samples.test')).defineSampleTests(options.samples);

  const results: Results = { passed: 0, failed: 0, pending: 0, failures: [] };
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', (test) => {
      results.passed++;
      console.log(`  ✓ ${test.fullTitle()}`);
    });
    runner.on('pending', () => results.pending++);
    runner.on('fail', (test, error) => {
      results.failed++;
      results.failures.push({ title: test.fullTitle(), message: String(error?.stack ?? error?.message ?? error) });
      console.log(`  ✗ ${test.fullTitle()}: ${error?.message}`);
    });
  });
  const folder = vscode.workspace.workspaceFolders![0]!.uri;
  await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, RESULTS_FILE), new TextEncoder().encode(JSON.stringify(results, null, 2)));
  console.log(`${results.passed} passed, ${results.failed} failed${results.pending ? `, ${results.pending} skipped` : ''}`);
  if (results.failed > 0) throw new Error(`${results.failed} web test(s) failed`);
  if (results.passed === 0) throw new Error('no web test ran');
}
