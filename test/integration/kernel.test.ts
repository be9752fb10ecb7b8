// The kernel in a real VS Code: TypeScript cells with shared state, errors at the cell's own line,
// live progress, interrupt within a second, restart.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllWithoutSaving, codeCells, errorOf, itemsOf, openCells, runAll, textOf, waitFor } from './helpers';
import { screenshot } from './index';

/** A training-like loop that would run for a minute, reporting progress as the engine's loops do. */
const MINUTE_LONG_CELL = [
  'const steps = 600;',
  'for (let step = 1; step <= steps; step++) {',
  '  const until = Date.now() + 100;',
  '  while (Date.now() < until) {}',
  '  progress({ step, total: steps, metrics: { loss: 1 / step } });',
  '}',
].join('\n');

suite('kernel', () => {
  teardown(async () => {
    await closeAllWithoutSaving();
  });

  test('Run All runs TypeScript cells in order with shared state, and stops at the first failure', async () => {
    const editor = await openCells('typescript.bnnb', [
      ['typescript', 'const n: number = 20;\nconsole.log("n is", n);'],
      ['typescript', 'const t = tensor([1, 2, 3, 4], [2, 2]);\nn + t.data.length * 0.5'],
      ['typescript', '// the error is on line 3\nconst none: { shape?: number[] } = {};\nnone.shape!.length;'],
      ['typescript', 'console.log("never runs");'],
    ]);
    await runAll(editor);
    const [first, second, third, fourth] = codeCells(editor);
    assert.equal(first!.executionSummary?.success, true);
    assert.equal(textOf(itemsOf(first!)[0]!), 'n is 20\n');
    assert.equal(itemsOf(first!)[0]!.mime, 'application/vnd.code.notebook.stdout');
    assert.equal(textOf(itemsOf(second!)[0]!), '22');
    assert.equal(third!.executionSummary?.success, false);
    const error = errorOf(third!);
    assert.equal(error.name, 'TypeError');
    assert.match(error.message, /\(Cell 3, line 3, column 13\)$/);
    assert.equal(fourth!.outputs.length, 0, 'the cell after the failure is left unrun');
    assert.deepEqual(
      [first, second, third].map((cell) => cell!.executionSummary?.executionOrder),
      [1, 2, 3],
    );
  });

  test('a long cell shows live progress and stops within a second of Interrupt, keeping the state', async () => {
    const editor = await openCells('interrupt.bnnb', [
      ['typescript', 'const kept = "still here";'],
      ['typescript', MINUTE_LONG_CELL],
      ['typescript', 'kept'],
    ]);
    const [setup, long, after] = codeCells(editor);
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: setup!.index, end: setup!.index + 1 }], document: editor.notebook.uri });
    await waitFor('the first cell to finish', () => setup!.executionSummary?.success === true);

    void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: long!.index, end: long!.index + 1 }], document: editor.notebook.uri });
    const progressText = await waitFor(
      'live progress in the cell',
      () => itemsOf(long!).map(textOf).find((text) => /step \d+ \/ 600 \(\d+ %\) · loss [\d.]+ · [\d.]+ s elapsed/.test(text)),
      20_000,
    );
    await waitFor('an estimate of the time left', () => itemsOf(long!).map(textOf).some((text) => /about .* left/.test(text)), 10_000);

    // The extension host stays responsive while the cell computes: its event loop is never held up long.
    let worstLag = 0;
    for (let i = 0; i < 20; i++) {
      const start = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 25));
      worstLag = Math.max(worstLag, Date.now() - start - 25);
    }
    assert.ok(worstLag < 250, `the extension host's event loop was held up for ${worstLag} ms during the run`);
    await screenshot('kernel-progress');

    const interruptedAt = Date.now();
    await vscode.commands.executeCommand('notebook.cell.cancelExecution', { ranges: [{ start: long!.index, end: long!.index + 1 }], document: editor.notebook.uri });
    await waitFor('the cell to stop', () => long!.executionSummary?.success === false, 5000);
    const elapsed = Date.now() - interruptedAt;
    assert.ok(elapsed < 1000, `stopped ${elapsed} ms after the interrupt (${progressText})`);
    assert.equal(errorOf(long!).name, 'InterruptedError');
    assert.ok(!itemsOf(long!).map(textOf).some((text) => text.startsWith('Running: ')), 'the progress line is replaced by the final outputs');

    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: after!.index, end: after!.index + 1 }], document: editor.notebook.uri });
    await waitFor('the last cell to finish', () => after!.executionSummary?.success === true);
    assert.equal(textOf(itemsOf(after!)[0]!), "'still here'");
  });

  test('Restart Kernel clears the state', async () => {
    const editor = await openCells('restart.bnnb', [
      ['typescript', 'const before = 1;'],
      ['typescript', 'typeof before'],
    ]);
    await runAll(editor);
    const [, probe] = codeCells(editor);
    assert.equal(textOf(itemsOf(probe!)[0]!), "'number'");
    await vscode.commands.executeCommand('bnlab.restartKernel');
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: probe!.index, end: probe!.index + 1 }], document: editor.notebook.uri });
    await waitFor('the probe to run again', () => textOf(itemsOf(probe!)[0] ?? { data: new Uint8Array() } as vscode.NotebookCellOutputItem) === "'undefined'", 10_000);
  });
});
