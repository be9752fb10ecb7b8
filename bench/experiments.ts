// The end-to-end workloads of `npm run bench`: an experiment cell of a sample run as a user runs it (a
// fresh kernel, its pool of workers: bench/experiment-runner.ts) against the exported PyTorch script of
// the same cell (bnlab export, cached under bench/results/exports/), run with one thread
// (bench/torch_script.py). Both are timed from process start to exit, one after the other.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseBnnb } from '../src/shared/bnnb-format';
import type { ExperimentRunnerOutput } from './experiment-runner';

const root = resolve(__dirname, '..');
const EXPORTS = resolve(__dirname, 'results', 'exports');

export interface CellWorkload {
  label: string;
  notebook: string;
  /** 1-based, as the lab counts cells. */
  cell: number;
  /** Rewrites the cell's YAML (e.g. the paper's 50,000 steps). */
  edit?: (source: string) => string;
  /** Only with --long (minutes). */
  long?: boolean;
}

export const CELL_WORKLOADS: Record<string, CellWorkload> = {
  ics: { label: 'sample 02 cell (ICS: 1500 steps, 2 arms × 2 seeds)', notebook: 'samples/02-internal-covariate-shift.bnnb', cell: 2 },
  batch_size: { label: 'sample 05 cell (batch sizes 2–32, 3 seeds)', notebook: 'samples/05-small-batches.bnnb', cell: 2 },
  ics_50k: {
    label: 'sample 02 cell at 50,000 steps (2 arms × 2 seeds)',
    notebook: 'samples/02-internal-covariate-shift.bnnb',
    cell: 2,
    edit: (source) => source.replace(/^steps: *\d+/m, 'steps: 50000'),
    long: true,
  },
};

/** What the bench's process runner returns (bench/index.ts's runRunner). */
export interface ProcessResult {
  ok: boolean;
  reason?: string;
  output?: unknown;
  /** Wall time from spawn to exit. */
  seconds?: number;
}

export type RunProcess = (name: string, cmd: string, args: string[]) => ProcessResult;

export interface TorchScriptOutput {
  runner: 'pytorch-script';
  version: string;
  threads: number;
  script_s: number;
  process_s: number;
  peak_rss_kb: number;
}

export interface CellBench {
  key: string;
  label: string;
  engine: { ok: boolean; reason?: string; process_s?: number; output?: ExperimentRunnerOutput };
  pytorch: { ok: boolean; reason?: string; process_s?: number; output?: TorchScriptOutput };
}

function cellSource(workload: CellWorkload): string {
  const notebook = parseBnnb(readFileSync(resolve(root, workload.notebook), 'utf8'));
  const cell = notebook.cells[workload.cell - 1];
  if (!cell || cell.language !== 'bnlab') throw new Error(`${workload.notebook}: cell ${workload.cell} is not an experiment cell`);
  const source = workload.edit ? workload.edit(cell.source) : cell.source;
  if (source === cell.source && workload.edit) throw new Error(`${workload.notebook}: cell ${workload.cell}: the edit changed nothing`);
  return source;
}

/** The cell's source in a file, and its PyTorch export (made once per source, then reused). */
function prepare(key: string, source: string, exportRunner: string, mnist: string, run: RunProcess): { sourceFile: string; script?: string; reason?: string } {
  const dir = join(EXPORTS, `${key}-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`);
  const sourceFile = join(dir, 'cell.bnlab');
  const script = join(dir, `${key}.py`);
  if (existsSync(script) && existsSync(sourceFile)) return { sourceFile, script };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(sourceFile, source);
  const exported = run(`export of ${key} (once; the cell runs in the engine)`, process.execPath, [exportRunner, sourceFile, dir, key, mnist]);
  if (!exported.ok) {
    rmSync(script, { force: true });
    return { sourceFile, reason: `export failed: ${exported.reason}` };
  }
  return { sourceFile, script };
}

