// `npm run bench`: the engine against PyTorch (CPU, one thread) and TensorFlow.js (pure-JS CPU
// backend) on the same workloads, each runner in its own process, one after the other (so they
// don't compete for the cores and each reports its own peak RSS). Prints a table and one ratio line
// per workload, and writes everything to bench/results/latest.json.
// The JS runners are bundled with esbuild first (like the shipped extension) and run by plain node:
// code run through tsx's loader measured up to 1.5× slower.
//
// The machine may be shared (another process loading the other core changes memory bandwidth and
// clocks), so PyTorch and the engine run in alternating rounds and each workload's number is the
// median of the rounds' medians; TF.js (slow, only a distant reference) runs once.
//
// End-to-end workloads (bench/experiments.ts): sample 02's and sample 05's experiment cells in a fresh kernel
// with its pool of workers, against their exported PyTorch scripts run with one thread; `--long` adds the
// paper's 50,000-step sample-02 cell (minutes).
//
// Options: `npm run bench -- [--budget=S] [--rounds=R] [--cached-peers] [--no-tfjs] [--no-torch] [--no-cells] [--long] [--parallel-runs=N] [workload ...]`
//   --budget=S      seconds of timed calls per workload and runner, over all rounds (default 3)
//   --rounds=R      alternating PyTorch/engine rounds (default 3)
//   --cached-peers  reuse the peers' numbers from bench/results/latest.json (engine-only rerun)
//   --no-tidy       run the engine's calls without a tidy() scope (no storage reuse for op outputs)
//   --no-cells      skip the end-to-end experiment cells
//   --long          add the 50,000-step sample-02 cell (ics_50k)
//   --parallel-runs=N  the setting batchnormLab.kernel.parallelRuns for the cells (default 0: automatic)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { MNIST_FILE } from '../src/kernel/dataset-bytes';
import type { Measurement, RunnerOutput } from './harness';
import { mnistPath } from './mnist-node';
import { benchCellCompletions, formatCompletionBench, type CompletionBench } from './cell-completions';
import { benchRenderer, formatRendererBench } from './renderer';
import { benchCells, CELL_WORKLOADS, formatCellBench, type CellBench, type RunProcess } from './experiments';

const root = resolve(__dirname, '..');
const RESULTS = resolve(__dirname, 'results', 'latest.json');

const WORKLOADS: Record<string, string> = {
  bn1d: 'BatchNorm1d fwd+bwd (256, 512)',
  bn2d: 'BatchNorm2d fwd+bwd (64, 64, 32, 32)',
  mlp: 'MNIST 784-100-100-100-10 SGD step, B=60',
  mlp_bn: 'same + BatchNorm1d, SGD step, B=60',
};

interface RunnerResult {
  name: string;
  ok: boolean;
  reason?: string;
  output?: RunnerOutput;
  seconds?: number;
  /** Per-round outputs when the runner ran in rounds. */
  rounds?: RunnerOutput[];
}

