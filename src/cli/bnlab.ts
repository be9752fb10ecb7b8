#!/usr/bin/env node
/**
 * `bnlab`: the lab outside the editor.
 *
 *     bnlab run <notebook.bnnb>… [--out <executed.bnnb>] [--html <report.html>] [--timeout <seconds>] [--check]
 *     bnlab export <notebook.bnnb> --cell <n> [-o <script.py>] [--weights] [--distributed] [--sync-bn]
 *
 * Runs every code cell with the same kernel (a worker thread) the extension uses, stops at the first
 * failing cell, shows progress on stderr and a line per cell, writes the executed notebook (by default
 * `<name>.executed.bnnb` beside the input; the input is never modified unless `--out` names it) and,
 * with `--html`, a self-contained report. Exits 1 if a cell failed, 2 for bad usage or an unreadable file.
 * Several notebooks run one after the other (without `--out` and `--html`, which name one file). With
 * `--check`, the claims each experiment declares (the "Claims checked" tables of its summary) are printed
 * on stdout, and the exit code is 1 when one of them does not hold: a notebook is a reproducibility test.
 *
 * `export` runs experiment cell n (counting every cell from 1, as the lab's messages do) once in the engine
 * and writes a PyTorch script that rebuilds its training runs (see docs/pytorch-export.md); exits 1 if the
 * cell cannot be exported.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseBnnb, stringifyBnnb, type BnnbNotebook } from '../shared/bnnb-format';
import { ERROR_MIME } from '../kernel/outputs';
import { ProgressClock, formatDuration } from '../kernel/progress-text';
import { KernelSession } from '../kernel/session';
import { renderReport } from '../kernel/report';
import { readReportScript } from './report-script';
import type { ExperimentContext } from '../experiments/experiment';
import { exportExperimentCell } from '../export/bundle';
import { writeExport } from '../export/write';
import { fileDatasets } from '../kernel/datasets';
import { EXPERIMENT_LANGUAGE } from '../kernel/experiment-cell';
import { readClaimsTables, type ClaimResult } from '../experiments/claims';

const USAGE = [
  'usage: bnlab run <notebook.bnnb>… [--out <executed.bnnb>] [--html <report.html>] [--timeout <seconds per cell>] [--check]',
  '       bnlab export <notebook.bnnb> --cell <n> [-o <script.py>] [--weights] [--distributed] [--sync-bn]',
].join('\n');

interface RunOptions {
  file: string;
  out: string;
  html?: string;
  timeoutSeconds?: number;
}

interface RunOutcome {
  /** 0 every cell ran, 1 a cell failed, 2 the notebook could not be read. */
  code: number;
  claims: { cell: number; claims: ClaimResult[] }[];
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        html: { type: 'string' },
        timeout: { type: 'string' },
        cell: { type: 'string' },
        weights: { type: 'boolean' },
        distributed: { type: 'boolean' },
        'sync-bn': { type: 'boolean' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`bnlab: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, file, ...extra] = positionals;
  const files = file ? [file, ...extra] : [];
  if (command === 'export' && file && extra.length === 0) {
    const cell = Number(values.cell);
    if (!Number.isInteger(cell) || cell < 1) {
      console.error(`bnlab export: --cell must be a cell number (1 for the first cell), got ${values.cell === undefined ? 'nothing' : `"${values.cell}"`}\n${USAGE}`);
      return 2;
    }
    if (values['sync-bn'] && !values.distributed) {
      console.error('bnlab export: --sync-bn applies to --distributed scripts (one process has no other batch to synchronize with)');
      return 2;
    }
    return exportCell({ file, cell, out: values.out, weights: values.weights === true, distributed: values.distributed === true, syncBn: values['sync-bn'] === true });
  }
  if (command !== 'run' || files.length === 0) {
    console.error(USAGE);
    return 2;
  }
  if (files.length > 1 && (values.out !== undefined || values.html !== undefined)) {
    console.error(`bnlab run: --out and --html name one file; with ${files.length} notebooks, each is written beside its input as <name>.executed.bnnb\n${USAGE}`);
    return 2;
  }
  const timeoutSeconds = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) {
    console.error(`bnlab: --timeout must be a number of seconds greater than 0, got "${values.timeout}"`);
    return 2;
  }
  let code = 0;
  const checked: { file: string; claims: RunOutcome['claims'] }[] = [];
  for (const each of files) {
    const out = values.out ?? path.join(path.dirname(each), `${path.basename(each, '.bnnb')}.executed.bnnb`);
    if (values.out === undefined) console.error(`bnlab: no --out given: the executed notebook goes beside the input, to ${out} (git ignores *.executed.bnnb)`);
    if (files.length > 1) console.error(`${each}:`);
    const outcome = await run({ file: each, out, html: values.html, timeoutSeconds });
    code = Math.max(code, outcome.code);
    checked.push({ file: each, claims: outcome.claims });
  }
  if (values.check) {
    console.log(claimsReport(checked));
    const failed = checked.flatMap((c) => c.claims.flatMap((cell) => cell.claims)).filter((c) => c.holds === false).length;
    if (failed > 0) {
      console.error(`bnlab run --check: ${failed} claim${failed === 1 ? '' : 's'} did not hold`);
      code = Math.max(code, 1);
    }
  }
  return code;
}

/** The claims of every experiment cell run, as one markdown table per notebook. */
function claimsReport(checked: { file: string; claims: RunOutcome['claims'] }[]): string {
  const escape = (text: string): string => text.replace(/\|/g, '\\|');
  const blocks = checked.map(({ file, claims }) => {
    const rows = claims.flatMap(({ cell, claims: list }) => list.map((c) => `| ${cell} | ${escape(c.claim)} | ${escape(c.measured)} | ${c.holds === null ? '– not measured' : c.holds ? '✓ holds' : '✗ does not hold'} |`));
    if (rows.length === 0) return `${file}: no claims declared by its cells`;
    return [`${file}:`, '', '| cell | claim | measured | holds |', '|---:|---|---|---|', ...rows].join('\n');
  });
  const all = checked.flatMap((c) => c.claims.flatMap((cell) => cell.claims));
  const tally = `${all.filter((c) => c.holds === true).length} of ${all.length} claims hold, ${all.filter((c) => c.holds === false).length} do not, ${all.filter((c) => c.holds === null).length} not measured`;
  return [...blocks, tally].join('\n\n');
}

async function exportCell(options: { file: string; cell: number; out?: string; weights: boolean; distributed: boolean; syncBn: boolean }): Promise<number> {
  let notebook: BnnbNotebook;
  try {
    notebook = parseBnnb(readFileSync(options.file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    console.error(`bnlab: ${options.file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    return 2;
  }
  const cell = notebook.cells[options.cell - 1];
  if (!cell || cell.kind !== 'code' || cell.language !== EXPERIMENT_LANGUAGE) {
    const experimentCells = notebook.cells.flatMap((c, i) => (c.kind === 'code' && c.language === EXPERIMENT_LANGUAGE ? [i + 1] : []));
    const what = !cell ? `has no cell ${options.cell} (it has ${notebook.cells.length})` : `cell ${options.cell} is ${cell.kind === 'markdown' ? 'a markdown cell' : `a ${cell.language} cell`}`;
    console.error(`bnlab export: ${options.file} ${what}; its experiment cells are ${experimentCells.length ? experimentCells.join(', ') : 'none'}`);
    return 2;
  }
  const script = options.out ?? path.join(path.dirname(options.file), `${path.basename(options.file, '.bnnb')}-cell${options.cell}.py`);
  const stem = path.basename(script, '.py');
  const bar = new ProgressBar();
  const clock = new ProgressClock();
  const context: ExperimentContext = {
    datasets: fileDatasets(path.join(__dirname, 'data')),
    checkInterrupt() {},
    progress: (progress) => bar.show(`cell ${options.cell}: running it in the engine to record its runs, ${clock.describe(progress)}`),
  };
  try {
    const result = await exportExperimentCell(cell.source, { stem, origin: `${path.basename(options.file)}, cell ${options.cell}`, weights: options.weights, distributed: options.distributed, syncBn: options.syncBn }, context);
    bar.clear();
    const written = await writeExport(path.dirname(script), stem, result.files);
    console.error(`exported ${result.runs.length} run${result.runs.length === 1 ? '' : 's'}:\n  ${result.runs.join('\n  ')}`);
    console.error(`wrote ${written.length} files: ${written[0]}, ${written[1]} and ${written.length - 2} in ${stem}_data/`);
    console.error(options.distributed ? `run: torchrun --standalone --nproc_per_node=2 ${script}${options.syncBn ? '' : ' [--sync-bn]'}` : `run: python3 ${script}`);
    return 0;
  } catch (error) {
    bar.clear();
    console.error(`bnlab export: cell ${options.cell}: ${(error as Error).message}`);
    return 1;
  }
}

