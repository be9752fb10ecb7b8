/**
 * Realistic, seeded synthetic plot payloads for every kind (tests, screenshots and the renderer bench).
 * The numbers imitate what the experiments produce: binned or downsampled, never raw samples.
 */
import type {
  HeatmapPlot,
  PercentileBandsPlot,
  PlotPayload,
  PlotSpec,
  SmallMultiplesPlot,
  SweepPlot,
  TrainingCurvesPlot,
} from '../../src/shared/payload';
import { distribution, distributionPayload, lcg } from './synthetic';

/** A standard normal sample from a uniform generator (Box–Muller). */
function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

const wrap = (plot: PlotSpec): PlotPayload => ({ version: 1, plot });

/** z-scores of the 15th, 50th and 85th percentiles of a normal distribution. */
const Z: Record<number, number> = { 5: -1.645, 15: -1.036, 25: -0.674, 50: 0, 75: 0.674, 85: 1.036, 95: 1.645 };

/**
 * Ioffe & Szegedy 2015, Fig. 1 b–c: the 15th/50th/85th percentiles of the input to a sigmoid over 2,000
 * training steps (every 20th step). Without normalization the distribution drifts and widens; with
 * BatchNorm it stays put.
 */
export function percentileBandsPlot(options: { seed?: number; percentiles?: number[]; arms?: string[] } = {}): PercentileBandsPlot {
  const normal = gaussian(lcg(options.seed ?? 1));
  const percentiles = options.percentiles ?? [15, 50, 85];
  const steps = Array.from({ length: 101 }, (_, i) => i * 20);
  const arms = options.arms ?? ['no norm', 'BatchNorm'];
  return {
    kind: 'percentile-bands',
    title: 'Input to the last sigmoid over training: 15th, 50th and 85th percentiles (MNIST, 3 layers of 100)',
    x: { label: 'training step' },
    y: { label: 'sigmoid input' },
    percentiles,
    arms: arms.map((arm, a) => {
      const drifting = a === 0;
      const centre = steps.map((t) => (drifting ? -0.2 + 1.6 * (1 - Math.exp(-t / 600)) - 0.5 * Math.sin(t / 350) : 0.02 * Math.sin(t / 200)));
      const spread = steps.map((t) => (drifting ? 1 + 1.3 * (t / 2000) ** 0.7 : 1 + 0.05 * Math.sin(t / 300)));
      return {
        arm,
        steps,
        values: percentiles.map((p) => steps.map((_, i) => round4(centre[i]! + (Z[p] ?? 0) * spread[i]! + 0.04 * normal()))),
      };
    }),
    notes: 'Without normalization the distribution of the sigmoid input drifts and widens as the layers below learn; with BatchNorm it stays stable.',
  };
}

/**
 * Loss and accuracy against steps for three arms, train (solid) and test (dashed); "no norm" at a high
 * learning rate diverges at step 812.
 */
export function trainingCurvesPlot(options: { seed?: number } = {}): TrainingCurvesPlot {
  const normal = gaussian(lcg(options.seed ?? 2));
  const steps = Array.from({ length: 61 }, (_, i) => i * 50);
  const arms = [
    { arm: 'no norm', rate: 900, floor: 0.35, diverge: 812 },
    { arm: 'BatchNorm', rate: 260, floor: 0.06 },
    { arm: 'LayerNorm', rate: 420, floor: 0.1 },
  ];
  const curves: TrainingCurvesPlot['curves'] = [];
  for (const a of arms) {
    const s = steps.filter((t) => a.diverge === undefined || t < a.diverge);
    for (const split of ['train', 'test'] as const) {
      const gap = split === 'test' ? 1.15 : 1;
      const loss = s.map((t) => round4(Math.max(0.01, (2.3 * Math.exp(-t / a.rate) + a.floor) * gap * (1 + 0.03 * normal()))));
      curves.push({ arm: a.arm, metric: 'loss', split, steps: s, values: loss });
      curves.push({ arm: a.arm, metric: 'accuracy', split, steps: s, values: loss.map((l) => round4(Math.min(100, Math.max(8, 100 * (1 - l / 2.4))))) });
    }
  }
  return {
    kind: 'training-curves',
    title: 'Training an MLP on MNIST at learning rate 0.5: no norm, BatchNorm and LayerNorm',
    x: { label: 'training step' },
    metrics: [
      { id: 'loss', label: 'cross-entropy loss', unit: 'nats' },
      { id: 'accuracy', label: 'accuracy', unit: '%' },
    ],
    curves,
    divergences: [{ arm: 'no norm', step: 812, reason: 'loss became NaN at step 812' }],
  };
}

