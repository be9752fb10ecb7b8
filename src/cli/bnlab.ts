#!/usr/bin/env node
/**
 * `bnlab`: the lab outside the editor.
 *
 *     bnlab run <notebook.bnnb> [--out <executed.bnnb>] [--html <report.html>] [--timeout <seconds>]
 *
 * Runs every code cell with the same kernel (a worker thread) the extension uses, stops at the first
 * failing cell, shows progress on stderr and a line per cell, writes the executed notebook (by default
 * `<name>.executed.bnnb` beside the input; the input is never modified unless `--out` names it) and,
 * with `--html`, a self-contained report. Exits 1 if a cell failed, 2 for bad usage or an unreadable file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseBnnb, stringifyBnnb, type BnnbNotebook } from '../notebook/format';
import { ERROR_MIME } from '../kernel/outputs';
import { ProgressClock, formatDuration } from '../kernel/progress-text';
import { KernelSession } from '../kernel/session';
import { renderReport } from './report';

const USAGE = `usage: bnlab run <notebook.bnnb> [--out <executed.bnnb>] [--html <report.html>] [--timeout <seconds per cell>]`;

interface RunOptions {
  file: string;
  out: string;
  html?: string;
  timeoutSeconds?: number;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: 'string', short: 'o' }, html: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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
  if (command !== 'run' || !file || extra.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const timeoutSeconds = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) {
    console.error(`bnlab: --timeout must be a number of seconds greater than 0, got "${values.timeout}"`);
    return 2;
  }
  const out = values.out ?? path.join(path.dirname(file), `${path.basename(file, '.bnnb')}.executed.bnnb`);
  return run({ file, out, html: values.html, timeoutSeconds });
}

async function run(options: RunOptions): Promise<number> {
  if (!existsSync(options.file)) {
    console.error(`bnlab: ${options.file}: no such file`);
    return 2;
  }
  let notebook: BnnbNotebook;
  try {
    notebook = parseBnnb(readFileSync(options.file, 'utf8'));
  } catch (error) {
    console.error(`bnlab: ${options.file}: ${(error as Error).message}`);
    return 2;
  }

  const session = new KernelSession({ workerPath: path.join(__dirname, 'kernel-worker.js') });
  let failed: boolean;
  try {
    failed = await runAll(notebook, session, options.timeoutSeconds);
  } finally {
    session.dispose();
  }
  writeFileSync(options.out, stringifyBnnb(notebook));
  console.error(`wrote ${options.out}`);
  if (options.html) {
    writeFileSync(options.html, renderReport(notebook, path.basename(options.file)));
    console.error(`wrote ${options.html}`);
  }
  return failed ? 1 : 0;
}

/** Runs the code cells in order; returns whether one failed (the cells after it are left unrun). */
async function runAll(notebook: BnnbNotebook, session: KernelSession, timeoutSeconds: number | undefined): Promise<boolean> {
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
    const result = await session.run({ language: cell.language, source: cell.source, label: `Cell ${index + 1}` }, { onProgress: (progress) => bar.show(`${position} ${clock.describe(progress)}`) });
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
