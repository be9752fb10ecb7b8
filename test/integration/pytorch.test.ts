// "Export Experiment to PyTorch…" and "Import PyTorch Results…" in a real VS Code. Quick picks, dialogs and
// messages are answered by stubbing vscode.window, which the extension shares with its tests.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { api, closeAllWithoutSaving, codeCells, itemsOf, openAndShow, textOf, waitFor, workspace } from './helpers';

type Window = typeof vscode.window;
const originals: Partial<Record<keyof Window, unknown>> = {};

/** Replaces a vscode.window function for one test. */
function stub<K extends keyof Window>(name: K, replacement: Window[K]): void {
  originals[name] ??= vscode.window[name];
  (vscode.window as unknown as Record<string, unknown>)[name] = replacement;
}

/** Records the messages of one kind (their text and buttons) and answers with `answer`. */
function recordMessages(name: 'showInformationMessage' | 'showErrorMessage' | 'showWarningMessage', answer?: string): { text: string; buttons: string[] }[] {
  const messages: { text: string; buttons: string[] }[] = [];
  stub(name, (async (text: string, ...rest: unknown[]) => {
    messages.push({ text, buttons: rest.filter((r): r is string => typeof r === 'string') });
    return answer;
  }) as unknown as Window[typeof name]);
  return messages;
}

/** Makes a dialog or quick pick fail the test if the command shows it. */
function forbid(name: 'showQuickPick' | 'showSaveDialog' | 'showOpenDialog', shown: string[]): void {
  stub(name, (async () => {
    shown.push(name);
    return undefined;
  }) as unknown as Window[typeof name]);
}

const PLOT_MIME = 'application/vnd.bnlab.plot+json';
const execFileAsync = promisify(execFile);
const SMALL_EXPERIMENT = ['experiment: internal-covariate-shift', 'steps: 50', 'seeds: 1', 'checkpoints: 5', 'testSize: 200'].join('\n');