async function run(options: RunOptions): Promise<RunOutcome> {
  if (!existsSync(options.file)) {
    console.error(`bnlab: ${options.file}: no such file`);
    return { code: 2, claims: [] };
  }
  let notebook: BnnbNotebook;
  try {
    notebook = parseBnnb(readFileSync(options.file, 'utf8'));
  } catch (error) {
    console.error(`bnlab: ${options.file}: ${(error as Error).message}`);
    return { code: 2, claims: [] };
  }

  const session = new KernelSession({ workerPath: path.join(__dirname, 'kernel-worker.js') });
  let failed: boolean;
  try {
    failed = await runAll(notebook, session, options.timeoutSeconds, path.dirname(path.resolve(options.file)));
  } finally {
    session.dispose();
  }
  writeFileSync(options.out, stringifyBnnb(notebook));
  console.error(`wrote ${options.out}`);
  if (options.html) {
    writeFileSync(options.html, renderReport(notebook, path.basename(options.file), readReportScript()));
    console.error(`wrote ${options.html}`);
  }
  return { code: failed ? 1 : 0, claims: cellClaims(notebook) };
}

/** The claims tables in each code cell's markdown outputs (cells numbered from 1, as the lab's messages do). */
function cellClaims(notebook: BnnbNotebook): RunOutcome['claims'] {
  return notebook.cells.flatMap((cell, index) => {
    if (cell.kind !== 'code') return [];
    // A plot carries the summary as its text fallback too: read each distinct markdown text once.
    const texts = new Set(cell.outputs.flatMap((output) => output.items).filter((item) => item.mime === 'text/markdown').map((item) => String(item.data)));
    const claims = [...texts].flatMap((text) => readClaimsTables(text));
    const unique = claims.filter((c, i) => claims.findIndex((d) => d.claim === c.claim && d.measured === c.measured) === i);
    return unique.length > 0 ? [{ cell: index + 1, claims: unique }] : [];
  });
}

