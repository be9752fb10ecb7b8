// The live lab in a real VS Code: plots that grow while a training cell runs, and knobs on a plot that
// edit the cell's YAML and re-run it (moved in the webview through the renderer, as a person would).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PLOT_MIME, type PlotPayload } from '../../src/shared/payload';
import { api, closeAllWithoutSaving, codeCells, itemsOf, openAndShow, openCells, textOf, waitFor, workspace } from './helpers';
import { screenshot } from './index';

function plotsOf(cell: vscode.NotebookCell): PlotPayload[] {
  return itemsOf(cell)
    .filter((item) => item.mime === PLOT_MIME)
    .map((item) => JSON.parse(textOf(item)) as PlotPayload);
}

/** Runs one cell through VS Code's own command and waits for it to end. */
async function runCell(editor: vscode.NotebookEditor, cell: vscode.NotebookCell): Promise<void> {
  const startedAt = Date.now();
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: cell.index, end: cell.index + 1 }], document: editor.notebook.uri });
  await waitFor(`cell ${cell.index + 1} to finish`, () => (cell.executionSummary?.timing?.startTime ?? 0) >= startedAt && cell.executionSummary?.timing?.endTime !== undefined, 120_000);
}

suite('live lab', () => {
  teardown(closeAllWithoutSaving);

  test('a training cell shows its plots growing before it ends, and ends with the final plots', async () => {
    const editor = await openCells('live.bnnb', [
      ['bnlab', ['experiment: internal-covariate-shift', 'steps: 600', 'seeds: 1', 'testSize: 500', 'checkpoints: 30', 'seed: 3'].join('\n')],
    ]);
    const [cell] = codeCells(editor);
    // Every state of the cell's outputs while it runs, as VS Code's document sees it.
    const states: string[] = [];
    const watch = vscode.workspace.onDidChangeNotebookDocument((event) => {
      if (!event.cellChanges.some((change) => change.cell === cell && change.outputs)) return;
      const live = plotsOf(cell!).filter((plot) => plot.live?.state === 'running');
      if (live.length > 0) states.push(JSON.stringify(live.map((plot) => plot.plot)));
    });
    try {
      await runCell(editor, cell!);
    } finally {
      watch.dispose();
    }
    const distinct = new Set(states);
    assert.ok(distinct.size >= 3, `${distinct.size} intermediate plot states before the end`);
    assert.equal(cell!.executionSummary?.success, true);
    const final = plotsOf(cell!);
    assert.ok(final.length > 0 && final.every((plot) => plot.live === undefined), 'the final plots are not marked live');
    await screenshot('live-training');
  });

  test('moving eps on sample 01\'s first plot edits the cell, redraws the plot, and undo restores the text', async () => {
    const { knobs, rendererReports } = await api();
    const editor = await openAndShow(path.join(workspace, 'samples', '01-what-batchnorm-does.bnnb'));
    const cell = codeCells(editor)[0]!;
    const original = cell.document.getText();
    assert.match(original, /^eps: 1\.0e-5$/m);
    await runCell(editor, cell);
    const first = plotsOf(cell)[0]!;
    assert.ok(first.knobs?.some((knob) => knob.key === 'eps'), 'the first plot offers an eps knob');
    editor.revealRange(new vscode.NotebookRange(cell.index, cell.index + 1), vscode.NotebookEditorRevealType.AtTop);
    const outputId = (cell.outputs[0] as { id?: string }).id;
    await waitFor('the first plot to be drawn', () => rendererReports.received.some((r) => r.outputId === outputId && r.type === 'rendered'), 20_000);

    const reportsBefore = rendererReports.received.length;
    const movedAt = Date.now();
    assert.ok(await knobs.drive(editor, 'eps', 0.001, outputId), 'the renderer took the message');
    await waitFor('the cell text to say the new eps', () => /^eps: 0\.001$/m.test(cell.document.getText()), 10_000);
    const redrawn = await waitFor(
      'the plot redrawn with eps = 0.001',
      () => {
        const knob = plotsOf(cell)[0]?.knobs?.find((k) => k.key === 'eps');
        const drawn = rendererReports.received.slice(reportsBefore).some((r) => r.type === 'rendered' && r.kind === first.plot.kind);
        return knob?.value === 0.001 && cell.executionSummary?.timing?.endTime !== undefined && drawn ? Date.now() : undefined;
      },
      10_000,
    );
    console.log(`      knob to redrawn plot: ${redrawn - movedAt} ms`);
    assert.equal(cell.document.getText(), original.replace('eps: 1.0e-5', 'eps: 0.001'), 'only the value changed, comments kept');
    assert.equal(plotsOf(cell)[0]?.previous, undefined, 'the overlay of the old result is gone once the new one landed');
    await screenshot('knob-eps');

    // Undo, as a person would: in the cell's editor.
    editor.selections = [new vscode.NotebookRange(cell.index, cell.index + 1)];
    await vscode.commands.executeCommand('notebook.cell.edit');
    await waitFor('the cell editor to have focus', () => vscode.window.activeTextEditor?.document === cell.document, 5_000);
    await vscode.commands.executeCommand('undo');
    await waitFor('undo to restore the text', () => cell.document.getText() === original, 5_000);
  });
});