suite('PyTorch export and import', () => {
  // Notebooks saved in a folder of their own: markdown, an exportable cell (cell 2), a non-exportable one (cell 3).
  let folder: string;
  const THREE_CELLS = [
    { kind: 'markdown', language: 'markdown', source: '# Export me' },
    { kind: 'code', language: 'bnlab', source: SMALL_EXPERIMENT },
    { kind: 'code', language: 'bnlab', source: 'experiment: normalize-features\nbatchSize: 32' },
  ];

  suiteSetup(async () => {
    await api();
    folder = mkdtempSync(path.join(workspace, 'pytorch-'));
  });

  /**
   * Writes a notebook and makes it the active editor. A file per test: VS Code's revert (closeAllWithoutSaving)
   * does not always take a cell added by a test back out of the extension host's view of the notebook.
   */
  async function openNotebook(name: string, cells: object[] = THREE_CELLS): Promise<vscode.NotebookEditor> {
    const file = path.join(folder, name);
    writeFileSync(file, JSON.stringify({ format: 'bnnb', version: 1, cells }));
    const editor = await openAndShow(file);
    await waitFor('the notebook in the active editor', () => vscode.window.activeNotebookEditor?.notebook === editor.notebook, 10_000);
    return editor;
  }

  teardown(async () => {
    for (const [name, original] of Object.entries(originals)) (vscode.window as unknown as Record<string, unknown>)[name] = original;
    await closeAllWithoutSaving();
  });

  test('the commands are contributed: palette for lab notebooks, the cell menu for experiment cells', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['bnlab.exportToPyTorch', 'bnlab.importPyTorchResults']) assert.ok(commands.includes(id), `${id} is registered`);
    const manifest = vscode.extensions.getExtension('bnlab.batchnorm-lab')!.packageJSON as {
      contributes: { commands: { command: string; title: string; category: string }[]; menus: Record<string, { command: string; when?: string }[]> };
    };
    const titles = Object.fromEntries(manifest.contributes.commands.map((c) => [c.command, `${c.category}: ${c.title}`]));
    assert.equal(titles['bnlab.exportToPyTorch'], 'BatchNorm Lab: Export Experiment to PyTorch…');
    assert.equal(titles['bnlab.importPyTorchResults'], 'BatchNorm Lab: Import PyTorch Results…');
    const palette = manifest.contributes.menus.commandPalette!;
    for (const id of ['bnlab.exportToPyTorch', 'bnlab.importPyTorchResults']) assert.equal(palette.find((m) => m.command === id)?.when, 'notebookType == bnlab-notebook');
    const cellMenu = manifest.contributes.menus['notebook/cell/title']!.find((m) => m.command === 'bnlab.exportToPyTorch');
    assert.match(cellMenu?.when ?? '', /notebookType == bnlab-notebook && notebookCellType == code && notebookCellResource in bnlab.experimentCells/);
  });

  test('an untitled notebook is refused: save it first', async () => {
    const errors = recordMessages('showErrorMessage');
    const shown: string[] = [];
    forbid('showQuickPick', shown);
    forbid('showOpenDialog', shown);
    const document = await vscode.workspace.openNotebookDocument('bnlab-notebook', new vscode.NotebookData([new vscode.NotebookCellData(vscode.NotebookCellKind.Code, SMALL_EXPERIMENT, 'bnlab')]));
    await vscode.window.showNotebookDocument(document);
    await vscode.commands.executeCommand('bnlab.exportToPyTorch', document.cellAt(0));
    await vscode.commands.executeCommand('bnlab.importPyTorchResults');
    assert.equal(errors.length, 2, JSON.stringify(errors));
    for (const error of errors) assert.match(error.text, /save the notebook first/);
    assert.deepEqual(shown, []);
  });

  test('a non-exportable experiment gets an error naming the exportable ones, before any dialog, and nothing is written', async () => {
    const editor = await openNotebook('not-exportable.bnnb');
    const before = readdirSync(folder).sort();
    const errors = recordMessages('showErrorMessage');
    const shown: string[] = [];
    forbid('showQuickPick', shown);
    forbid('showSaveDialog', shown);
    await vscode.commands.executeCommand('bnlab.exportToPyTorch', editor.notebook.cellAt(2));
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0]!.text, /"normalize-features" \(cell 3\) cannot be exported to PyTorch\. Exportable experiments: .*internal-covariate-shift/);
    assert.deepEqual(shown, []);
    assert.deepEqual(readdirSync(folder).sort(), before);
  });

  test('from the Command Palette it asks which experiment cell ("Cell n: <experiment>")', async () => {
    await openNotebook('palette.bnnb');
    const lists: string[][] = [];
    stub('showQuickPick', (async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => {
      lists.push((await items).map((item) => item.label));
      return undefined; // cancelled: nothing else happens
    }) as unknown as Window['showQuickPick']);
    const shown: string[] = [];
    forbid('showSaveDialog', shown);
    await vscode.commands.executeCommand('bnlab.exportToPyTorch');
    assert.deepEqual(lists, [['Cell 2: internal-covariate-shift', 'Cell 3: normalize-features']]);
    assert.deepEqual(shown, []);
  });

  test('exports an experiment cell: the script, the engine metrics and the data, with DistributedDataParallel', async function () {
    this.timeout(180_000);
    const editor = await openNotebook('export-me.bnnb');
    const optionLists: vscode.QuickPickItem[][] = [];
    stub('showQuickPick', (async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>, options?: vscode.QuickPickOptions) => {
      const list = [...(await items)];
      optionLists.push(list);
      assert.equal(options?.canPickMany, true, 'the options are a multi-select');
      return list.filter((item) => item.picked); // the defaults
    }) as unknown as Window['showQuickPick']);
    let defaultUri: vscode.Uri | undefined;
    const script = path.join(folder, 'export-me-cell2.py');
    stub('showSaveDialog', (async (options?: vscode.SaveDialogOptions) => {
      defaultUri = options?.defaultUri;
      return vscode.Uri.file(script);
    }) as Window['showSaveDialog']);
    const errors = recordMessages('showErrorMessage');
    const infos = recordMessages('showInformationMessage', 'Copy Run Command');

    await vscode.commands.executeCommand('bnlab.exportToPyTorch', editor.notebook.cellAt(1));

    assert.deepEqual(errors, []);
    assert.equal(optionLists.length, 1);
    assert.deepEqual(
      optionLists[0]!.map((item) => [item.label, item.picked]),
      [
        ["Export the engine's initial weights", true],
        ['Distributed: a torchrun script with DistributedDataParallel', true],
        ['SyncBatchNorm on by default', false],
      ],
    );
    assert.equal(defaultUri?.fsPath, script, 'the default is <notebook folder>/<notebook name>-cell<n>.py');
    assert.equal(infos.length, 1, JSON.stringify(infos));
    assert.equal(infos[0]!.text, `BatchNorm Lab: exported 2 runs to ${script}`);
    assert.deepEqual(infos[0]!.buttons, ['Open Script', 'Copy Run Command']);

    assert.ok(existsSync(script), 'the script');
    assert.match(readFileSync(script, 'utf8'), /DistributedDataParallel/);
    const engine = JSON.parse(readFileSync(path.join(folder, 'export-me-cell2.engine.json'), 'utf8')) as { format: string; source: string; experiment: string; runs: unknown[] };
    assert.deepEqual([engine.format, engine.source, engine.experiment, engine.runs.length], ['bnlab-metrics', 'engine', 'internal-covariate-shift', 2]);
    const data = readdirSync(path.join(folder, 'export-me-cell2_data')).sort();
    assert.ok(data.includes('set0-x.bin') && data.includes('run0-order.bin') && data.includes('run0-weights.bin'), `the data: ${data.join(', ')}`);

    assert.equal(await vscode.env.clipboard.readText(), `torchrun --standalone --nproc_per_node=2 ${script}`, 'Copy Run Command copied the torchrun command');
  });

  test("an export that fails shows the worker's message", async () => {
    const editor = await openNotebook('fails.bnnb');
    stub('showQuickPick', (async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => (await items).filter((item) => item.picked)) as unknown as Window['showQuickPick']);
    stub('showSaveDialog', (async () => vscode.Uri.file(path.join(folder, 'my script.py'))) as Window['showSaveDialog']);
    const errors = recordMessages('showErrorMessage');
    const infos = recordMessages('showInformationMessage');
    await vscode.commands.executeCommand('bnlab.exportToPyTorch', editor.notebook.cellAt(1));
    assert.deepEqual(infos, []);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0]!.text, /^BatchNorm Lab: export of cell 2 failed: "my script" is not a usable script name/);
    assert.ok(!existsSync(path.join(folder, 'my script.py')));
  });

  test('cancelling an export stops its worker, says so and writes nothing', async function () {
    this.timeout(120_000);
    // A run long enough to be cancelled in the middle.
    const source = SMALL_EXPERIMENT.replace('steps: 50', 'steps: 5000').replace('checkpoints: 5', 'checkpoints: 200');
    const editor = await openNotebook('cancel-me.bnnb', [{ kind: 'code', language: 'bnlab', source }]);
    stub('showQuickPick', (async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => (await items).filter((item) => item.picked)) as unknown as Window['showQuickPick']);
    const script = path.join(folder, 'cancelled.py');
    stub('showSaveDialog', (async () => vscode.Uri.file(script)) as Window['showSaveDialog']);
    const reports: { message?: string; increment?: number }[] = [];
    let progressOptions: vscode.ProgressOptions | undefined;
    // The notification's Cancel button, pressed once the engine has reported its first steps.
    stub('withProgress', ((options: vscode.ProgressOptions, task: (progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken) => Thenable<unknown>) => {
      progressOptions = options;
      const cancel = new vscode.CancellationTokenSource();
      return task({ report: (value) => (reports.push(value), value.increment !== undefined && cancel.cancel()) }, cancel.token);
    }) as unknown as Window['withProgress']);
    const infos = recordMessages('showInformationMessage');
    const errors = recordMessages('showErrorMessage');

    await vscode.commands.executeCommand('bnlab.exportToPyTorch', editor.notebook.cellAt(0));

    assert.deepEqual(errors, []);
    assert.equal(progressOptions?.location, vscode.ProgressLocation.Notification);
    assert.equal(progressOptions?.cancellable, true);
    const last = reports.at(-1);
    assert.match(last?.message ?? '', /^Running cell 1 in the engine to record its runs: \d+\/10000/, JSON.stringify(reports));
    assert.ok((last?.increment ?? 0) > 0 && (last?.increment ?? 100) < 100, JSON.stringify(reports));
    assert.deepEqual(infos.map((info) => info.text), ['BatchNorm Lab: export of cell 1 cancelled; the script was not written.']);
    // The worker is a thread of this process: a worker left training would keep a core busy.
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const busy = process.cpuUsage(before);
    assert.ok((busy.user + busy.system) / 1e6 < 0.75, `the extension host is idle after the cancel (${((busy.user + busy.system) / 1e6).toFixed(2)} s of CPU in 1.5 s)`);
    assert.ok(!existsSync(script) && !existsSync(path.join(folder, 'cancelled.engine.json')), 'nothing written');
  });

  test('imports metrics files: a pytorch-comparison cell is added after the active cell, engine file first, and run', async function () {
    this.timeout(120_000);
    const engineFile = path.join(folder, 'export-me-cell2.engine.json');
    assert.ok(existsSync(engineFile), 'the export test ran first and wrote the engine metrics');
    const engine = JSON.parse(readFileSync(engineFile, 'utf8')) as Record<string, unknown>;
    mkdirSync(path.join(folder, 'results'), { recursive: true });
    const pytorchFile = path.join(folder, 'results', 'export-me-cell2.pytorch-1proc.json');
    writeFileSync(pytorchFile, JSON.stringify({ ...engine, source: 'pytorch', label: 'PyTorch, 1 process' }));

    const editor = await openNotebook('compare.bnnb', [
      { kind: 'markdown', language: 'markdown', source: '# The engine and PyTorch' },
      { kind: 'code', language: 'bnlab', source: 'experiment: normalize-features\nbatchSize: 32' },
      { kind: 'code', language: 'bnlab', source: SMALL_EXPERIMENT },
    ]);
    editor.selection = new vscode.NotebookRange(1, 2); // the second cell: the new one goes after it
    let openOptions: vscode.OpenDialogOptions | undefined;
    stub('showOpenDialog', (async (options?: vscode.OpenDialogOptions) => {
      openOptions = options;
      return [vscode.Uri.file(pytorchFile), vscode.Uri.file(engineFile)]; // the engine's second: it goes first
    }) as Window['showOpenDialog']);
    const errors = recordMessages('showErrorMessage');
    await vscode.commands.executeCommand('bnlab.importPyTorchResults');
    assert.deepEqual(errors, []);
    assert.equal(openOptions?.canSelectMany, true);
    assert.equal(openOptions?.defaultUri?.fsPath, folder);
    assert.deepEqual(openOptions?.filters, { 'BatchNorm Lab metrics': ['json'] });

    assert.equal(editor.notebook.cellCount, 4);
    const cell = editor.notebook.cellAt(2);
    assert.equal(cell.document.languageId, 'bnlab');
    assert.equal(cell.document.getText(), 'experiment: pytorch-comparison\nfiles: [export-me-cell2.engine.json, results/export-me-cell2.pytorch-1proc.json]\n');
    await waitFor('the comparison cell to run', () => cell.executionSummary?.timing?.endTime !== undefined, 60_000);
    assert.equal(cell.executionSummary?.success, true, itemsOf(cell).map(textOf).join(' | '));
    const mimes = itemsOf(cell).map((item) => item.mime);
    assert.ok(mimes.includes(PLOT_MIME), `the outputs include a plot: ${mimes.join(', ')}`);
    const plot = JSON.parse(textOf(itemsOf(cell).find((item) => item.mime === PLOT_MIME)!)) as { plot: { title: string } };
    assert.match(plot.plot.title, /BatchNorm Lab engine vs PyTorch, 1 process/, 'the engine file is the reference');
    assert.deepEqual(codeCells(editor).filter((c) => c.executionSummary?.timing).map((c) => c.index), [2], 'only the new cell ran');
  });

  test('a JSON file that is not a metrics file is refused with its name, and no cell is added', async () => {
    const bogus = path.join(folder, 'not-metrics.json');
    writeFileSync(bogus, JSON.stringify({ hello: 'world' }));
    const editor = await openNotebook('refuse.bnnb');
    stub('showOpenDialog', (async () => [vscode.Uri.file(path.join(folder, 'export-me-cell2.engine.json')), vscode.Uri.file(bogus)]) as Window['showOpenDialog']);
    const errors = recordMessages('showErrorMessage');
    await vscode.commands.executeCommand('bnlab.importPyTorchResults');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0]!.text, /not-metrics\.json: not a BatchNorm Lab metrics file \(expected "format": "bnlab-metrics"\)/);
    assert.equal(editor.notebook.cellCount, 3);
  });
  test('the whole way from sample 11: export, torchrun with 2 processes in PyTorch, import, the runs agree in one plot', async function () {
    this.timeout(300_000);
    const dir = mkdtempSync(path.join(folder, 'sample11-'));
    const notebookFile = path.join(dir, '11-take-it-to-pytorch.bnnb');
    copyFileSync(path.join(workspace, 'samples', '11-take-it-to-pytorch.bnnb'), notebookFile);
    const editor = await openAndShow(notebookFile);
    await waitFor('the sample in the active editor', () => vscode.window.activeNotebookEditor?.notebook === editor.notebook, 10_000);

    // 1. Export cell 2 with the defaults (the engine's weights, distributed).
    stub('showQuickPick', (async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => (await items).filter((item) => item.picked)) as unknown as Window['showQuickPick']);
    const script = path.join(dir, 'ics.py');
    stub('showSaveDialog', (async () => vscode.Uri.file(script)) as Window['showSaveDialog']);
    const errors = recordMessages('showErrorMessage');
    const infos = recordMessages('showInformationMessage');
    await vscode.commands.executeCommand('bnlab.exportToPyTorch', editor.notebook.cellAt(1));
    assert.deepEqual(errors, []);
    assert.equal(infos[0]?.text, `BatchNorm Lab: exported 2 runs to ${script}`);

    // 2. Run it with PyTorch: one process, and two under torchrun with SyncBatchNorm (gloo, CPU).
    const python = process.env.BNLAB_PYTHON ?? '/usr/bin/python3';
    const run = async (args: string[]): Promise<void> => {
      try {
        await execFileAsync(python, args, { cwd: dir, env: { ...process.env, OMP_NUM_THREADS: '1' }, timeout: 240_000 });
      } catch (error) {
        const e = error as { message: string; stdout?: string; stderr?: string };
        assert.fail(`${python} ${args.join(' ')} failed (PyTorch installed? apt-get install python3-torch): ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
      }
    };
    await run([script, '--device', 'cpu']);
    // torchrun's --redirects/--tee: Debian's PyTorch 1.13 under Python 3.11 misparses their default (docs/pytorch-export.md).
    await run(['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', '--redirects', '1', '--tee', '1', script, '--device', 'cpu', '--sync-bn']);

    // 3. Import the three metrics files after the export's cell.
    editor.selection = new vscode.NotebookRange(1, 2);
    const files = ['ics.pytorch-2proc-syncbn.json', 'ics.engine.json', 'ics.pytorch-1proc.json'].map((f) => vscode.Uri.file(path.join(dir, f)));
    stub('showOpenDialog', (async () => files) as Window['showOpenDialog']);
    await vscode.commands.executeCommand('bnlab.importPyTorchResults');
    assert.deepEqual(errors, []);
    const cell = editor.notebook.cellAt(2);
    assert.equal(cell.document.getText(), 'experiment: pytorch-comparison\nfiles: [ics.engine.json, ics.pytorch-2proc-syncbn.json, ics.pytorch-1proc.json]\n');
    await waitFor('the comparison cell to run', () => cell.executionSummary?.timing?.endTime !== undefined, 60_000);
    assert.equal(cell.executionSummary?.success, true, itemsOf(cell).map(textOf).join(' | '));

    // 4. One plot with all three; the table says they agree to float32 rounding over the first steps.
    const plot = JSON.parse(textOf(itemsOf(cell).find((item) => item.mime === PLOT_MIME)!)) as { plot: { curves: { arm: string }[] } };
    const arms = new Set(plot.plot.curves.map((c) => c.arm));
    for (const label of ['BatchNorm Lab engine', 'PyTorch, 2 processes, SyncBatchNorm', 'PyTorch, 1 process']) assert.ok(arms.has(`BatchNorm, seed 0 · ${label}`), `the plot has ${label}: ${[...arms].join(', ')}`);
    const table = itemsOf(cell).map(textOf).find((text) => text.includes('| run |'))!;
    for (const label of ['PyTorch, 2 processes, SyncBatchNorm', 'PyTorch, 1 process']) {
      const row = table.split('\n').find((line) => line.startsWith(`| BatchNorm, seed 0 | ${label} |`));
      assert.ok(row, `a row for ${label}`);
      const firstSteps = Number(row.split('|')[4]!.trim());
      assert.ok(firstSteps < 1e-5, `${label}: the first 10 steps differ by ${firstSteps}`);
    }
  });
});