function median(values: number[]): number {
  const v = values.slice().sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Runs `run` `rounds` times (interleaved by the caller) and merges: median of medians, min of mins. */
function mergeRounds(name: string, parts: RunnerResult[]): RunnerResult {
  const failed = parts.find((p) => !p.ok);
  if (failed) return failed;
  const outs = parts.map((p) => p.output!);
  const results: Record<string, Measurement> = {};
  for (const w of Object.keys(outs[0].results)) {
    const ms = outs.map((o) => o.results[w]);
    results[w] = { median_us: median(ms.map((m) => m.median_us)), min_us: Math.min(...ms.map((m) => m.min_us)), reps: ms.reduce((s, m) => s + m.reps, 0) };
  }
  return {
    name,
    ok: true,
    output: { ...outs[0], results, peak_rss_kb: Math.max(...outs.map((o) => o.peak_rss_kb)) },
    seconds: parts.reduce((s, p) => s + (p.seconds ?? 0), 0),
    rounds: outs,
  };
}

const PEERS = ['pytorch', 'tfjs-cpu'];

/** Bundles a TS runner into `dir` (CommonJS, like dist/extension.js) and returns the file. */
function bundle(entry: string, dir: string): string {
  const outfile = join(dir, entry.replace(/^bench\//, '').replace(/\.ts$/, '.cjs'));
  // ignoreAnnotations: tfjs-backend-cpu registers itself in a module its package.json lists as
  // side-effect free; without this esbuild drops the registration.
  buildSync({ entryPoints: [resolve(root, entry)], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'error', ignoreAnnotations: true });
  return outfile;
}

/** The kernel as the extension ships it (dist/kernel-worker.js, dist/pool-worker.js, data/) and the cell runner beside it. */
function bundleKernel(dir: string): string {
  buildSync({
    entryPoints: { 'kernel-worker': resolve(root, 'src/kernel/worker.ts'), 'pool-worker': resolve(root, 'src/kernel/pool-worker.ts'), 'experiment-runner': resolve(root, 'bench/experiment-runner.ts') },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    outdir: dir,
    logLevel: 'error',
  });
  mkdirSync(join(dir, 'data'), { recursive: true });
  // The kernel reads the digits as the extension ships them: gzipped (src/kernel/dataset-bytes.ts).
  writeFileSync(join(dir, 'data', MNIST_FILE), gzipSync(readFileSync(mnistFile)));
  return join(dir, 'experiment-runner.js');
}

let mnistFile = '';

function runRunner(name: string, cmd: string, args: string[], extraEnv: Record<string, string> = {}): RunnerResult {
  const started = Date.now();
  process.stderr.write(`bench: running ${name}…\n`);
  const res = spawnSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, ...extraEnv, BNLAB_ROOT: root, BNLAB_MNIST: mnistFile, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  const seconds = (Date.now() - started) / 1000;
  if (res.error) return { name, ok: false, reason: `${cmd}: ${res.error.message}`, seconds };
  const line = (res.stdout ?? '').split('\n').reverse().find((l) => l.startsWith('{'));
  if (res.status !== 0 || !line) {
    const err = (res.stderr ?? '').trim().split('\n').filter((l) => !/^\s+at /.test(l)).slice(-3).join(' | ');
    return { name, ok: false, reason: `exit ${res.status}${err ? `: ${err}` : ''}`, seconds };
  }
  try {
    return { name, ok: true, output: JSON.parse(line) as RunnerOutput, seconds };
  } catch (e) {
    return { name, ok: false, reason: `unparsable output: ${(e as Error).message}`, seconds };
  }
}

function fmtTime(us: number): string {
  if (us < 1000) return `${us.toPrecision(3)} µs`;
  if (us < 1e6) return `${(us / 1000).toPrecision(3)} ms`;
  return `${(us / 1e6).toPrecision(3)} s`;
}

function fmtRatio(r: number): string {
  return r >= 10 ? `${r.toFixed(0)}×` : r >= 0.1 ? `${r.toFixed(2)}×` : `${r.toPrecision(2)}×`;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (f: string): boolean => argv.includes(f);
  const budgetArg = argv.find((a) => a.startsWith('--budget='));
  const budget = budgetArg ? Number(budgetArg.slice('--budget='.length)) : 3;
  const roundsArg = argv.find((a) => a.startsWith('--rounds='));
  const rounds = Math.max(1, roundsArg ? Number(roundsArg.slice('--rounds='.length)) : 3);
  const parallelArg = argv.find((a) => a.startsWith('--parallel-runs='));
  const parallelRuns = parallelArg ? Number(parallelArg.slice('--parallel-runs='.length)) : 0;
  const names = argv.filter((a) => !a.startsWith('--'));
  for (const n of names) if (!(n in WORKLOADS) && !(n in CELL_WORKLOADS)) throw new Error(`unknown workload ${n} (known: ${[...Object.keys(WORKLOADS), ...Object.keys(CELL_WORKLOADS)].join(', ')})`);
  const workloads = names.length > 0 ? names.filter((n) => n in WORKLOADS) : Object.keys(WORKLOADS);
  const cellKeys = flag('--no-cells')
    ? []
    : names.length > 0
      ? names.filter((n) => n in CELL_WORKLOADS)
      : Object.keys(CELL_WORKLOADS).filter((k) => flag('--long') || !CELL_WORKLOADS[k]!.long);

  mnistFile = await mnistPath();

  const runners: RunnerResult[] = [];
  const cached = flag('--cached-peers') && existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as { runners: RunnerResult[] }) : null;
  const node = process.execPath;
  const buildDir = mkdtempSync(join(tmpdir(), 'bnlab-bench-'));
  process.on('exit', () => rmSync(buildDir, { recursive: true, force: true }));
  const wl = [String(budget), ...workloads];
  const wlRound = [String(budget / rounds), ...workloads];
  const prevTorch = cached?.runners.find((r) => r.name === 'pytorch');
  const prevTfjs = cached?.runners.find((r) => r.name === 'tfjs-cpu');
  const engineFile = bundle('bench/engine-runner.ts', buildDir);
  const micro = workloads.length > 0;
  // Alternating rounds: PyTorch, engine, PyTorch, engine, …
  const torchParts: RunnerResult[] = [];
  const engineParts: RunnerResult[] = [];
  const runTorch = !prevTorch && !flag('--no-torch');
  for (let r = 0; r < rounds && micro; r++) {
    if (runTorch) torchParts.push(runRunner(`pytorch (round ${r + 1}/${rounds})`, '/usr/bin/python3', ['bench/torch_bench.py', ...wlRound]));
    engineParts.push(runRunner(`engine (round ${r + 1}/${rounds})`, node, [engineFile, ...wlRound], flag('--no-tidy') ? { BNLAB_BENCH_NO_TIDY: '1' } : {}));
  }
  if (micro) {
    const engine = mergeRounds('engine', engineParts);
    if (!engine.ok) throw new Error(`engine runner failed: ${engine.reason}`);
    runners.push(engine);
    if (prevTorch) runners.push({ ...prevTorch, name: 'pytorch' });
    else if (!runTorch) runners.push({ name: 'pytorch', ok: false, reason: 'skipped (--no-torch)' });
    else runners.push({ ...mergeRounds('pytorch', torchParts), name: 'pytorch' });
    if (prevTfjs) runners.push({ ...prevTfjs, name: 'tfjs-cpu' });
    else if (flag('--no-tfjs')) runners.push({ name: 'tfjs-cpu', ok: false, reason: 'skipped (--no-tfjs)' });
    else runners.push(runRunner('tfjs-cpu', node, [bundle('bench/tfjs-runner.ts', buildDir), ...wl]));
    printMicro(workloads, runners);
  }

  // End to end: experiment cells through the kernel and its pool, against their exported PyTorch scripts.
  let cells: CellBench[] = [];
  if (cellKeys.length > 0) {
    const experimentRunner = bundleKernel(join(buildDir, 'kernel'));
    const exportRunner = bundle('bench/export-runner.ts', buildDir);
    cells = benchCells({ keys: cellKeys, experimentRunner, exportRunner, mnist: join(buildDir, 'kernel', 'data', MNIST_FILE), parallelRuns, torch: !flag('--no-torch'), run: runRunner as RunProcess });
    console.log(`\n${formatCellBench(cells)}`);
  }

  mkdirSync(resolve(__dirname, 'results'), { recursive: true });
  const report = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
    budget_s: budget,
    rounds,
    workloads: WORKLOADS,
    runners,
    cells,
  };
  // The renderer: time from renderOutputItem to a drawn plot per kind, and bundle sizes (bench/renderer.ts).
  console.log('\nrenderer (Chromium)');
  const rendererResults = await benchRenderer().catch((error: unknown) => {
    console.log(`renderer bench missing: ${(error as Error).message}`);
    return [];
  });
  if (rendererResults.length > 0) console.log(formatRendererBench(rendererResults));

  // Editing: a completion in a TypeScript cell, through a real TypeScript server with the lab's plugin (bench/cell-completions.ts).
  console.log('\nTypeScript cells (tsserver + plugin)');
  const completion: CompletionBench | undefined = await benchCellCompletions().catch((error: unknown) => {
    console.log(`completion bench missing: ${(error as Error).message}`);
    return undefined;
  });
  if (completion) console.log(formatCompletionBench(completion));
  writeFileSync(RESULTS, JSON.stringify({ ...report, renderer: rendererResults, completion }, null, 2) + '\n');
  console.log(`\nwrote ${RESULTS}${cached ? ' (peers reused from the previous run)' : ''}`);
}

/** The micro workloads' table and one ratio line per workload. */
function printMicro(workloads: string[], runners: RunnerResult[]): void {
  const engine = runners.find((r) => r.name === 'engine')!;
  // ---- table ----
  const W0 = 40, W = 11, WR = 9;
  const head = [pad('workload (median per call)', W0), pad('engine', W, true)];
  for (const p of PEERS) head.push(pad(p, W, true), pad('eng/peer', WR, true));
  const lines = [head.join(' ')];
  const result = (r: RunnerResult, w: string): Measurement | undefined => (r.ok ? r.output?.results[w] : undefined);
  for (const w of workloads) {
    const e = result(engine, w)!;
    const row = [pad(WORKLOADS[w], W0), pad(fmtTime(e.median_us), W, true)];
    for (const p of PEERS) {
      const m = result(runners.find((r) => r.name === p)!, w);
      row.push(pad(m ? fmtTime(m.median_us) : 'missing', W, true), pad(m ? fmtRatio(e.median_us / m.median_us) : '–', WR, true));
    }
    lines.push(row.join(' '));
  }
  const rss = (r: RunnerResult): string => (r.ok && r.output ? `${(r.output.peak_rss_kb / 1024).toFixed(0)} MB` : 'missing');
  const rssRow = [pad('peak RSS of the runner process', W0), pad(rss(engine), W, true)];
  for (const p of PEERS) rssRow.push(pad(rss(runners.find((r) => r.name === p)!), W, true), pad('', WR));
  lines.push(rssRow.join(' '));
  console.log(lines.join('\n'));
  console.log();
  for (const r of runners) if (!r.ok) console.log(`peer ${r.name} missing: ${r.reason}`);
  for (const w of workloads) {
    const e = result(engine, w)!;
    const parts = PEERS.map((p) => {
      const m = result(runners.find((r) => r.name === p)!, w);
      return m ? `engine/${p} = ${(e.median_us / m.median_us).toPrecision(3)} (best-of: ${(e.min_us / m.min_us).toPrecision(3)})` : `engine/${p} = missing`;
    });
    console.log(`${w}: ${parts.join(', ')}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
