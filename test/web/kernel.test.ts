// The kernel in the web worker extension host: a nested Web Worker, TypeScript cells compiled in it
// (Sucrase), experiment cells, interrupt with and without cross-origin isolation, restart.
import * as vscode from 'vscode';
import * as assert from './assert';
import { api, closeAllWithoutSaving, codeCells, errorOf, folder, itemsOf, openCells, outputText, PLOT_MIME, runAll, runCell, waitFor } from './helpers';
import { settings } from './settings';

/** Interrupts a running cell the way the notebook's Interrupt button does. */
async function interrupt(editor: vscode.NotebookEditor, cell: vscode.NotebookCell): Promise<void> {
  await vscode.commands.executeCommand('notebook.cell.cancelExecution', { ranges: [{ start: cell.index, end: cell.index + 1 }], document: editor.notebook.uri });
}


suite('web kernel', () => {
  teardown(closeAllWithoutSaving);

  test('the extension and these tests run in the web worker extension host, isolated as the runner says', async () => {
    const { host } = await api();
    const { isolated } = await settings();
    assert.equal(host, 'web', "the extension's browser entry is the one running");
    assert.equal(vscode.env.uiKind, vscode.UIKind.Web);
    assert.equal(typeof (globalThis as { process?: unknown }).process, 'undefined', 'no Node process object');
    assert.equal((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true, isolated, 'crossOriginIsolated');
    assert.equal(typeof SharedArrayBuffer === 'function', isolated, 'SharedArrayBuffer exists exactly when isolated');
  });

  test('TypeScript cells: shared declarations, console, values and tensors as on the desktop, errors at the cell line', async () => {
    const editor = await openCells('web-typescript.bnnb', [
      ['typescript', 'const n: number = 20;\nconsole.log("n is", n, { a: [1, 2] });\nconsole.error("to stderr");'],
      ['typescript', 'const t = tensor([1, 2, 3, 4], [2, 2]);\nt'],
      ['typescript', '({ n, list: [1, "two", null], nested: { deep: true } })'],
      ['typescript', 'class Box { constructor(public v: number) {} }\nnew Box(n)'],
      ['typescript', '// the error is on line 3\nconst none: { shape?: number[] } = {};\nnone.shape!.length;'],
    ]);
    await runAll(editor);
    const [first, second, third, fourth, fifth] = codeCells(editor);
    assert.equal(first!.executionSummary?.success, true, outputText(first!));
    assert.deepEqual(itemsOf(first!).map((i) => i.mime), ['application/vnd.code.notebook.stdout', 'application/vnd.code.notebook.stderr']);
    assert.equal(outputText(first!), "n is 20 { a: [ 1, 2 ] }\nto stderr\n");
    assert.equal(outputText(second!), 'tensor([[1., 2.],\n        [3., 4.]])');
    assert.equal(outputText(third!), "{ n: 20, list: [ 1, 'two', null ], nested: { deep: true } }");
    assert.equal(outputText(fourth!), 'Box { v: 20 }');
    assert.equal(fifth!.executionSummary?.success, false);
    const error = errorOf(fifth!);
    assert.equal(error.name, 'TypeError');
    assert.match(error.message, /\(Cell 5, line 3, column 13\)$/);
    assert.match(error.stack, /at Cell 5:3:13/);
  });

  test('an experiment cell runs in the worker and shows its plot and progress', async () => {
    const editor = await openCells('web-experiment.bnnb', [['bnlab', 'experiment: normalize-features\nbatchSize: 256\nseed: 0']]);
    await runAll(editor);
    const [cell] = codeCells(editor);
    assert.equal(cell!.executionSummary?.success, true, outputText(cell!));
    assert.equal(itemsOf(cell!)[0]!.mime, PLOT_MIME);
  });

  test('interrupt stops `while (true) {}` within about a second; a fresh worker follows, without the state', async () => {
    const editor = await openCells('web-spin.bnnb', [
      ['typescript', 'const kept = "state";'],
      ['typescript', 'while (true) {}'],
      ['typescript', 'typeof kept'],
    ]);
    const [setup, spin, after] = codeCells(editor);
    await runCell(editor, setup!);
    void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: spin!.index, end: spin!.index + 1 }], document: editor.notebook.uri });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const interruptedAt = Date.now();
    await interrupt(editor, spin!);
    await waitFor('the spinning cell to stop', () => spin!.executionSummary?.success === false, 10_000);
    const elapsed = Date.now() - interruptedAt;
    console.log(`[web] while(true) stopped ${elapsed} ms after the interrupt`);
    assert.ok(elapsed < 2000, `stopped ${elapsed} ms after the interrupt`);
    assert.equal(errorOf(spin!).name, 'InterruptedError');
    assert.match(errorOf(spin!).message, /did not stop within 1 s/);
    await runCell(editor, after!);
    assert.equal(outputText(after!), "'undefined'", 'the fresh worker has no state');
  });

  test('interrupt stops a loop that reports progress, keeping the state when the page is isolated', async () => {
    const { isolated } = await settings();
    const editor = await openCells('web-progress.bnnb', [
      ['typescript', 'const kept = "still here";'],
      ['typescript', 'for (let step = 1; ; step++) {\n  const until = Date.now() + 20;\n  while (Date.now() < until) {}\n  progress({ step, total: 1e9 });\n}'],
      ['typescript', 'kept'],
    ]);
    const [setup, loop, after] = codeCells(editor);
    await runCell(editor, setup!);
    void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: loop!.index, end: loop!.index + 1 }], document: editor.notebook.uri });
    await waitFor('live progress', () => /step \d+ \/ 1,000,000,000/.test(outputText(loop!)), 20_000);
    const interruptedAt = Date.now();
    await interrupt(editor, loop!);
    await waitFor('the loop to stop', () => loop!.executionSummary?.success === false, 10_000);
    const elapsed = Date.now() - interruptedAt;
    console.log(`[web] progress loop stopped ${elapsed} ms after the interrupt (isolated: ${isolated})`);
    assert.ok(elapsed < 2000, `stopped ${elapsed} ms after the interrupt`);
    assert.equal(errorOf(loop!).name, 'InterruptedError');
    await runCell(editor, after!);
    // With shared memory the loop sees the flag at its next step; without, only the grace period's termination stops it.
    if (isolated) assert.equal(outputText(after!), "'still here'", 'the state is kept');
    else assert.equal(errorOf(after!).name, 'ReferenceError', 'the state is lost with the worker');
  });

  test('interrupt releases an awaiting cell at once, in both isolation modes, keeping the state', async () => {
    const editor = await openCells('web-await.bnnb', [
      ['typescript', 'const kept = 41;'],
      ['typescript', 'await new Promise((resolve) => setTimeout(resolve, 60_000));'],
      ['typescript', 'kept + 1'],
    ]);
    const [setup, wait, after] = codeCells(editor);
    await runCell(editor, setup!);
    void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: wait!.index, end: wait!.index + 1 }], document: editor.notebook.uri });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const interruptedAt = Date.now();
    await interrupt(editor, wait!);
    await waitFor('the awaiting cell to stop', () => wait!.executionSummary?.success === false, 10_000);
    assert.ok(Date.now() - interruptedAt < 1000, `stopped ${Date.now() - interruptedAt} ms after the interrupt`);
    await runCell(editor, after!);
    assert.equal(outputText(after!), '42');
  });

  test('Restart Kernel throws the state away', async () => {
    const editor = await openCells('web-restart.bnnb', [
      ['typescript', 'var gone = 1;'],
      ['typescript', 'typeof gone'],
    ]);
    const [setup, check] = codeCells(editor);
    await runCell(editor, setup!);
    await runCell(editor, check!);
    assert.equal(outputText(check!), "'number'");
    await vscode.commands.executeCommand('bnlab.restartKernel');
    await runCell(editor, check!);
    assert.equal(outputText(check!), "'undefined'");
  });

  test('a tensor too large for memory is refused with a clear message; the notebook goes on', async () => {
    const editor = await openCells('web-memory.bnnb', [
      ['typescript', 'const keep = 3;\nzeros([1 << 20, 1 << 13])'],
      ['typescript', 'keep'],
    ]);
    const [big, after] = codeCells(editor);
    await runCell(editor, big!);
    assert.equal(errorOf(big!).name, 'OutOfMemory', outputText(big!));
    assert.match(errorOf(big!).message, /more memory than the kernel can allocate/);
    await runCell(editor, after!);
    assert.equal(outputText(after!), '3');
  });

  test('cells read files next to the notebook through workspace.fs', async () => {
    const metrics = vscode.Uri.joinPath(folder(), 'web-files', 'note.txt');
    await vscode.workspace.fs.writeFile(metrics, new TextEncoder().encode('hello'));
    const editor = await openCells('web-files/reader.bnnb', [['bnlab', 'experiment: pytorch-comparison\nfiles: [missing.json]']]);
    await runAll(editor);
    const [cell] = codeCells(editor);
    assert.match(errorOf(cell!).message, /missing\.json: no such file \(looked in .*web-files\)/);
  });
});
