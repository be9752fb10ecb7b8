#!/usr/bin/env node
/**
 * `bnlab`: the lab outside the editor. `bnlab run <notebook.bnnb> [--out <executed.bnnb>]` runs every
 * code cell with the same kernel code the extension uses, stops at the first failing cell, prints a line
 * per cell, writes the outputs, and exits non-zero if a cell failed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BnnbFormatError, parseBnnb, stringifyBnnb, type BnnbNotebook } from '../notebook/format';
import { runCell } from '../notebook/kernel';

const USAGE = 'usage: bnlab run <notebook.bnnb> [--out <executed.bnnb>]';

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, file] = positionals;
  if (command !== 'run' || !file) {
    console.error(USAGE);
    return 2;
  }
  let notebook: BnnbNotebook;
  try {
    notebook = parseBnnb(readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`${file}: ${error instanceof BnnbFormatError || error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const failed = await runAll(notebook);
  const out = values.out ?? file;
  writeFileSync(out, stringifyBnnb(notebook));
  console.error(`wrote ${out}`);
  return failed ? 1 : 0;
}

/** Runs the code cells in order; returns whether one failed (the cells after it are left unrun). */
async function runAll(notebook: BnnbNotebook): Promise<boolean> {
  let order = 0;
  for (const [index, cell] of notebook.cells.entries()) {
    if (cell.kind !== 'code') continue;
    const startTime = Date.now();
    const run = await runCell({ language: cell.language, source: cell.source });
    const endTime = Date.now();
    cell.outputs = run.outputs;
    cell.execution = { order: ++order, success: run.success, startTime, endTime };
    const status = run.success ? 'ok    ' : 'FAILED';
    console.error(`cell ${index + 1}: ${status} ${((endTime - startTime) / 1000).toFixed(2)} s`);
    if (!run.success) {
      const message = run.outputs.flatMap((o) => o.items).map((item) => (item.data as { message?: string }).message).find(Boolean);
      console.error(`  ${message}`);
      return true;
    }
  }
  return false;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
