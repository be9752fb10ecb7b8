/**
 * "Export Experiment to PyTorch": an experiment cell → the files of a standalone PyTorch script.
 *
 *   <stem>.py             the script
 *   <stem>.engine.json    the engine's metrics for the same runs (what the script's should match)
 *   <stem>_data/          input sets, each run's batch order and (with --weights) initial weights
 *
 * Pure apart from running the experiment: the caller writes the files (CLI, or the extension's worker).
 */
import { catalog } from '../experiments/catalog';
import { parseExperimentCell } from '../experiments/cell';
import type { ExperimentContext } from '../experiments/experiment';
import { captureExperiment, concat, storedInputs, type CapturedRun } from './capture';
import { ExportError, type LayerSpec } from './layers';
import { METRICS_FORMAT, METRICS_VERSION, type MetricsFile } from '../shared/metrics-file';
import { pythonScript, type ScriptDataset, type ScriptRun } from './python-script';

export interface ExportOptions {
  /** File name of the script without `.py`. */
  stem: string;
  /** Where the cell comes from, for the script's docstring, e.g. "samples/02-….bnnb, cell 3". */
  origin: string;
  weights: boolean;
  distributed: boolean;
  syncBn: boolean;
}

export interface ExportFile {
  /** Relative to the folder the script goes in. */
  path: string;
  contents: string | Uint8Array;
}

export interface ExportResult {
  files: ExportFile[];
  /** One line per run, for the user. */
  runs: string[];
}

/** Runs the experiment cell `source` once in the engine and returns the script's files. */
export async function exportExperimentCell(source: string, options: ExportOptions, context: ExperimentContext): Promise<ExportResult> {
  if (!/^\w[\w.-]*$/.test(options.stem)) throw new ExportError(`"${options.stem}" is not a usable script name (letters, digits, "_", "-", "." only)`);
  const { experiment, params } = parseExperimentCell(source, catalog);
  if (!experiment.exportable) {
    const exportable = [...catalog.values()].filter((e) => e.exportable).map((e) => e.id);
    throw new ExportError(
      `experiment "${experiment.id}" cannot be exported to PyTorch: its runs use a normalization layer PyTorch lacks, a training loop of their own, or no training at all. ` +
        `Exportable experiments: ${exportable.join(', ')}.`,
    );
  }
  const captured = await captureExperiment(experiment, params, context);
  const data = `${options.stem}_data`;
  const files: ExportFile[] = [];

  const datasets: ScriptDataset[] = captured.datasets.map((set, k) => {
    const inputs = storedInputs(set.x);
    const labels = Int32Array.from(set.y.data);
    const key = `set${k}`;
    files.push({ path: `${data}/${key}-x.bin`, contents: inputs.bytes }, { path: `${data}/${key}-y.bin`, contents: bytesOf(labels) });
    return { key, x: `${key}-x.bin`, dtype: inputs.dtype, shape: [...set.x.shape], y: `${key}-y.bin` };
  });

  const runs: ScriptRun[] = captured.runs.map((run, k) => {
    checkParameterOrder(run);
    const order = `run${k}-order.bin`;
    files.push({ path: `${data}/${order}`, contents: bytesOf(run.order) });
    let weights: string | null = null;
    if (options.weights) {
      weights = `run${k}-weights.bin`;
      files.push({ path: `${data}/${weights}`, contents: bytesOf(concat(run.parameters.map((p) => p.data), new Float32Array(0))) });
    }
    return { run, order, weights, train: datasets[run.train]!.key, test: run.test === undefined ? null : datasets[run.test]!.key };
  });

  const script = pythonScript(
    { stem: options.stem, experimentId: experiment.id, experimentTitle: experiment.title, params: params as Record<string, unknown>, origin: options.origin, weights: options.weights, distributed: options.distributed, syncBn: options.syncBn },
    datasets,
    runs,
  );
  const engine: MetricsFile = {
    format: METRICS_FORMAT,
    version: METRICS_VERSION,
    source: 'engine',
    label: 'BatchNorm Lab engine',
    experiment: experiment.id,
    setup: { weights: options.weights ? 'exported' : 'engine only' },
    runs: captured.runs.map((r) => r.metrics),
  };
  files.unshift({ path: `${options.stem}.py`, contents: script }, { path: `${options.stem}.engine.json`, contents: JSON.stringify(engine, null, 1) + '\n' });
  return { files, runs: captured.runs.map((r) => `${r.name}: ${r.steps} steps of ${r.batchSize}`) };
}

/** The engine's parameter order must be PyTorch's `named_parameters()` order, which the weights file follows. */
function checkParameterOrder(run: CapturedRun): void {
  const expected = run.layers.flatMap((layer, i) => pytorchParameters(layer).map((name) => `${i}.${name}`));
  const actual = run.parameters.map((p) => p.name);
  if (expected.join() !== actual.join()) throw new ExportError(`run "${run.name}": the engine's parameters (${actual.join(', ')}) do not line up with PyTorch's (${expected.join(', ')})`);
}

function pytorchParameters(layer: LayerSpec): string[] {
  switch (layer.type) {
    case 'Linear':
      return layer.bias ? ['weight', 'bias'] : ['weight'];
    case 'BatchNorm1d':
    case 'GroupNorm':
      return layer.affine ? ['weight', 'bias'] : [];
    case 'LayerNorm':
      return layer.elementwiseAffine ? ['weight', 'bias'] : [];
    default:
      return [];
  }
}

/** Little-endian bytes of a typed array (every platform the lab runs on is little-endian). */
function bytesOf(array: Int32Array | Float32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
