/**
 * Runs an experiment once in the engine and records every training run it makes: the model's layers and
 * initial weights, the data, the rows of every batch in order, the hyper-parameters, and the engine's
 * own metrics. This is what the PyTorch script is written from, so it does what the notebook did.
 */
import type { nn, Tensor } from '../engine';
import type { Experiment, ExperimentContext } from '../experiments/experiment';
import type { ParamValues, ParamSpecs } from '../experiments/params';
import type { LabelledSet, LinearInit, OptimizerSpec, TrainingRecorder, TrainResult } from '../experiments/training';
import { ExportError, layerSpecs, type LayerSpec } from './layers';
import type { RunMetrics } from '../shared/metrics-file';

export interface CapturedParameter {
  /** PyTorch's name, e.g. "0.weight". */
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface CapturedRun {
  name: string;
  arm: string;
  layers: LayerSpec[];
  /** The initial parameters, in the model's order (PyTorch's `named_parameters()` order). */
  parameters: CapturedParameter[];
  /** Indices into {@link CapturedExperiment.datasets}. */
  train: number;
  test?: number;
  steps: number;
  batchSize: number;
  optimizer: OptimizerSpec;
  evalEvery: number;
  /** The rows of the training set in each step's batch, step after step (steps recorded × batchSize). */
  order: Int32Array;
  /** What the engine measured. */
  metrics: RunMetrics;
}

export interface CapturedExperiment {
  runs: CapturedRun[];
  /** Every distinct input set the runs train or test on. */
  datasets: LabelledSet[];
}

/** Runs `experiment` (one marked `exportable`) with `params` in the engine, recording its training runs. */
export async function captureExperiment(experiment: Experiment, params: ParamValues<ParamSpecs>, context: ExperimentContext): Promise<CapturedExperiment> {
  const datasets: LabelledSet[] = [];
  const datasetIndex = (set: LabelledSet): number => {
    let i = datasets.findIndex((d) => d.x === set.x && d.y === set.y);
    if (i < 0) i = datasets.push(set) - 1;
    return i;
  };
  const runs: CapturedRun[] = [];
  // How each Linear was initialized, as the experiment tells while it builds its models (this capture's
  // own record; weak, so that the models of finished runs can go).
  const linearInits = new WeakMap<nn.Linear, LinearInit>();
  const recorder: TrainingRecorder = {
    linearInit(linear, how) {
      linearInits.set(linear, how);
    },
    begin(start) {
      const name = runName(start.label, runs.length);
      const batches: Int32Array[] = [];
      const stepLoss: number[] = [];
      const run: CapturedRun = {
        name,
        arm: name.split(', ')[0]!,
        layers: layerSpecs(start.model, (linear) => linearInits.get(linear)),
        parameters: start.model.namedParameters().map(([n, t]) => ({ name: n, shape: [...t.shape], data: t.data.slice() })),
        train: datasetIndex(start.train),
        ...(start.test ? { test: datasetIndex(start.test) } : {}),
        steps: start.steps,
        batchSize: start.batchSize,
        optimizer: start.optimizer,
        evalEvery: start.evalEvery,
        order: new Int32Array(0),
        metrics: emptyMetrics(name),
      };
      runs.push(run);
      return {
        step(_step, rows, loss) {
          batches.push(rows.slice());
          stepLoss.push(loss);
        },
        end(result) {
          run.order = concat(batches, new Int32Array(0));
          run.metrics = engineMetrics(run, result, stepLoss);
        },
      };
    },
  };
  await experiment.run(params, { ...context, recorder });
  if (runs.length === 0) throw new ExportError(`experiment "${experiment.id}" made no training run with these parameters, so there is nothing to export`);
  return { runs, datasets };
}

/** "BatchNorm, seed 0 (run 1 of 4)" → "BatchNorm, seed 0". */
function runName(label: string | undefined, index: number): string {
  return label ? label.replace(/\s*\(run \d+ of \d+\)$/, '') : `run ${index + 1}`;
}

function emptyMetrics(name: string): RunMetrics {
  return { name, arm: name.split(', ')[0]!, steps: [], loss: [], test_accuracy: [], step_loss: [], final_test_accuracy: null, diverged: null };
}

function engineMetrics(run: CapturedRun, result: TrainResult, stepLoss: number[]): RunMetrics {
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return {
    name: run.name,
    arm: run.arm,
    steps: result.steps,
    loss: result.loss,
    test_accuracy: result.testAccuracy.map(finite),
    step_loss: stepLoss,
    final_test_accuracy: finite(result.finalTestAccuracy),
    diverged: result.diverged ?? null,
  };
}

/** The parts end to end, in one new array of their type. */
export function concat<T extends Int32Array | Float32Array>(parts: T[], empty: T): T {
  const out = new (empty.constructor as new (n: number) => T)(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** The values of a set's inputs, as stored: exact multiples of 1/255 (MNIST pixels) fit in bytes. */
export function storedInputs(x: Tensor): { dtype: 'uint8/255'; bytes: Uint8Array } | { dtype: 'float32'; bytes: Uint8Array } {
  const data = x.data;
  const pixels = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const level = Math.round(data[i]! * 255);
    if (level < 0 || level > 255 || Math.fround(level / 255) !== data[i]) return { dtype: 'float32', bytes: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
    pixels[i] = level;
  }
  return { dtype: 'uint8/255', bytes: pixels };
}
