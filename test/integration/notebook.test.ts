// A .bnnb notebook in a real VS Code: it opens, runs, renders, saves; broken files are refused untouched.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseBnnb } from '../../src/shared/bnnb-format';
import { PLOT_MIME, type PlotPayload } from '../../src/shared/payload';
import { api, closeAllWithoutSaving, ERROR_MIME, itemsOf, openAndShow, runAll, waitFor, workspace } from './helpers';
import { screenshot } from './index';

suite('notebook', () => {
  suiteSetup(async () => {
    assert.ok(workspace, 'BNLAB_TEST_WORKSPACE is set by the test runner');
    await api();
  });

  teardown(async () => {
    await closeAllWithoutSaving();
  });

  test('sample 01 runs all cells, shows a plot and a table, and the renderer draws it', async () => {
    const { rendererReports } = await api();
    const editor = await openAndShow(path.join(workspace, 'samples', '01-what-batchnorm-does.bnnb'));
    // Start from a clean slate: the sample is committed with outputs, which the run must replace.
    const reportsBefore = rendererReports.received.length;
    await runAll(editor);

    const codeCells = editor.notebook.getCells().filter((cell) => cell.kind === vscode.NotebookCellKind.Code);
    assert.ok(codeCells.length > 0);
    for (const cell of codeCells) {
      assert.equal(cell.executionSummary?.success, true, `cell ${cell.index} succeeded: ${itemsOf(cell).map((i) => Buffer.from(i.data).toString()).join('\n')}`);
      assert.ok((cell.executionSummary?.executionOrder ?? 0) > 0, 'the cell has an execution order');
      const mimes = cell.outputs.map((output) => output.items.map((item) => item.mime));
      // The plot with its text fallback, then the summary as its own output (always shown).
      assert.deepEqual(mimes.at(0), [PLOT_MIME, 'text/markdown']);
      assert.deepEqual(mimes.at(-1), ['text/markdown']);
      assert.ok(!mimes.flat().includes(ERROR_MIME));
    }

    // The first experiment: four features, before and after BatchNorm, with its table of moments.
    const first = codeCells[0]!;
    const payload = JSON.parse(Buffer.from(first.outputs[0]!.items[0]!.data).toString()) as PlotPayload;
    assert.equal(payload.version, 1);
    assert.equal(payload.plot.kind, 'distribution-comparison');
    if (payload.plot.kind !== 'distribution-comparison') return;
    assert.equal(payload.plot.rows.length, 4);
    assert.deepEqual(payload.plot.stages, ['before BatchNorm', 'after BatchNorm']);
    for (const row of payload.plot.rows) {
      const after = row.distributions[1]!.moments;
      assert.ok(Math.abs(after.mean) < 1e-4, `${row.label}: mean after ${after.mean}`);
    }
    const table = Buffer.from(first.outputs.at(-1)!.items[0]!.data).toString();
    assert.match(table, /\| feature \| mean before \| std before \| mean after \| std after \|/);

    // The output's id is what the renderer sees as outputItem.id; it is set at runtime but not in the stable API types.
    const outputId = (codeCells[0]!.outputs[0] as unknown as { id?: string }).id;
    assert.equal(typeof outputId, 'string', 'the output has an id');
    const report = await waitFor(
      `the renderer to report drawing output ${outputId}`,
      () => rendererReports.received.slice(reportsBefore).find((r) => r.outputId === outputId),
      Number(process.env.BNLAB_RENDER_TIMEOUT_MS ?? 45_000),
    );
    assert.equal(report.type, 'rendered', `renderer reported: ${JSON.stringify(report)}`);
    assert.equal(report.kind, 'distribution-comparison');
    assert.ok((report.traces ?? 0) >= 8, `at least one trace per histogram, got ${report.traces}`);
    // Bring the plot into view for the picture in the README (docs/screenshots/vscode-sample-01.png).
    const codeCell = codeCells[0]!;
    editor.revealRange(new vscode.NotebookRange(codeCell.index, codeCell.index + 1), vscode.NotebookEditorRevealType.AtTop);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await screenshot('sample-01-run-all');
  });

  test('outputs and execution summaries are saved with the notebook', async () => {
    const file = path.join(workspace, 'saved.bnnb');
    writeFileSync(file, readFileSync(path.join(workspace, 'samples', '01-what-batchnorm-does.bnnb')));
    const editor = await openAndShow(file);
    await runAll(editor);
    assert.ok(await editor.notebook.save(), 'saved');

    const saved = parseBnnb(readFileSync(file, 'utf8'));
    const code = saved.cells.filter((cell) => cell.kind === 'code');
    assert.ok(code.length > 0);
    for (const cell of code) {
      assert.equal(cell.execution?.success, true);
      assert.ok((cell.execution?.order ?? 0) >= 1);
      assert.ok((cell.execution?.endTime ?? 0) >= (cell.execution?.startTime ?? Infinity));
      assert.deepEqual(cell.outputs[0]!.items.map((item) => item.mime), [PLOT_MIME, 'text/markdown']);
      assert.equal((cell.outputs[0]!.items[0]!.data as PlotPayload).version, 1, 'the plot is saved as JSON');
    }
    assert.ok(readFileSync(file, 'utf8').endsWith('}\n'));
  });

  test('a wrong parameter fails its cell with key and line, and later cells are left unrun', async () => {
    const file = path.join(workspace, 'wrong-parameter.bnnb');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'bnnb',
        version: 1,
        cells: [
          { kind: 'code', language: 'bnlab', source: ['experiment: normalize-features', 'batchSize: 1'] },
          { kind: 'code', language: 'bnlab', source: ['experiment: normalize-features'] },
        ],
      }),
    );
    const editor = await openAndShow(file);
    await runAll(editor);
    const [bad, after] = editor.notebook.getCells();
    assert.equal(bad!.executionSummary?.success, false);
    const error = itemsOf(bad!).find((item) => item.mime === ERROR_MIME);
    assert.ok(error, 'an error output');
    const { message } = JSON.parse(Buffer.from(error.data).toString()) as { message: string };
    assert.match(message, /^Line 2, column 12: "batchSize" must be an integer from 2 to 65536; got 1$/);
    await waitFor('the pending cell to be released', () => after!.executionSummary === undefined || after!.executionSummary.success === undefined, 5000);
    assert.equal(after!.outputs.length, 0, 'the cell after the failure did not run');
    assert.equal(after!.executionSummary?.executionOrder, undefined, 'and has no execution order');
  });

  for (const [name, content, expected] of [
    ['broken-json.bnnb', '{\n  "format": "bnnb",\n  "version": 1,\n  "cells": [\n    { "kind": "code",, }\n  ]\n}\n', /JSON is broken.*line 5/],
    ['merge-conflict.bnnb', '{\n  "format": "bnnb",\n<<<<<<< HEAD\n  "version": 1,\n=======\n  "version": 1,\n>>>>>>> other\n  "cells": []\n}\n', /merge-conflict markers.*line 3/],
    ['future-version.bnnb', '{\n  "format": "bnnb",\n  "version": 7,\n  "cells": []\n}\n', /Unsupported \.bnnb version 7/],
  ] as const) {
    test(`a broken file (${name}) is refused with its reason, and left untouched`, async () => {
      const file = path.join(workspace, name);
      writeFileSync(file, content);
      await assert.rejects(Promise.resolve(vscode.workspace.openNotebookDocument(vscode.Uri.file(file))), (error: Error) => {
        assert.match(error.message, expected);
        return true;
      });
      // Opening it in the editor shows the problem instead of an empty notebook.
      await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), 'bnlab-notebook').then(
        () => undefined,
        () => undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.ok(
        !vscode.workspace.notebookDocuments.some((doc) => doc.uri.fsPath === file),
        'no notebook document was created for the broken file',
      );
      await vscode.commands.executeCommand('workbench.action.files.saveAll');
      assert.equal(readFileSync(file, 'utf8'), content, 'the file on disk is unchanged');
    });
  }
});
