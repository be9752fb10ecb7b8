/**
 * The metrics file that an exported PyTorch script writes, and that the export also writes for the
 * engine's own run of the same cell: one format for both, so that the comparison cell reads either.
 * Documented in docs/pytorch-export.md.
 */

export const METRICS_FORMAT = 'bnlab-metrics';
export const METRICS_VERSION = 1;

export interface RunMetrics {
  /** e.g. "BatchNorm, seed 0". */
  name: string;
  /** The arm, e.g. "BatchNorm" (the plot's colour). */
  arm: string;
  /** Steps at which `loss` and `test_accuracy` were recorded. */
  steps: number[];
  /** Mean training loss over the steps since the previous record. */
  loss: number[];
  /** Test accuracy (0–1) at those steps; null when the run has no test set. */
  test_accuracy: (number | null)[];
  /** The training loss of every step, 1, 2, … (the global batch's mean under DDP). */
  step_loss: number[];
  final_test_accuracy: number | null;
  diverged: { step: number; reason: string } | null;
  /** Why a run ended before its last step without diverging (e.g. the engine's batch order ended there). */
  stopped?: string;
}

export interface MetricsFile {
  format: typeof METRICS_FORMAT;
  version: typeof METRICS_VERSION;
  /** "engine" or "pytorch". */
  source: 'engine' | 'pytorch';
  /** How the runs were made, in words for the plot's legend, e.g. "PyTorch, 2 processes, SyncBatchNorm". */
  label: string;
  experiment: string;
  setup: Record<string, unknown>;
  runs: RunMetrics[];
}

/** Reads and checks a metrics file; errors name the file and what is wrong. */
export function parseMetrics(text: string, where: string): MetricsFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not JSON (${(error as Error).message})`, { cause: error });
  }
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  if (!isRecord(value) || value.format !== METRICS_FORMAT) fail(`not a BatchNorm Lab metrics file (expected "format": "${METRICS_FORMAT}")`);
  const file = value as Record<string, unknown>;
  if (file.version !== METRICS_VERSION) fail(`metrics version ${JSON.stringify(file.version)} is not supported (this version of the lab reads ${METRICS_VERSION})`);
  if (file.source !== 'engine' && file.source !== 'pytorch') fail('"source" must be "engine" or "pytorch"');
  if (typeof file.label !== 'string' || typeof file.experiment !== 'string') fail('"label" and "experiment" must be strings');
  if (!Array.isArray(file.runs) || file.runs.length === 0) fail('"runs" must be a non-empty list');
  (file.runs as unknown[]).forEach((run, i) => checkRun(run, `${where}: runs[${i}]`));
  return value as MetricsFile;
}

function checkRun(run: unknown, where: string): void {
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  if (!isRecord(run)) return fail('must be an object');
  if (typeof run.name !== 'string' || typeof run.arm !== 'string') fail('"name" and "arm" must be strings');
  for (const key of ['steps', 'loss', 'test_accuracy', 'step_loss']) {
    if (!Array.isArray(run[key])) fail(`"${key}" must be a list`);
  }
  const steps = run.steps as unknown[];
  if ((run.loss as unknown[]).length !== steps.length || (run.test_accuracy as unknown[]).length !== steps.length) fail('"steps", "loss" and "test_accuracy" must have the same length');
  if (!steps.every((s) => typeof s === 'number')) fail('"steps" must hold numbers');
  if (!(run.step_loss as unknown[]).every((s) => typeof s === 'number')) fail('"step_loss" must hold numbers');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
