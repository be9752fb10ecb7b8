/**
 * pytorch-comparison: reads metrics files (the engine's, written by the export, and the exported script's)
 * and plots the runs together: the loss of every step and the test accuracy at the checkpoints, with a
 * table of how far each file is from the first one (normally the engine's).
 */
import type { Curve, PlotPayload, TrainingCurvesPlot } from '../shared/payload';
import { defineExperiment } from './experiment';
import { parseMetrics, type MetricsFile, type RunMetrics } from '../shared/metrics-file';

export const pytorchComparison = defineExperiment({
  id: 'pytorch-comparison',
  title: 'The engine and PyTorch, run for run',
  description:
    'Plots the metrics files of an experiment exported with "Export Experiment to PyTorch": the engine\'s own runs (<name>.engine.json) ' +
    'and those of the exported script, in one process or several under torchrun (<name>.pytorch-*.json). Shows the loss of every step and ' +
    'the test accuracy at the checkpoints, and tabulates how far each file is from the first.',
  readsFiles: true,
  params: {
    files: { kind: 'files', default: [], minItems: 1, maxItems: 8, description: 'Metrics files, relative to the notebook\'s folder; the first is the reference (normally the engine\'s).' },
    firstSteps: { kind: 'integer', default: 10, min: 1, max: 100000, description: 'How many first steps the "first steps" column compares.' },
  },
  async run(params, context) {
    if (!context.files) throw new Error('This cell reads files next to its notebook: save the notebook to a folder first (paths are relative to it).');
    const files: MetricsFile[] = [];
    for (const file of params.files) files.push(parseMetrics(await context.files.readText(file), file));
    const experiments = [...new Set(files.map((f) => f.experiment))];
    if (experiments.length > 1) throw new Error(`these files come from different experiments (${experiments.join(', ')}): compare files of one export`);
    return { plots: [curvesPlot(files)], markdown: summary(files, params.files, params.firstSteps) };
  },
});

function curvesPlot(files: MetricsFile[]): PlotPayload {
  const arm = (file: MetricsFile, run: RunMetrics): string => `${run.name} · ${file.label}`;
  const curves: Curve[] = files.flatMap((file) =>
    file.runs.flatMap((run) => {
      const accuracy = run.steps.map((s, i) => [s, run.test_accuracy[i]] as const).filter((p): p is readonly [number, number] => p[1] !== null);
      return [
        { arm: arm(file, run), metric: 'loss', split: 'train' as const, steps: run.step_loss.map((_, i) => i + 1), values: run.step_loss.map((v) => round(v, 6)) },
        ...(accuracy.length ? [{ arm: arm(file, run), metric: 'accuracy', split: 'test' as const, steps: accuracy.map((p) => p[0]), values: accuracy.map((p) => round(100 * p[1], 4)) }] : []),
      ];
    }),
  );
  const plot: TrainingCurvesPlot = {
    kind: 'training-curves',
    title: `${files[0]!.experiment}: ${files.map((f) => f.label).join(' vs ')}`,
    notes: 'Training loss of every step (under torchrun: the mean over the global batch) and test accuracy at the checkpoints. Runs that agree draw on top of each other.',
    x: { label: 'training step' },
    metrics: [
      { id: 'loss', label: 'training loss', unit: 'nats' },
      ...(curves.some((c) => c.metric === 'accuracy') ? [{ id: 'accuracy', label: 'test accuracy', unit: '%' }] : []),
    ],
    curves,
  };
  const divergences = files.flatMap((file) => file.runs.filter((r) => r.diverged).map((r) => ({ arm: arm(file, r), step: r.diverged!.step, reason: r.diverged!.reason })));
  if (divergences.length) plot.divergences = divergences;
  return { version: 1, plot };
}

/** Largest |a − b| / max(1, |a|) over the steps both have, within the first `limit` steps. */
function maxRelativeDifference(a: number[], b: number[], limit = Infinity): number {
  let worst = 0;
  for (let i = 0; i < Math.min(a.length, b.length, limit); i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!)));
  return worst;
}

function summary(files: MetricsFile[], names: string[], firstSteps: number): string {
  const reference = files[0]!;
  const lines = [
    `**Reference:** ${reference.label} (\`${names[0]}\`). Differences are relative, |a − b| / max(1, |a|), over the steps both files have; float32 rounding alone gives about 1e-7 per step, and it grows as training amplifies it.`,
    '',
    `| run | compared with the reference | steps | first ${firstSteps} steps | all steps | final test accuracy |`,
    '|---|---|---|---|---|---|',
  ];
  const explain = new Set<string>();
  for (const run of reference.runs) {
    lines.push(`| ${run.name} | ${reference.label} (reference) | ${run.step_loss.length} | | | ${accuracyText(run)} |`);
    for (const [k, file] of files.entries()) {
      if (k === 0) continue;
      const other = file.runs.find((r) => r.name === run.name);
      if (!other) {
        lines.push(`| ${run.name} | ${file.label} | not in this file | | | |`);
        continue;
      }
      const first = maxRelativeDifference(run.step_loss, other.step_loss, firstSteps);
      const all = maxRelativeDifference(run.step_loss, other.step_loss);
      lines.push(`| ${run.name} | ${file.label} | ${other.step_loss.length} | ${sci(first)} | ${sci(all)} | ${accuracyText(other)} |`);
      const processes = Number(file.setup.processes ?? 1);
      if (processes > 1 && file.setup.sync_bn === false && first > 1e-4) explain.add(file.label);
    }
  }
  for (const label of explain) {
    lines.push(
      '',
      `**Why "${label}" differs:** under DistributedDataParallel each process runs its batch norms on its own share of the global batch, ` +
        'so they normalize with statistics of fewer examples (noisier, and different from one process to the next) than one process would. ' +
        'The gradients are still averaged over the whole batch, but they are gradients of a different network function. ' +
        'SyncBatchNorm (`--sync-bn`) takes the statistics over the global batch and gives back the single-process run.',
    );
  }
  return lines.join('\n');
}

function accuracyText(run: RunMetrics): string {
  if (run.diverged) return `diverged at step ${run.diverged.step}`;
  if (run.final_test_accuracy === null) return run.stopped ?? '—';
  return `${(100 * run.final_test_accuracy).toFixed(2)} %`;
}

function sci(x: number): string {
  return x === 0 ? '0' : x.toExponential(1);
}

function round(x: number, digits: number): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(digits)) : x;
}
