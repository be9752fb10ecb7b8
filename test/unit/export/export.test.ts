// The PyTorch export without PyTorch: what it captures from the engine, how it writes layers, and how
// metrics files are read back (test/pytorch runs the scripts in PyTorch itself).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { Generator, nn } from '../../../src/engine';
import { exportExperimentCell } from '../../../src/export/bundle';
import { pytorchComparison } from '../../../src/experiments/pytorch-comparison';
import { ExportError, layerSpecs, pythonLayer, type LayerSpec } from '../../../src/export/layers';
import { pythonScript } from '../../../src/export/python-script';
import { METRICS_FORMAT, parseMetrics } from '../../../src/shared/metrics-file';
import { catalog } from '../../../src/experiments/catalog';
import { parseExperimentCell } from '../../../src/experiments/cell';
import type { ExperimentContext } from '../../../src/experiments/experiment';
import type { Curve } from '../../../src/shared/payload';
import { notebookFiles } from '../../../src/kernel/notebook-files';
import { testContext } from '../experiments/context';

const goodMetrics = { format: METRICS_FORMAT, version: 1, source: 'pytorch', label: 'PyTorch, 1 process', experiment: 'x', setup: {}, runs: [{ name: 'a', arm: 'a', steps: [1], loss: [2], test_accuracy: [null], step_loss: [2], final_test_accuracy: null, diverged: null }] };
const options = { stem: 'run', origin: 'test', weights: true, distributed: false, syncBn: false };

/** Small settings for every exportable experiment: each must capture runs that the script can rebuild. */
const SMALL: Record<string, string> = {
  'internal-covariate-shift': 'steps: 50\nseeds: 1\ncheckpoints: 5\ntestSize: 200',
  'learning-rate-sweep': 'steps: 20\nseeds: 1',
  'feature-scales-training': 'steps: 20\nseeds: 1\ntrainSize: 256\ntestSize: 128',
  'init-sensitivity': 'steps: 20\nseeds: 1\npoints: 3\ntrainSize: 512\ntestSize: 200',
  'batch-size': 'maxBatch: 8\nminBatch: 4\nepochs: 0.1\ntrainSize: 512\ntestSize: 200\nseeds: 1',
  'inference-statistics': 'steps: 20\nseeds: 1',
};

describe('export: every experiment marked exportable captures runs the script can rebuild', () => {
  let context: ExperimentContext;
  before(async () => {
    context = await testContext();
  });

  it('the list of small settings covers exactly the exportable experiments', () => {
    assert.deepEqual(Object.keys(SMALL).sort(), [...catalog.values()].filter((e) => e.exportable).map((e) => e.id).sort());
  });

  for (const [id, settings] of Object.entries(SMALL)) {
    it(`${id}: script, engine metrics, data, batch order and weights`, async () => {
      const source = `experiment: ${id}\n${settings}\n`;
      parseExperimentCell(source, catalog);
      const result = await exportExperimentCell(source, options, context);
      const names = result.files.map((f) => f.path);
      assert.equal(names[0], 'run.py');
      assert.equal(names[1], 'run.engine.json');
      const engine = parseMetrics(result.files[1]!.contents as string, 'run.engine.json');
      assert.equal(engine.source, 'engine');
      assert.equal(engine.runs.length, result.runs.length);
      const script = result.files[0]!.contents as string;
      for (const [k, run] of engine.runs.entries()) {
        // One batch of rows per recorded step, and every recorded step has a loss.
        const order = result.files.find((f) => f.path === `run_data/run${k}-order.bin`)!;
        const line = script.split('\n').find((l) => l.includes(`order="run${k}-order.bin"`))!;
        const batch = Number(line.match(/batch_size=(\d+)/)![1]);
        assert.equal((order.contents as Uint8Array).byteLength, run.step_loss.length * batch * 4, `${run.name}: batch order`);
        assert.ok(run.step_loss.every(Number.isFinite));
        assert.ok(names.includes(`run_data/run${k}-weights.bin`));
      }
      // Without weights the script draws them itself: this throws unless the experiment told the recorder
      // how it initialized every Linear layer.
      const drawn = (await exportExperimentCell(source, { ...options, weights: false }, context)).files[0]!.contents as string;
      assert.match(drawn, /weights=None/);
    });
  }

  it('the engine metrics are those of the experiment\'s own run (internal-covariate-shift: the plotted final accuracy)', async () => {
    const source = `experiment: internal-covariate-shift\n${SMALL['internal-covariate-shift']}\n`;
    const { experiment, params } = parseExperimentCell(source, catalog);
    const own = await experiment.run(params, context);
    const exported = parseMetrics((await exportExperimentCell(source, options, context)).files[1]!.contents as string, 'engine');
    const plot = own.plots[0]!.plot;
    assert.equal(plot.kind, 'training-curves');
    if (plot.kind !== 'training-curves') return;
    for (const run of exported.runs) {
      const curve: Curve | undefined = plot.curves.find((c) => c.arm === run.arm && c.metric === 'accuracy');
      assert.equal(curve?.values.at(-1), Math.round(run.final_test_accuracy! * 100 * 100) / 100, run.name);
    }
  });

  it('refuses an experiment that is not exportable, naming those that are', async () => {
    await assert.rejects(exportExperimentCell('experiment: batch-renorm\n', options, context), (error: Error) => {
      assert.ok(error instanceof ExportError);
      assert.match(error.message, /"batch-renorm" cannot be exported.*Exportable experiments: .*batch-size/s);
      return true;
    });
  });

  it('exports without weights when every init is recorded (N(0, std²), Kaiming normal, PyTorch default)', async () => {
    const result = await exportExperimentCell('experiment: init-sensitivity\nsteps: 10\nseeds: 1\npoints: 3\ntrainSize: 512\ntestSize: 200\n', { ...options, weights: false }, context);
    const script = result.files[0]!.contents as string;
    assert.match(script, /init_std=\[[0-9.e-]+, [0-9.e-]+, [0-9.e-]+, (None|[0-9.e-]+)\]/);
    assert.match(script, /weights=None/);
  });

  it('asks for --weights when a layer was initialized in a way it cannot describe', () => {
    const linear: LayerSpec = { type: 'Linear', inFeatures: 2, outFeatures: 2, bias: true };
    const run = { name: 'custom', arm: 'custom', layers: [linear], parameters: [], train: 0, steps: 1, batchSize: 1, optimizer: { kind: 'sgd' as const, lr: 0.1 }, evalEvery: 1, order: new Int32Array(1), metrics: parseMetrics(JSON.stringify(goodMetrics), 'x').runs[0]! };
    const script = { stem: 's', experimentId: 'x', experimentTitle: 'x', params: {}, origin: 'test', weights: false, distributed: false, syncBn: false };
    assert.throws(() => pythonScript(script, [], [{ run, order: 'o.bin', weights: null, train: 'set0', test: null }]), /Linear layer 1 were set in a way the exporter cannot describe; export with --weights/);
    assert.doesNotThrow(() => pythonScript({ ...script, weights: true }, [], [{ run, order: 'o.bin', weights: 'w.bin', train: 'set0', test: null }]));
  });
});

