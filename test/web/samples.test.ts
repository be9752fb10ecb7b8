// Every sample opens in the web host with its saved plots drawn, and Run All runs every cell again with
// plots and no errors: the engine, the experiments and the datasets (MNIST) in a nested Web Worker.
import * as vscode from 'vscode';
import * as assert from './assert';
import { api, closeAllWithoutSaving, codeCells, ERROR_MIME, folder, itemsOf, openAndShow, outputText, PLOT_MIME, runAll, waitFor } from './helpers';

/** The workspace's samples, listed by the runner (mocha needs the tests before it runs). */
export function defineSampleTests(samples: string[]): void {
  suite('web samples', () => {
  teardown(closeAllWithoutSaving);

  test('the workspace holds the samples', () => assert.ok(samples.length >= 10, `found ${samples.length} samples`));

  for (const sample of samples) {
    test(`${sample} runs all its cells with plots and no errors, and draws them`, async function () {
      this.timeout(10 * 60_000);
      const { rendererReports } = await api();
      const started = Date.now();
      const editor = await openAndShow(vscode.Uri.joinPath(folder(), 'samples', sample));
      const cells = codeCells(editor);
      const before = rendererReports.received.length;
      await runAll(editor, 10 * 60_000);
      for (const cell of cells) {
        assert.equal(cell.executionSummary?.success, true, `${sample} cell ${cell.index + 1}: ${outputText(cell).slice(0, 500)}`);
        assert.ok(!itemsOf(cell).some((item) => item.mime === ERROR_MIME), `${sample} cell ${cell.index + 1} has no error output`);
      }
      const plots = cells.flatMap((cell) => cell.outputs.filter((output) => output.items.some((item) => item.mime === PLOT_MIME)));
      assert.ok(plots.length > 0, `${sample} has plots`);
      for (const cell of cells) {
        editor.revealRange(new vscode.NotebookRange(cell.index, cell.index + 1), vscode.NotebookEditorRevealType.InCenter);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      const reports = await waitFor(`the plots of ${sample} to be drawn`, () => (rendererReports.received.length > before ? rendererReports.received.slice(before) : undefined), 30_000);
      assert.deepEqual(reports.filter((r) => r.type !== 'rendered').map((r) => r.message), [], `${sample}: no render errors`);
      console.log(`[web] ${sample}: ${cells.length} cells, ${plots.length} plots, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
  }
  });
}
