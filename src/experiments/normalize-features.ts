/**
 * normalize-features: the classic "-1000..1000" picture. A batch whose features live on wildly different
 * scales goes through the engine's BatchNorm1d in training mode; each feature comes out with mean 0 and
 * standard deviation 1 (then scaled by γ = 1 and shifted by β = 0, their initial values).
 */
import { Generator, nn, stats, tensor } from '../engine';
import type { Distribution, PlotPayload } from '../shared/payload';
import { defineExperiment } from './experiment';

const BINS = 30;

export const normalizeFeatures = defineExperiment({
  id: 'normalize-features',
  title: 'What BatchNorm does to features on different scales',
  description:
    'Draws a batch whose features are uniform over very different ranges (±1000, ±1, ±0.001, and 1 around an offset of 10,000), ' +
    'passes it through BatchNorm1d in training mode, and shows each feature’s distribution before and after: every feature ' +
    'comes out with mean 0 and standard deviation 1, whatever its scale.',
  params: {
    features: {
      kind: 'ranges',
      default: [
        [-1000, 1000],
        [-1, 1],
        [-0.001, 0.001],
        [9999, 10001],
      ],
      minItems: 1,
      maxItems: 16,
      description: 'One [low, high] range per feature; each feature is drawn uniformly from its range.',
    },
    batchSize: { kind: 'integer', default: 256, min: 2, max: 65536, description: 'Number of examples in the batch (BatchNorm needs at least 2).' },
    eps: { kind: 'number', default: 1e-5, min: 0, max: 1, exclusiveMin: true, description: 'Added to the variance before the square root, as in PyTorch.' },
    seed: { kind: 'integer', default: 0, min: 0, max: 2 ** 31 - 1, description: 'Seed of the random batch.' },
  },
  run({ features, batchSize, eps, seed }) {
    const featureCount = features.length;
    const generator = new Generator(seed);
    const batch = new Float32Array(batchSize * featureCount);
    const column = new Float32Array(batchSize);
    features.forEach(([low, high], j) => {
      generator.fillUniform(column, low, high);
      for (let i = 0; i < batchSize; i++) batch[i * featureCount + j] = column[i]!;
    });

    const norm = new nn.BatchNorm1d(featureCount, { eps });
    norm.train();
    const output = norm.forward(tensor(batch, [batchSize, featureCount]));

    const before = columns(batch, batchSize, featureCount);
    const after = columns(output.data, batchSize, featureCount);
    // The normalized features share one set of bins, so their histograms can be compared directly.
    const afterEdges = edges(Math.min(...after.map(minOf)), Math.max(...after.map(maxOf)), BINS);
    const summaries = features.map((range, j) => ({
      label: `feature ${j + 1}: ${formatRange(range)}`,
      before: distribution(before[j]!, edges(minOf(before[j]!), maxOf(before[j]!), BINS)),
      after: distribution(after[j]!, afterEdges),
    }));

    const plot: PlotPayload = {
      version: 1,
      plot: {
        kind: 'distribution-comparison',
        title: `BatchNorm1d over a batch of ${batchSize}: each feature before and after normalization`,
        valueLabel: 'feature value',
        stages: ['before BatchNorm', 'after BatchNorm'],
        rows: summaries.map(({ label, before, after }) => ({ label, distributions: [before, after] })),
      },
    };
    return { plots: [plot], markdown: summaryTable(summaries, batchSize, eps) };
  },
});

function columns(data: Float32Array, rows: number, cols: number): Float32Array[] {
  return Array.from({ length: cols }, (_, j) => {
    const column = new Float32Array(rows);
    for (let i = 0; i < rows; i++) column[i] = data[i * cols + j]!;
    return column;
  });
}

function distribution(values: Float32Array, binEdges: number[]): Distribution {
  const { edges: histogramEdges, counts } = stats.histogram(values, binEdges);
  return { histogram: { edges: [...histogramEdges], counts: [...counts] }, moments: stats.moments(values) };
}

/** `count` equal bins over [low, high], widened a little when all values are equal. */
function edges(low: number, high: number, count: number): number[] {
  if (!(high > low)) {
    const pad = Math.abs(low) * 1e-3 || 1e-3;
    low -= pad;
    high += pad;
  }
  const exact = Array.from({ length: count + 1 }, (_, i) => (i === count ? high : low + ((high - low) * i) / count));
  // Seven significant digits are as precise as the float32 values binned, and make a smaller payload,
  // unless the bins are so narrow that rounding would merge edges.
  // The outer edges stay exact so that the smallest and largest values stay inside.
  const rounded = exact.map((edge, i) => (i === 0 || i === count ? edge : Number(edge.toPrecision(7))));
  return rounded.every((edge, i) => i === 0 || edge > rounded[i - 1]!) ? rounded : exact;
}

function minOf(values: Float32Array): number {
  let m = Infinity;
  for (const v of values) m = v < m ? v : m;
  return m;
}

function maxOf(values: Float32Array): number {
  let m = -Infinity;
  for (const v of values) m = v > m ? v : m;
  return m;
}

function formatRange([low, high]: [number, number]): string {
  return `[${formatNumber(low)}, ${formatNumber(high)}]`;
}

function formatNumber(x: number): string {
  return Number.isInteger(x) || Math.abs(x) >= 0.01 ? String(x) : x.toExponential(0);
}

function formatStat(x: number): string {
  if (x === 0) return '0';
  const magnitude = Math.abs(x);
  return magnitude >= 1e5 || magnitude < 1e-3 ? x.toExponential(3) : x.toPrecision(4);
}

interface FeatureSummary {
  label: string;
  before: Distribution;
  after: Distribution;
}

function summaryTable(rows: FeatureSummary[], batchSize: number, eps: number): string {
  const lines = [
    `**BatchNorm1d** (training mode, eps = ${formatNumber(eps)}) over a batch of ${batchSize}: per-feature mean and standard deviation (population).`,
    '',
    '| feature | mean before | std before | mean after | std after |',
    '|---|---:|---:|---:|---:|',
    ...rows.map(({ label, before, after }) =>
      `| ${label} | ${formatStat(before.moments.mean)} | ${formatStat(before.moments.std)} | ${formatStat(after.moments.mean)} | ${formatStat(after.moments.std)} |`,
    ),
    '',
    'BatchNorm subtracts each feature’s batch mean and divides by √(variance + eps); γ = 1 and β = 0 (their initial values) leave the result there.',
  ];
  // A feature whose variance is not large against eps is divided by about √eps instead: say so, with numbers.
  const damped = rows.filter(({ before }) => before.moments.std ** 2 < 10 * eps);
  if (damped.length === 0) {
    lines.push('Every feature comes out with mean ≈ 0 and standard deviation ≈ 1, whatever its scale.');
  } else {
    lines.push(
      'Every feature comes out with mean ≈ 0. ' +
        damped
          .map(({ label, before, after }) => `${label} has variance ${formatStat(before.moments.std ** 2)}, not large against eps = ${formatNumber(eps)}, so its standard deviation after is ${formatStat(after.moments.std)} = √(var / (var + eps)), not 1`)
          .join('; ') +
        '. Try a smaller eps to see it reach 1.',
    );
  }
  return lines.join('\n');
}