/** Runs the code cells in order; returns whether one failed (the cells after it are left unrun). */
async function runAll(notebook: BnnbNotebook, session: KernelSession, timeoutSeconds: number | undefined, directory: string): Promise<boolean> {
  const codeCells = notebook.cells.filter((cell) => cell.kind === 'code');
  const bar = new ProgressBar();
  let order = 0;
  for (const [index, cell] of notebook.cells.entries()) {
    if (cell.kind !== 'code') continue;
    const position = `cell ${index + 1} (${++order}/${codeCells.length}, ${cell.language})`;
    const clock = new ProgressClock();
    bar.show(`${position} running`);
    let timedOut = false;
    const timer = timeoutSeconds === undefined ? undefined : setTimeout(() => ((timedOut = true), session.interrupt()), timeoutSeconds * 1000);
    const startTime = Date.now();
    const result = await session.run({ language: cell.language, source: cell.source, label: `Cell ${index + 1}`, directory }, { onProgress: (progress) => bar.show(`${position} ${clock.describe(progress)}`) });
    clearTimeout(timer);
    const endTime = Date.now();
    bar.clear();
    if (timedOut) result.outputs.push({ items: [{ mime: ERROR_MIME, data: { name: 'TimeoutError', message: `The cell ran longer than --timeout ${timeoutSeconds} s and was stopped.`, stack: '' } }] });
    cell.outputs = result.outputs;
    cell.execution = { order, success: result.success, startTime, endTime };
    console.error(`${result.success ? '✓' : '✗'} ${position} ${formatDuration((endTime - startTime) / 1000)}`);
    if (!result.success) {
      for (const item of result.outputs.flatMap((output) => output.items).filter((item) => item.mime === ERROR_MIME)) {
        console.error(`  ${(item.data as { name: string; message: string }).name}: ${(item.data as { message: string }).message}`);
      }
      const skipped = codeCells.length - order;
      if (skipped > 0) console.error(`  stopped: ${skipped} cell${skipped === 1 ? '' : 's'} after it left unrun`);
      return true;
    }
  }
  return false;
}

/** One status line on stderr: redrawn in place on a terminal, printed every few seconds otherwise. */
class ProgressBar {
  private readonly tty = process.stderr.isTTY === true;
  private lastPrinted = 0;
  private drawn = false;

  show(text: string): void {
    if (this.tty) {
      const width = process.stderr.columns ?? 100;
      process.stderr.write(`\r\x1b[2K${text.slice(0, width - 1)}`);
      this.drawn = true;
    } else if (Date.now() - this.lastPrinted > 5000) {
      this.lastPrinted = Date.now();
      process.stderr.write(`  … ${text}\n`);
    }
  }

  clear(): void {
    if (this.tty && this.drawn) process.stderr.write('\r\x1b[2K');
    this.drawn = false;
    this.lastPrinted = 0;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
