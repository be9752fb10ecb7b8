// Every sample opens in a real VS Code with its saved plots drawn and no error among its outputs.
// (Running every sample is the headless runner's test, test/unit/cli.test.ts: it takes minutes.)
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseBnnb } from '../../src/shared/bnnb-format';
import { PLOT_MIME } from '../../src/shared/payload';
import { api, closeAllWithoutSaving, ERROR_MIME, itemsOf, openAndShow, waitFor, workspace } from './helpers';

suite('samples', () => {
  teardown(closeAllWithoutSaving);

  const samples = readdirSync(path.join(workspace, 'samples')).filter((f) => f.endsWith('.bnnb')).sort();
  for (const sample of samples) {
    test(`${sample} opens with its plots drawn`, async () => {
      const { rendererReports } = await api();
      const before = rendererReports.received.length;
      const editor = await openAndShow(path.join(workspace, 'samples', sample));
      const cells = editor.notebook.getCells().filter((cell) => cell.kind === vscode.NotebookCellKind.Code);
      assert.ok(cells.length > 0);
      // What ships, read from the extension's own file: the open document (and the workspace's copy) may
      // hold a later run by an earlier test.
      const shipped = path.join(vscode.extensions.getExtension('bnlab.batchnorm-lab')!.extensionUri.fsPath, 'samples', sample);
      const saved = parseBnnb(readFileSync(shipped, 'utf8')).cells;
      saved.forEach((cell, i) => {
        if (cell.kind === 'code') assert.equal(cell.execution?.success, true, `${sample} cell ${i + 1} was saved after a successful run`);
      });
      for (const cell of cells) {
        assert.ok(!itemsOf(cell).some((item) => item.mime === ERROR_MIME), `${sample} cell ${cell.index + 1} has no error output`);
      }
      const plots = cells.flatMap((cell) => cell.outputs.filter((output) => output.items.some((item) => item.mime === PLOT_MIME)));
      assert.ok(plots.length > 0, `${sample} has plots`);
      // Bring every cell into view once: plots far from the viewport are drawn when they come near.
      for (const cell of cells) {
        editor.revealRange(new vscode.NotebookRange(cell.index, cell.index + 1), vscode.NotebookEditorRevealType.InCenter);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      const reports = await waitFor(`${plots.length} plots of ${sample} to be drawn`, () => {
        const seen = rendererReports.received.slice(before);
        return seen.length >= plots.length ? seen : undefined;
      }, 30_000);
      assert.deepEqual(reports.filter((r) => r.type !== 'rendered').map((r) => r.message), [], 'no render errors');
    });
  }
});
