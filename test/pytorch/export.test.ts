/**
 * The PyTorch export, checked by running the exported scripts with a real PyTorch on CPU (Debian's
 * python3-torch: `.ci/run` installs it) and comparing with the engine's runs of the same cells:
 * one process, and two processes under torchrun (gloo) with and without SyncBatchNorm.
 * If PyTorch is missing these tests fail and say how to install it; they are never skipped.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pytorchComparison } from '../../src/experiments/pytorch-comparison';
import { exportExperimentCell, type ExportOptions } from '../../src/export/bundle';
import { parseMetrics, type MetricsFile, type RunMetrics } from '../../src/shared/metrics-file';
import { writeExport } from '../../src/export/write';
import { quietContext } from '../../src/experiments/experiment';
import { fileDatasets } from '../../src/kernel/datasets';
import { notebookFiles } from '../../src/kernel/notebook-files';

const PYTHON = process.env.BNLAB_PYTHON ?? '/usr/bin/python3';
const DATA = path.resolve('dist/data');
const work = mkdtempSync(path.join(tmpdir(), 'bnlab-pytorch-'));

/** Why PyTorch cannot run here, or undefined when it can. */
function torchProblem(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, torch.distributed; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} cannot be run (${probe.error.message})`;
  if (probe.status !== 0) return `${PYTHON} has no PyTorch (${probe.stderr.trim().split('\n').at(-1)})`;
  return undefined;
}

async function exportCell(name: string, source: string, options: Partial<ExportOptions> = {}): Promise<string> {
  const dir = path.join(work, name);
  const full: ExportOptions = { stem: name, origin: `test, ${name}`, weights: true, distributed: false, syncBn: false, ...options };
  const result = await exportExperimentCell(source, full, quietContext(fileDatasets(DATA)));
  await writeExport(dir, name, result.files);
  return path.join(dir, `${name}.py`);
}

/** Runs the script (python3, or torchrun with `processes`) and returns the metrics file it wrote. */
function runScript(script: string, args: string[] = [], processes = 1): MetricsFile {
  const out = path.join(path.dirname(script), `run-${processes}-${args.join('') || 'default'}.json`);
  const command =
    processes === 1
      ? [script, '--device', 'cpu', '--out', out, ...args]
      : // torchrun itself; --redirects/--tee work around Debian's PyTorch 1.13 under Python 3.11, where torchrun's
        // default ("0") is parsed as None (fixed in PyTorch 2). See docs/pytorch-export.md.
        ['-m', 'torch.distributed.run', '--standalone', `--nproc_per_node=${processes}`, '--redirects', '1', '--tee', '1', script, '--device', 'cpu', '--out', out, ...args];
  const result = spawnSync(PYTHON, command, { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' }, timeout: 300_000 });
  assert.equal(result.status, 0, `${path.basename(script)} ${args.join(' ')} (${processes} process(es)) failed:\n${result.stdout}\n${result.stderr}`);
  return parseMetrics(readFileSync(out, 'utf8'), out);
}

function engineMetrics(script: string): MetricsFile {
  const file = script.replace(/\.py$/, '.engine.json');
  return parseMetrics(readFileSync(file, 'utf8'), file);
}

function run(file: MetricsFile, name: string): RunMetrics {
  const found = file.runs.find((r) => r.name === name);
  assert.ok(found, `no run "${name}" in ${file.label}: ${file.runs.map((r) => r.name).join(', ')}`);
  return found;
}

/** Largest |a − b| / max(1, |a|) over the first `steps` steps (both must have them). */
function maxDifference(a: RunMetrics, b: RunMetrics, steps = Infinity): number {
  const n = Math.min(a.step_loss.length, steps);
  assert.ok(b.step_loss.length >= n, `${b.name}: ${b.step_loss.length} steps, expected ${n}`);
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a.step_loss[i]! - b.step_loss[i]!) / Math.max(1, Math.abs(a.step_loss[i]!)));
  return worst;
}

// A short Ioffe & Szegedy MNIST run: 3 × 100 sigmoid units, with and without BatchNorm, batches of 60.
const ICS = 'experiment: internal-covariate-shift\nsteps: 120\nseeds: 1\ncheckpoints: 6\ntestSize: 500\n';
const FLOAT_TOLERANCE = 1e-5;

describe('PyTorch export: the scripts run in PyTorch and match the engine', () => {
  before(() => {
    assert.ok(existsSync(path.join(DATA, 'mnist.bin.gz')), 'dist/data/mnist.bin.gz is missing: run `npm run build` first');
    const problem = torchProblem();
    assert.equal(problem, undefined, `${problem}. These tests run the exported scripts with PyTorch: install it with \`apt-get install python3-torch libopenblas0-pthread\` (Debian), or point BNLAB_PYTHON at a Python with torch.`);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('PyTorch is available to run the exported scripts', () => {
    assert.equal(torchProblem(), undefined);
  });

  it('one process, engine weights: every step\'s loss matches the engine within float32 rounding, and so does test accuracy', async () => {
    const script = await exportCell('ics', ICS);
    const engine = engineMetrics(script);
    const torch = runScript(script);
    assert.equal(torch.source, 'pytorch');
    for (const name of ['no norm, seed 0', 'BatchNorm, seed 0']) {
      const e = run(engine, name);
      const t = run(torch, name);
      assert.equal(t.step_loss.length, 120);
      assert.ok(maxDifference(e, t, 10) < FLOAT_TOLERANCE, `${name}: first 10 steps differ by ${maxDifference(e, t, 10)}`);
      assert.ok(maxDifference(e, t) < 1e-3, `${name}: 120 steps differ by ${maxDifference(e, t)}`);
      assert.deepEqual(t.steps, e.steps);
      assert.ok(Math.abs(t.final_test_accuracy! - e.final_test_accuracy!) <= 0.01, `${name}: final test accuracy ${t.final_test_accuracy} vs engine ${e.final_test_accuracy}`);
    }
    // The engine's BatchNorm run learns (the export is not comparing two broken runs).
    assert.ok(run(engine, 'BatchNorm, seed 0').final_test_accuracy! > 0.6);
  });

  it('torchrun, 2 processes (gloo): with SyncBatchNorm it matches one process over the same global batch; without, BatchNorm differs', async () => {
    const script = await exportCell('ics_ddp', ICS, { distributed: true });
    const text = readFileSync(script, 'utf8');
    assert.match(text, /DistributedDataParallel/);
    assert.match(text, /class GlobalBatchNorm/);
    const engine = engineMetrics(script);
    const single = runScript(script);
    const synced = runScript(script, ['--sync-bn'], 2);
    const perProcess = runScript(script, [], 2);
    assert.equal(synced.setup.processes, 2);
    assert.equal(synced.setup.sync_bn, true);
    assert.equal(perProcess.setup.sync_bn, false);
    for (const name of ['no norm, seed 0', 'BatchNorm, seed 0']) {
      assert.ok(maxDifference(run(single, name), run(synced, name), 10) < FLOAT_TOLERANCE, `${name}: 2 processes with SyncBatchNorm vs 1 process: ${maxDifference(run(single, name), run(synced, name), 10)}`);
      assert.ok(maxDifference(run(engine, name), run(synced, name), 10) < FLOAT_TOLERANCE, `${name}: 2 processes with SyncBatchNorm vs the engine`);
    }
    // Without SyncBatchNorm a network without batch norm is unaffected (DDP averages the gradients of equal
    // shares), but BatchNorm normalizes each half batch by its own statistics: a different function.
    assert.ok(maxDifference(run(single, 'no norm, seed 0'), run(perProcess, 'no norm, seed 0'), 10) < FLOAT_TOLERANCE);
    const bnGap = maxDifference(run(single, 'BatchNorm, seed 0'), run(perProcess, 'BatchNorm, seed 0'), 10);
    assert.ok(bnGap > 1e-3, `BatchNorm per process should differ from the global-batch run, differs by ${bnGap}`);
  });

  it('without --weights PyTorch draws the initial weights itself, from the same distributions', async () => {
    const script = await exportCell('ics_own_init', ICS, { weights: false });
    const text = readFileSync(script, 'utf8');
    assert.match(text, /init_std=\[0\.1, 0\.1, 0\.1, 0\.1\]/);
    assert.match(text, /weights=None/);
    const engine = engineMetrics(script);
    const torch = runScript(script);
    const e = run(engine, 'BatchNorm, seed 0');
    const t = run(torch, 'BatchNorm, seed 0');
    assert.notEqual(t.step_loss[0], e.step_loss[0]);
    // Same init scale, same data: the first loss is near ln 10 in both, and BatchNorm learns in both.
    assert.ok(Math.abs(t.step_loss[0]! - Math.log(10)) < 0.3 && Math.abs(e.step_loss[0]! - Math.log(10)) < 0.3);
    assert.ok(t.final_test_accuracy! > 0.6, `PyTorch's BatchNorm run reached ${t.final_test_accuracy}`);
  });

  it('float inputs, an input BatchNorm and Adam (feature-scales-training) match too', async () => {
    const script = await exportCell('scales', 'experiment: feature-scales-training\nsteps: 40\nseeds: 1\noptimizer: adam\nlr: 0.01\ntrainSize: 512\ntestSize: 256\n');
    assert.match(readFileSync(script, 'utf8'), /"float32"/);
    const engine = engineMetrics(script);
    const torch = runScript(script);
    assert.ok(engine.runs.length >= 3);
    for (const e of engine.runs) {
      const t = run(torch, e.name);
      // The BatchNorm on raw inputs sees a feature around 10,000 that spans ±1: PyTorch's float32 statistics
      // lose digits there (2.5e-6 at the first step) where the engine's float64 ones do not, and Adam
      // amplifies the difference; every other arm agrees to float32 rounding.
      const tolerance = e.name.startsWith('BatchNorm,') ? 1e-3 : 1e-4;
      assert.ok(maxDifference(e, t, 10) < tolerance, `${e.name}: first 10 steps differ by ${maxDifference(e, t, 10)}`);
    }
  });

  it('GroupNorm, LayerNorm and downsampled inputs (batch-size) match too', async () => {
    const script = await exportCell('batches', 'experiment: batch-size\nmaxBatch: 8\nminBatch: 4\nepochs: 0.25\ntrainSize: 512\ntestSize: 200\nseeds: 1\n');
    const text = readFileSync(script, 'utf8');
    assert.match(text, /nn\.GroupNorm\(8, 64\)/);
    assert.match(text, /nn\.LayerNorm\(64\)/);
    const engine = engineMetrics(script);
    const torch = runScript(script);
    assert.equal(engine.runs.length, 8);
    for (const e of engine.runs) assert.ok(maxDifference(e, run(torch, e.name), 10) < 1e-4, `${e.name}: first 10 steps differ by ${maxDifference(e, run(torch, e.name), 10)}`);
  });

  it('the pytorch-comparison cell reads the files back and tabulates the agreement', async () => {
    const dir = path.join(work, 'ics_ddp');
    const files = ['ics_ddp.engine.json', 'run-1-default.json', 'run-2---sync-bn.json', 'run-2-default.json'];
    for (const f of files) assert.ok(existsSync(path.join(dir, f)), `${f} missing`);
    const result = await pytorchComparison.run({ files, firstSteps: 10 }, { ...quietContext(), files: notebookFiles(dir) });
    assert.equal(result.plots.length, 1);
    const plot = result.plots[0]!.plot;
    assert.equal(plot.kind, 'training-curves');
    assert.match(result.markdown, /PyTorch, 2 processes, SyncBatchNorm/);
    assert.match(result.markdown, /Why "PyTorch, 2 processes, BatchNorm per process" differs/);
  });
});

describe('PyTorch export: what cannot be exported says why', () => {
  it('an experiment with its own training loop is refused, naming the exportable ones', async () => {
    await assert.rejects(exportCell('refused', 'experiment: normalize-features\n'), /cannot be exported to PyTorch.*Exportable experiments: .*internal-covariate-shift/s);
  });

  it('a script name Python cannot import is refused', async () => {
    await assert.rejects(exportCell('bad name', ICS), /not a usable script name/);
  });

  it('the generated script is valid Python', async () => {
    const script = await exportCell('syntax', 'experiment: learning-rate-sweep\nsteps: 10\nseeds: 1\n', { distributed: true, weights: false });
    execFileSync(PYTHON, ['-m', 'py_compile', script]);
  });
});
