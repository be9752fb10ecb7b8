/**
 * Payloads of a live lab for the renderer tests: a training run cut at a step (what the kernel streams
 * while it trains), and a plot with one knob of every kind.
 */
import type { Knob, LiveState, PlotPayload, PlotSpec, TrainingCurvesPlot } from '../../src/shared/payload';
import { trainingCurvesPlot } from './payloads';

/** The curves up to `step` (inclusive), as the kernel sends them while the run is at that step. */
export function curvesUpTo(plot: TrainingCurvesPlot, step: number): TrainingCurvesPlot {
  return {
    ...plot,
    curves: plot.curves
      .map((curve) => {
        const keep = curve.steps.filter((s) => s <= step).length;
        return { ...curve, steps: curve.steps.slice(0, keep), values: curve.values.slice(0, keep) };
      })
      .filter((curve) => curve.steps.length > 0),
    divergences: (plot.divergences ?? []).filter((d) => d.step <= step),
  };
}

export function livePayload(plot: PlotSpec, live?: LiveState, extra: Partial<PlotPayload> = {}): PlotPayload {
  return { version: 1, plot, ...(live ? { live } : {}), ...extra };
}

/** Training curves at `step` of 3000, running. */
export function runningCurves(step: number, label = `step ${step} of 3000`): PlotPayload {
  return livePayload(curvesUpTo(trainingCurvesPlot(), step), { state: 'running', label });
}

/** One knob of each kind, as an experiment cell's first plot carries them. */
export function everyKnob(values: { eps?: number; batch?: number; norm?: string; affine?: boolean; ranges?: [number, number][] } = {}): Knob[] {
  return [
    {
      key: 'eps',
      kind: 'number',
      description: 'Added to the variance before the square root, as in PyTorch.',
      min: 0,
      max: 1,
      exclusiveMin: true,
      scale: 'log',
      value: values.eps ?? 1e-5,
    },
    { key: 'batch', kind: 'integer', description: 'Examples per batch.', min: 2, max: 256, scale: 'linear', value: values.batch ?? 32 },
    { key: 'norm', kind: 'choice', description: 'The normalization layer.', choices: ['BatchNorm', 'LayerNorm', 'GroupNorm'], value: values.norm ?? 'BatchNorm' },
    { key: 'affine', kind: 'boolean', description: 'Learn γ and β.', value: values.affine ?? true },
    {
      key: 'ranges',
      kind: 'ranges',
      description: 'Value range of each feature.',
      value: values.ranges ?? [
        [-1, 1],
        [0, 1000],
      ],
    },
  ];
}