export interface CellBenchOptions {
  keys: string[];
  experimentRunner: string;
  exportRunner: string;
  mnist: string;
  parallelRuns: number;
  torch: boolean;
  run: RunProcess;
}

export function benchCells(options: CellBenchOptions): CellBench[] {
  const results: CellBench[] = [];
  for (const key of options.keys) {
    const workload = CELL_WORKLOADS[key]!;
    const source = cellSource(workload);
    const { sourceFile, script, reason } = prepare(key, source, options.exportRunner, options.mnist, options.run);
    let pytorch: CellBench['pytorch'];
    if (!options.torch) pytorch = { ok: false, reason: 'skipped (--no-torch)' };
    else if (!script) pytorch = { ok: false, reason: reason ?? 'no script' };
    else {
      const metrics = join(EXPORTS, `${key}.pytorch.json`);
      const r = options.run(`pytorch script of ${key}`, '/usr/bin/python3', ['bench/torch_script.py', script, '--device', 'cpu', '--out', metrics]);
      pytorch = r.ok ? { ok: true, process_s: r.seconds, output: r.output as TorchScriptOutput } : { ok: false, reason: r.reason };
    }
    const e = options.run(`engine, ${key}`, process.execPath, [options.experimentRunner, sourceFile, String(options.parallelRuns)]);
    const out = e.output as ExperimentRunnerOutput | undefined;
    const engine: CellBench['engine'] = !e.ok ? { ok: false, reason: e.reason } : out?.ok ? { ok: true, process_s: e.seconds, output: out } : { ok: false, reason: `the cell failed: ${out?.error}` };
    results.push({ key, label: workload.label, engine, pytorch });
  }
  return results;
}

function seconds(s: number | undefined): string {
  return s === undefined ? 'missing' : `${s.toFixed(1)} s`;
}

function mb(kb: number | undefined): string {
  return kb === undefined ? 'missing' : `${(kb / 1024).toFixed(0)} MB`;
}

/** The table and one `engine/pytorch` line per cell, in the style of the bench's other lines. */
export function formatCellBench(results: CellBench[]): string {
  const W0 = 52, W = 10;
  const lines = [['experiment cell (wall time, spawn to exit)'.padEnd(W0), 'engine'.padStart(W), 'pytorch'.padStart(W), 'eng/torch'.padStart(W), 'pool', 'peak RSS eng / torch'].join(' ')];
  for (const r of results) {
    const ratio = r.engine.process_s !== undefined && r.pytorch.process_s !== undefined ? `${(r.engine.process_s / r.pytorch.process_s).toFixed(2)}×` : '–';
    lines.push([r.label.padEnd(W0), seconds(r.engine.process_s).padStart(W), seconds(r.pytorch.process_s).padStart(W), ratio.padStart(W), String(r.engine.output?.pool_size ?? '–').padStart(4), `${mb(r.engine.output?.peak_rss_kb)} / ${mb(r.pytorch.output?.peak_rss_kb)}`].join(' '));
  }
  lines.push('');
  for (const r of results) {
    if (!r.engine.ok) lines.push(`${r.key}: engine missing: ${r.engine.reason}`);
    if (!r.pytorch.ok) lines.push(`${r.key}: peer pytorch missing: ${r.pytorch.reason}`);
    if (!r.engine.ok || !r.pytorch.ok) continue;
    const e = r.engine.output!;
    const t = r.pytorch.output!;
    lines.push(
      `${r.key}: engine/pytorch = ${(r.engine.process_s! / r.pytorch.process_s!).toPrecision(3)} ` +
        `(cell ${e.cell_s.toFixed(1)} s on ${e.pool_size === 1 ? "the kernel's thread" : `a pool of ${e.pool_size} workers`}; script ${t.script_s.toFixed(1)} s after importing torch, ${t.threads} thread)`,
    );
  }
  return lines.join('\n');
}
