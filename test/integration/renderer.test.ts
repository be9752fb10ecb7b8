// Every plot kind, saved in a notebook, draws in the real VS Code's notebook webview.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PLOT_MIME } from '../../src/shared/payload';
import { everyKind } from '../renderer/payloads';
import { api, closeAllWithoutSaving, openAndShow, waitFor, workspace } from './helpers';
import { screenshot } from './index';

suite('renderer in VS Code', () => {
  teardown(closeAllWithoutSaving);

  test('a notebook with every plot kind draws all of them', async () => {
    const kinds = everyKind();
    const file = path.join(workspace, 'every-kind.bnnb');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'bnnb',
        version: 1,
        cells: kinds.map(({ name, payload }) => ({ kind: 'code', language: 'bnlab', source: `# ${name}`, outputs: [{ items: [{ mime: PLOT_MIME, data: payload }] }] })),
      }),
    );
    const { rendererReports } = await api();
    const before = rendererReports.received.length;
    const editor = await openAndShow(file);
    // Plots far from the viewport wait to be drawn (a notebook of 50 plots stays fluid): visit each cell.
    for (const cell of editor.notebook.getCells()) {
      editor.revealRange(new vscode.NotebookRange(cell.index, cell.index + 1), vscode.NotebookEditorRevealType.InCenter);
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    const reports = await waitFor(
      'a report for every kind',
      () => {
        const seen = rendererReports.received.slice(before);
        return seen.length >= kinds.length ? seen : undefined;
      },
      30_000,
    );
    assert.deepEqual(reports.filter((r) => r.type !== 'rendered'), [], 'no render errors');
    const drawnKinds = new Set(reports.map((r) => r.kind));
    for (const { payload } of kinds) assert.ok(drawnKinds.has(payload.plot.kind), `${payload.plot.kind} was drawn`);
    assert.ok(reports.every((r) => (r.traces ?? 0) > 0));
    await screenshot('every-kind');
  });
});
