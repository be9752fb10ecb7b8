/**
 * normalize-features: the classic "-1000..1000" picture. A batch whose features live on wildly different
 * scales goes through the engine's BatchNorm1d in training mode; each feature comes out with mean 0 and
 * standard deviation 1 (then scaled by γ = 1 and shifted by β = 0, their initial values).
 */
import { Generator, nn, tensor } from '../engine';
import type { Distribution } from '../shared/payload';
import { checkClaims, claimsTable, type Claim } from './claims';
import { defineExperiment } from './experiment';
import { columns, distributionComparison } from './summaries';

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
  knobs: ['eps', 'batchSize', 'features', 'seed'],
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
    const plot = distributionComparison({
      title: `BatchNorm1d over a batch of ${batchSize}: each feature before and after normalization`,
      valueLabel: 'feature value',
      stages: ['before BatchNorm', 'after BatchNorm'],
      rows: features.map((range, j) => ({ label: `feature ${j + 1}: ${formatRange(range)}`, values: [before[j]!, after[j]!] })),
      // The normalized features share one set of bins, so their histograms can be compared directly.
      sharedStages: [1],
    });
    const summaries = plot.plot.rows.map(({ label, distributions: [before, after] }) => ({ label, before: before!, after: after! }));
    const markdown = summaryTable(summaries, batchSize, eps);
    return { plots: [plot], markdown, claims: checkClaims(normalizeClaims, { rows: summaries, eps }) };
  },
});

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

/** Largest |mean| after, and largest |std after − √(var / (var + eps))| over the features. */
function worstDeviations(rows: FeatureSummary[], eps: number): { mean: number; std: number } {
  return {
    mean: Math.max(...rows.map(({ after }) => Math.abs(after.moments.mean))),
    std: Math.max(...rows.map(({ before, after }) => Math.abs(after.moments.std - Math.sqrt(before.moments.std ** 2 / (before.moments.std ** 2 + eps))))),
  };
}

const MEAN_TOLERANCE = 1e-4;
const STD_TOLERANCE = 1e-3;

const normalizeClaims: Claim<{ rows: FeatureSummary[]; eps: number }>[] = [
  {
    claim: `BatchNorm standardizes each feature with its batch statistics, whatever its scale (Ioffe & Szegedy 2015, Alg. 1): mean 0 (within ${MEAN_TOLERANCE}) and standard deviation √(var / (var + eps)) (within ${STD_TOLERANCE}), which is 1 when var ≫ eps`,
    check: ({ rows, eps }) => {
      const worst = worstDeviations(rows, eps);
      return { measured: `largest |mean| ${formatStat(worst.mean)}, largest |std − √(var / (var + eps))| ${formatStat(worst.std)} over ${rows.length} features`, holds: worst.mean <= MEAN_TOLERANCE && worst.std <= STD_TOLERANCE };
    },
  },
];

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
  const centred = worstDeviations(rows, eps).mean <= MEAN_TOLERANCE;
  const meanWords = centred ? 'Every feature comes out with mean ≈ 0' : `Not every feature comes out centred: the largest |mean| after is ${formatStat(worstDeviations(rows, eps).mean)}`;
  if (damped.length === 0) {
    const unit = rows.every(({ after }) => Math.abs(after.moments.std - 1) < 0.01);
    lines.push(`${meanWords}${unit ? ' and standard deviation ≈ 1, whatever its scale' : ''}.`);
  } else {
    lines.push(
      `${meanWords}. ` +
        damped
          .map(({ label, before, after }) => `${label} has variance ${formatStat(before.moments.std ** 2)}, not large against eps = ${formatNumber(eps)}, so its standard deviation after is ${formatStat(after.moments.std)} = √(var / (var + eps)), not 1`)
          .join('; ') +
        '. Try a smaller eps to see it reach 1.',
    );
  }
  lines.push('', claimsTable(checkClaims(normalizeClaims, { rows, eps })));
  return lines.join('\n');
}