/** Test accuracy against learning rate 1e-3 … 10 (log axis), 3 seeds per arm; no norm diverges at lr ≥ 1. */
export function sweepPlot(options: { seed?: number; batch?: number; style?: SweepPlot['spreadStyle']; arms?: string[] } = {}): SweepPlot {
  const normal = gaussian(lcg(options.seed ?? 3));
  const lrs = [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3, 10];
  const arms = options.arms ?? ['no norm', 'BatchNorm'];
  return {
    kind: 'sweep',
    title: `Test accuracy against learning rate${options.batch ? ` (batch ${options.batch})` : ''}: 3 seeds per point`,
    x: { label: 'learning rate', scale: 'log' },
    y: { label: 'test accuracy', unit: '%' },
    spread: 'std',
    spreadStyle: options.style ?? 'error-bars',
    arms: arms.map((arm, a) => {
      const peak = a === 0 ? Math.log10(0.03) : Math.log10(0.3);
      const best = a === 0 ? 96.5 : 98.2;
      const limit = a === 0 ? 1 : 10;
      return {
        arm,
        points: lrs.map((lr) => {
          const d = Math.log10(lr) - peak;
          if (lr >= limit) {
            const all = a === 0;
            return {
              x: lr,
              values: all ? [] : [round4(best - 14 + 2 * normal())],
              diverged: all ? 3 : 2,
              reason: 'loss became NaN',
            };
          }
          const mean = best - 9 * d * d;
          return { x: lr, values: [0, 1, 2].map(() => round4(Math.min(99.9, mean + (0.3 + 0.4 * Math.abs(d)) * normal()))) };
        }),
      };
    }),
  };
}

/** BatchNorm running mean of 16 channels over training (signed: a diverging colour scale). */
export function heatmapPlot(options: { seed?: number; channels?: number } = {}): HeatmapPlot {
  const random = lcg(options.seed ?? 4);
  const normal = gaussian(random);
  const channels = options.channels ?? 16;
  const steps = Array.from({ length: 40 }, (_, i) => (i + 1) * 50);
  const targets = Array.from({ length: channels }, () => 4 * (random() - 0.5));
  return {
    kind: 'heatmap',
    title: 'Layer 2 BatchNorm running mean per channel over training',
    x: { label: 'training step' },
    y: { label: 'channel' },
    value: { label: 'running mean' },
    xValues: steps,
    yLabels: targets.map((_, c) => `channel ${c + 1}`),
    z: targets.map((target) => steps.map((t) => round4(target * (1 - Math.exp(-t / 400)) + 0.05 * normal()))),
    notes: 'Running statistics converge with momentum 0.1: channels settle within about 500 steps.',
  };
}

/** Activations of 4 layers, no norm vs BatchNorm, as violins. */
export function violinPlot(options: { seed?: number } = {}) {
  const random = lcg(options.seed ?? 5);
  const base = distributionPayload({ seed: options.seed ?? 5 }).plot;
  const rows = [1, 2, 3, 4].map((layer) => {
    const scale = 1.7 ** layer;
    const shift = 0.6 * layer;
    const raw = Array.from({ length: 512 }, () => (random() + random() + random() - 1.5) * 2);
    return {
      label: `layer ${layer}`,
      distributions: [distribution(raw.map((v) => shift + scale * v), 24), distribution(raw.map((v) => v * 0.98 + 0.01), 24)],
    };
  });
  return {
    ...base,
    title: 'Pre-activations of 4 hidden layers at step 500: no norm vs BatchNorm',
    valueLabel: 'pre-activation',
    stages: ['no norm', 'BatchNorm'],
    rows,
    presentation: 'violin' as const,
  };
}

/** A 2 × 2 grid of sweeps, one per batch size, sharing the y axis. */
export function smallMultiplesPlot(): SmallMultiplesPlot {
  return {
    kind: 'small-multiples',
    title: 'Test accuracy against learning rate for four batch sizes',
    columns: 2,
    shareY: true,
    panels: [8, 32, 128, 512].map((batch, i) => ({ ...sweepPlot({ seed: 10 + i, batch }), title: `batch ${batch}` })),
    notes: 'Each panel: 3 seeds per learning rate; ✕ marks learning rates where seeds diverged.',
  };
}

export const percentileBandsPayload = (options?: Parameters<typeof percentileBandsPlot>[0]): PlotPayload => wrap(percentileBandsPlot(options));
export const trainingCurvesPayload = (options?: Parameters<typeof trainingCurvesPlot>[0]): PlotPayload => wrap(trainingCurvesPlot(options));
export const sweepPayload = (options?: Parameters<typeof sweepPlot>[0]): PlotPayload => wrap(sweepPlot(options));
export const heatmapPayload = (options?: Parameters<typeof heatmapPlot>[0]): PlotPayload => wrap(heatmapPlot(options));
export const violinPayload = (options?: Parameters<typeof violinPlot>[0]): PlotPayload => wrap(violinPlot(options));
export const smallMultiplesPayload = (): PlotPayload => wrap(smallMultiplesPlot());

/** One payload per kind (and the violin presentation), for tests, screenshots and the bench. */
export function everyKind(): Array<{ name: string; payload: PlotPayload }> {
  return [
    { name: 'distribution-comparison', payload: distributionPayload() },
    { name: 'distribution-violin', payload: violinPayload() },
    { name: 'percentile-bands', payload: percentileBandsPayload() },
    { name: 'training-curves', payload: trainingCurvesPayload() },
    { name: 'sweep', payload: sweepPayload() },
    { name: 'heatmap', payload: heatmapPayload() },
    { name: 'small-multiples', payload: smallMultiplesPayload() },
  ];
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