describe('export: layers in PyTorch\'s words', () => {
  it('writes constructor calls with only the non-default arguments', () => {
    const g = new Generator(0);
    const model = new nn.Sequential(
      new nn.Linear(4, 8, { generator: g }),
      new nn.BatchNorm1d(8, { momentum: null, eps: 1e-3 }),
      new nn.ReLU(),
      new nn.LayerNorm(8, { elementwiseAffine: false }),
      new nn.GroupNorm(2, 8),
      new nn.Dropout(0.25),
      new nn.Linear(8, 2, { bias: false, generator: g }),
    );
    assert.deepEqual(layerSpecs(model).map(pythonLayer), [
      'nn.Linear(4, 8)',
      'nn.BatchNorm1d(8, eps=0.001, momentum=None)',
      'nn.ReLU()',
      'nn.LayerNorm(8, elementwise_affine=False)',
      'nn.GroupNorm(2, 8)',
      'nn.Dropout(p=0.25)',
      'nn.Linear(8, 2, bias=False)',
    ]);
  });

  it('refuses a subclass that computes something else (Batch Renormalization), naming the layer', () => {
    const model = new nn.Sequential(new nn.Linear(4, 4, { generator: new Generator(0) }), new nn.BatchRenorm1d(4));
    assert.throws(() => layerSpecs(model), /layer 1 is a BatchRenorm1d, which has no PyTorch counterpart/);
  });
});

describe('export: metrics files and the pytorch-comparison cell', () => {
  const good = goodMetrics;

  it('reads a good file and says what is wrong with a bad one, naming the file', () => {
    assert.equal(parseMetrics(JSON.stringify(good), 'f.json').runs.length, 1);
    assert.throws(() => parseMetrics('{', 'f.json'), /f\.json: not JSON/);
    assert.throws(() => parseMetrics(JSON.stringify({ ...good, format: 'other' }), 'f.json'), /f\.json: not a BatchNorm Lab metrics file/);
    assert.throws(() => parseMetrics(JSON.stringify({ ...good, version: 2 }), 'f.json'), /metrics version 2 is not supported/);
    assert.throws(() => parseMetrics(JSON.stringify({ ...good, runs: [{ ...good.runs[0], loss: [] }] }), 'f.json'), /runs\[0\]: "steps", "loss" and "test_accuracy" must have the same length/);
  });

  it('the comparison cell needs a saved notebook, and says which file is missing', async () => {
    const context = await testContext();
    await assert.rejects(Promise.resolve(pytorchComparison.run({ files: ['a.json'], firstSteps: 10 }, context)), /save the notebook to a folder first/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bnlab-compare-'));
    await assert.rejects(Promise.resolve(pytorchComparison.run({ files: ['missing.json'], firstSteps: 10 }, { ...context, files: notebookFiles(dir) })), /missing\.json: no such file/);
    writeFileSync(path.join(dir, 'a.json'), JSON.stringify(good));
    writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ ...good, experiment: 'y' }));
    await assert.rejects(Promise.resolve(pytorchComparison.run({ files: ['a.json', 'b.json'], firstSteps: 10 }, { ...context, files: notebookFiles(dir) })), /different experiments \(x, y\)/);
  });

  it('a files parameter must be a list of paths', () => {
    assert.throws(() => parseExperimentCell('experiment: pytorch-comparison\nfiles: run.json\n', catalog), /"files" must be a list of 1 to 8 file paths/);
    assert.throws(() => parseExperimentCell('experiment: pytorch-comparison\nfiles: []\n', catalog), /got 0 paths/);
    assert.deepEqual(parseExperimentCell('experiment: pytorch-comparison\nfiles: [a.json, b/c.json]\n', catalog).params.files, ['a.json', 'b/c.json']);
  });
});
