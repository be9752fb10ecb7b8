/**
 * normalization-axes: BatchNorm, LayerNorm, InstanceNorm and GroupNorm compute the same thing —
 * subtract a mean, divide by a standard deviation — over different sets of elements of an (N, C, H, W)
 * tensor (Wu & He 2018, Fig. 2). Which set decides what each one is invariant to (Ba et al. 2016, Table 1):
 * this experiment shows the sets and checks the invariances numerically with the engine.
 */
import { Generator, nn, noGrad, tensor, type Tensor } from '../../engine';
import type { HeatmapPlot, PlotPayload } from '../../shared/payload';
import { checkClaims, claimsTable, type Claim } from '../claims';
import { defineExperiment } from '../experiment';
import { NORM_NAMES } from '../training';

interface Normalizer {
  name: string;
  /** What it averages over, in words. */
  axes: string;
  make: () => nn.Module;
  /** The set an element (n, c) belongs to: elements with the same key share one mean and std. */
  key: (n: number, c: number) => string;
}

interface Transform {
  name: string;
  /** Ba et al. 2016's name for it, when it is one of theirs. */
  alias?: string;
  /** Whether theory says each normalizer (by name) is invariant. */
  expected: Record<string, boolean>;
  /** Applies the transform to a copy of the conv weight and the input, or to the conv's output. */
  weight?: (w: Float32Array, shape: number[]) => void;
  input?: (u: Float32Array, shape: number[]) => void;
  output?: (z: Float32Array, shape: number[]) => void;
}

export const normalizationAxes = defineExperiment({
  id: 'normalization-axes',
  title: 'BatchNorm, LayerNorm, InstanceNorm, GroupNorm: the same normalization over different axes',
  description:
    'Takes one (N, C, H, W) tensor and shows, for BatchNorm2d, LayerNorm over (C, H, W), InstanceNorm2d and GroupNorm, which elements ' +
    'share a mean and a standard deviation (Wu & He 2018, Fig. 2), and the mean each subtracts. Then checks numerically, with the engine, ' +
    'what each is invariant to: rescaling the weights that feed it, rescaling one unit’s weights, rescaling or shifting the whole dataset, ' +
    'rescaling or shifting one example, shifting one channel (Ba et al. 2016, Table 1), reporting the largest change of the output.',
  params: {
    examples: { kind: 'integer', default: 6, min: 2, max: 16, description: 'N: examples in the batch.' },
    channels: { kind: 'integer', default: 8, min: 2, max: 32, description: 'C: channels (must be divisible by groups).' },
    groups: { kind: 'integer', default: 2, min: 1, max: 32, description: 'GroupNorm’s number of groups of channels.' },
    size: { kind: 'integer', default: 4, min: 1, max: 16, description: 'H = W of the normalized tensor (the output of a 3×3 convolution without padding).' },
    factor: { kind: 'number', default: 5, min: 0, max: 1000, exclusiveMin: true, description: 'The factor of every rescaling checked.' },
    shift: { kind: 'number', default: 3, min: -1000, max: 1000, description: 'The constant of every shift checked.' },
    seed: { kind: 'integer', default: 0, min: 0, max: 2 ** 31 - 1, description: 'Seed of the input, the convolution’s weights and the offsets.' },
  },
  knobs: ['groups', 'channels', 'factor', 'shift', 'seed'],
  run(params) {
    const { examples: N, channels: C, groups: G, size: S, factor, shift, seed } = params;
    if (C % G !== 0) throw new Error(`channels (${C}) must be divisible by groups (${G})`);
    const normalizers = normalizersFor(C, G, S);
    const { u, uShape, conv, zShape, pre } = convolvedInput(N, C, S, seed);
    const normalize = (norm: Normalizer, z: Float32Array): Tensor =>
      noGrad(() => {
        const m = norm.make();
        m.train();
        return m.forward(tensor(z, zShape));
      });
    const z0 = pre(conv.weight.data, u);

    // 1. The sets, as means and as a highlighted set.
    const setStats = normalizers.map((norm) => groupStats(norm, z0, N, C, S));
    // 2. The output over each set has mean 0 and std 1 (checks that the sets above are the engine's).
    const outputChecks = normalizers.map((norm) => outputCheck(norm, normalize(norm, z0).data, N, C, S));
    // 3. Invariances: how far each normalizer's output moves under each transform.
    const transforms = invarianceTransforms({ N, C, S, factor, shift });
    const baseline = normalizers.map((norm) => normalize(norm, z0).data);
    const results = transforms.map((t) => {
      const w = conv.weight.data.slice();
      const input = u.slice();
      t.weight?.(w, conv.weight.shape);
      t.input?.(input, uShape);
      const z = pre(w, input);
      t.output?.(z, zShape);
      return normalizers.map((norm, k) => maxAbsDiff(normalize(norm, z).data, baseline[k]!));
    });

    const plots = setPlots(normalizers, setStats, { N, C, S, G });
    const markdown = summary(normalizers, transforms, results, outputChecks, { N, C, S, G });
    return { plots, markdown, claims: checkClaims(axesClaims, invarianceMismatches(normalizers, transforms, results)) };
  },
});

/** The four normalizers, each with the axes it averages over and the key of the set an element belongs to. */
function normalizersFor(C: number, G: number, S: number): Normalizer[] {
  const perGroup = C / G;
  return [
    { name: NORM_NAMES.batch, axes: '(N, H, W) for each channel', make: () => new nn.BatchNorm2d(C, { affine: false }), key: (_n, c) => `c${c}` },
    { name: NORM_NAMES.layer, axes: '(C, H, W) for each example', make: () => new nn.LayerNorm([C, S, S], { elementwiseAffine: false }), key: (n) => `n${n}` },
    { name: NORM_NAMES.instance, axes: '(H, W) for each example and channel', make: () => new nn.InstanceNorm2d(C), key: (n, c) => `n${n}c${c}` },
    { name: NORM_NAMES.group, axes: `(C/G, H, W) for each example and group of ${perGroup} channels`, make: () => new nn.GroupNorm(G, C, { affine: false }), key: (n, c) => `n${n}g${Math.floor(c / perGroup)}` },
  ];
}

/**
 * The input u (N, 3, S+2, S+2) and a 3×3 convolution without bias feeding the normalizer: z = W ∗ u, with
 * `pre(w, u)` computing z for other weights or inputs.
 */
function convolvedInput(N: number, C: number, S: number, seed: number) {
  const generator = new Generator(seed);
  const inChannels = 3;
  const uShape = [N, inChannels, S + 2, S + 2];
  const u = new Float32Array(N * inChannels * (S + 2) * (S + 2));
  generator.fillNormal(u, 0, 1);
  // Each example on its own scale and brightness (as images are), so that the sets' statistics differ
  // visibly: through the weights, example n's offset shifts channel c by offset(n)·ΣW_c.
  const perExample = u.length / N;
  for (let n = 0; n < N; n++) {
    const scale = 0.5 + 1.5 * generator.nextFloat64();
    const offset = 0.5 + 2.5 * generator.nextFloat64();
    for (let i = n * perExample; i < (n + 1) * perExample; i++) u[i] = u[i]! * scale + offset;
  }
  const conv = new nn.Conv2d(inChannels, C, 3, { bias: false, generator });
  // Weights with a positive mean (PyTorch's default init plus 0.1), so that the examples' brightness
  // shows in every channel.
  conv.weight.data.forEach((v, i) => (conv.weight.data[i] = v + 0.1));
  const zShape = [N, C, S, S];
  const pre = (w: Float32Array, input: Float32Array): Float32Array =>
    noGrad(() => {
      const saved = conv.weight.data.slice();
      conv.weight.data.set(w);
      const z = conv.forward(tensor(input, uShape)).data.slice();
      conv.weight.data.set(saved);
      return z;
    });
  return { u, uShape, conv, zShape, pre };
}

/** The worst deviation from mean 0 and std 1 of a normalizer's output over its sets. */
function outputCheck(norm: Normalizer, y: Float32Array, N: number, C: number, S: number): { sets: number; size: number; worstMean: number; worstStd: number } {
  const stats = groupStats(norm, y, N, C, S);
  let worstMean = 0;
  let worstStd = 0;
  for (const [k, m] of stats.mean) {
    worstMean = Math.max(worstMean, Math.abs(m));
    worstStd = Math.max(worstStd, Math.abs(stats.std.get(k)! - 1));
  }
  return { sets: stats.mean.size, size: stats.size, worstMean, worstStd };
}

/** The rescalings and shifts checked, with the normalizers expected to be invariant to each (a table). */
function invarianceTransforms({ N, C, S, factor, shift }: { N: number; C: number; S: number; factor: number; shift: number }): Transform[] {
  const expect = (bn: boolean, ln: boolean, inorm: boolean, gn: boolean): Record<string, boolean> => ({
    [NORM_NAMES.batch]: bn,
    [NORM_NAMES.layer]: ln,
    [NORM_NAMES.instance]: inorm,
    [NORM_NAMES.group]: gn,
  });
  const lastChannel = C - 1;
  const lastExample = N - 1;
  return [
    { name: `all weights of the convolution feeding it ×${factor}`, alias: 'weight matrix re-scaling', expected: expect(true, true, true, true), weight: (w) => w.forEach((v, i) => (w[i] = v * factor)) },
    {
      name: `the weights of one output channel ×${factor}`,
      alias: 'weight vector re-scaling',
      expected: expect(true, false, true, false),
      weight: (w, shape) => {
        const per = w.length / shape[0]!;
        for (let i = lastChannel * per; i < (lastChannel + 1) * per; i++) w[i] = w[i]! * factor;
      },
    },
    { name: `the whole dataset (every input) ×${factor}`, alias: 'dataset re-scaling', expected: expect(true, true, true, true), input: (x) => x.forEach((v, i) => (x[i] = v * factor)) },
    { name: `the whole dataset shifted by ${shift} (every input pixel)`, alias: 'dataset re-centering', expected: expect(true, false, true, false), input: (x) => x.forEach((v, i) => (x[i] = v + shift)) },
    {
      name: `one example’s input ×${factor}`,
      alias: 'single training case re-scaling',
      expected: expect(false, true, true, true),
      input: (x) => {
        const per = x.length / N;
        for (let i = lastExample * per; i < (lastExample + 1) * per; i++) x[i] = x[i]! * factor;
      },
    },
    {
      name: `one example’s pre-activations shifted by ${shift}`,
      expected: expect(false, true, true, true),
      output: (z) => {
        const per = z.length / N;
        for (let i = lastExample * per; i < (lastExample + 1) * per; i++) z[i] = z[i]! + shift;
      },
    },
    {
      name: `one channel shifted by ${shift} (a bias on one unit)`,
      expected: expect(true, false, true, false),
      output: (z) => {
        for (let n = 0; n < N; n++) for (let i = 0; i < S * S; i++) z[(n * C + lastChannel) * S * S + i]! += shift;
      },
    },
  ];
}

/** Which elements each normalizer normalizes together, and the mean it subtracts from each set. */
function setPlots(normalizers: Normalizer[], setStats: ReturnType<typeof groupStats>[], { N, C, S, G }: { N: number; C: number; S: number; G: number }): PlotPayload[] {
  const perGroup = C / G;
  const meanPanels: HeatmapPlot[] = normalizers.map((norm, k) => ({
    kind: 'heatmap',
    title: norm.name,
    x: { label: 'example n' },
    y: { label: 'channel c' },
    value: { label: 'mean subtracted' },
    xValues: Array.from({ length: N }, (_, n) => n + 1),
    yLabels: Array.from({ length: C }, (_, c) => `c ${c + 1}`),
    z: Array.from({ length: C }, (_, c) => Array.from({ length: N }, (_, n) => round(setStats[k]!.mean.get(norm.key(n, c))!))),
    colorScale: 'sequential',
  }));
  const highlightPanels: HeatmapPlot[] = normalizers.map((norm) => {
    const a = norm.key(0, 0);
    const b = norm.key(N - 1, C - 1);
    return {
      kind: 'heatmap',
      title: norm.name,
      x: { label: 'example n' },
      y: { label: 'channel c' },
      value: { label: 'set' },
      xValues: Array.from({ length: N }, (_, n) => n + 1),
      yLabels: Array.from({ length: C }, (_, c) => `c ${c + 1}`),
      z: Array.from({ length: C }, (_, c) => Array.from({ length: N }, (_, n) => (norm.key(n, c) === a ? 1 : norm.key(n, c) === b ? 2 : 0))),
      colorScale: 'sequential',
    };
  });
  return [
    {
      version: 1,
      plot: {
        kind: 'small-multiples',
        title: `Which elements are normalized together: a batch of ${N} examples × ${C} channels (each cell stands for its ${S}×${S} positions)`,
        notes: `Bright: the set of example 1, channel 1; middle: the set of example ${N}, channel ${C}. Every normalizer also averages over all H×W positions. GroupNorm: ${G} groups of ${perGroup} channels.`,
        columns: 4,
        panels: highlightPanels,
      },
    },
    {
      version: 1,
      plot: {
        kind: 'small-multiples',
        title: 'The mean each normalizer subtracts from each (example, channel): cells of one colour share one mean',
        notes: 'Examples have different brightness and channels different weights, so every kind of set has its own pattern: BatchNorm one mean per row (channel), LayerNorm one per column (example), InstanceNorm one per cell, GroupNorm one per block.',
        columns: 4,
        panels: meanPanels,
      },
    },
  ];
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Mean and population std of every set of a normalizer over a (N, C, S, S) tensor. */
function groupStats(norm: Normalizer, z: Float32Array, N: number, C: number, S: number): { mean: Map<string, number>; std: Map<string, number>; size: number } {
  const sums = new Map<string, { s: number; q: number; n: number }>();
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const key = norm.key(n, c);
      const acc = sums.get(key) ?? { s: 0, q: 0, n: 0 };
      for (let i = 0; i < S * S; i++) {
        const v = z[(n * C + c) * S * S + i]!;
        acc.s += v;
        acc.q += v * v;
        acc.n++;
      }
      sums.set(key, acc);
    }
  }
  const mean = new Map<string, number>();
  const std = new Map<string, number>();
  let size = 0;
  for (const [k, { s, q, n }] of sums) {
    const m = s / n;
    mean.set(k, m);
    std.set(k, Math.sqrt(Math.max(0, q / n - m * m)));
    size = n;
  }
  return { mean, std, size };
}

const INVARIANT = 1e-3;

function formatDiff(d: number): string {
  return d === 0 ? '0' : d < 1e-3 ? d.toExponential(1) : d.toPrecision(3);
}

/** Every (normalizer, transformation) entry whose measured invariance differs from what its sets imply. */
function invarianceMismatches(normalizers: Normalizer[], transforms: Transform[], results: number[][]): { entries: number; mismatches: string[] } {
  const mismatches: string[] = [];
  transforms.forEach((t, r) =>
    normalizers.forEach((norm, k) => {
      const d = results[r]![k]!;
      if (d < INVARIANT !== t.expected[norm.name]) mismatches.push(`${norm.name} under “${t.name}” (max |Δ| = ${formatDiff(d)}, expected ${t.expected[norm.name] ? 'invariant' : 'a change'})`);
    }),
  );
  return { entries: transforms.length * normalizers.length, mismatches };
}

const axesClaims: Claim<{ entries: number; mismatches: string[] }>[] = [
  {
    claim: 'Each normalizer is invariant exactly to the rescalings and shifts constant over its sets (Ba et al. 2016, Table 1; Wu & He 2018, Fig. 2)',
    check: ({ entries, mismatches }) => ({
      measured: mismatches.length === 0 ? `all ${entries} entries as expected (✓ below ${INVARIANT})` : `${mismatches.length} of ${entries} entries differ: ${mismatches.join('; ')}`,
      holds: mismatches.length === 0,
    }),
  },
];

function summary(
  normalizers: Normalizer[],
  transforms: Transform[],
  results: number[][],
  checks: { sets: number; size: number; worstMean: number; worstStd: number }[],
  dims: { N: number; C: number; S: number; G: number },
): string {
  const mismatches: string[] = [];
  const lines = [
    `**One tensor of shape (N, C, H, W) = (${dims.N}, ${dims.C}, ${dims.S}, ${dims.S})**, the output of a 3×3 convolution. Each normalizer (training mode, no γ and β) subtracts a mean and divides by a standard deviation over a different set of elements:`,
    '',
    '| normalizer | averages over | sets | elements per set | largest \\|mean\\| of the output over a set | largest \\|std − 1\\| |',
    '|---|---|---:|---:|---:|---:|',
    ...normalizers.map((norm, k) => `| ${norm.name} | ${norm.axes} | ${checks[k]!.sets} | ${checks[k]!.size} | ${formatDiff(checks[k]!.worstMean)} | ${formatDiff(checks[k]!.worstStd)} |`),
    '',
    `**Invariances**, computed with the engine: the largest |change| of any output element when the input, the weights or the pre-activations are transformed (✓: below ${INVARIANT}, i.e. invariant up to float32 rounding and eps; ✗: the output changes).`,
    '',
    `| transformation | ${normalizers.map((n) => n.name).join(' | ')} |`,
    `|---|${normalizers.map(() => ':---:').join('|')}|`,
  ];
  transforms.forEach((t, r) => {
    const cells = normalizers.map((norm, k) => {
      const d = results[r]![k]!;
      const invariant = d < INVARIANT;
      if (invariant !== t.expected[norm.name]) mismatches.push(`${norm.name} under “${t.name}” (max |Δ| = ${formatDiff(d)}, expected ${t.expected[norm.name] ? 'invariant' : 'a change'})`);
      return `${invariant ? '✓' : '✗'} ${formatDiff(d)}`;
    });
    lines.push(`| ${t.name}${t.alias ? ` (Ba et al.: ${t.alias})` : ''} | ${cells.join(' | ')} |`);
  });
  lines.push('');
  lines.push(
    mismatches.length === 0
      ? 'Every entry agrees with what the sets imply: a normalizer is invariant to any positive rescaling or shift that is constant over each of its sets. ' +
          'BatchNorm, whose sets span the batch, is the only one that a single example can change (its statistics depend on the other examples); LayerNorm and GroupNorm, whose sets span channels, are the ones a single unit’s weights or bias can change.'
      : `**Note:** these entries differ from the theory: ${mismatches.join('; ')}.`,
  );
  lines.push(
    '',
    '**Literature.** Wu & He (2018, Fig. 2) draw the four as the same normalization over different axes of (N, C, H·W). Ba et al. (2016, Table 1) list the invariances of BatchNorm and LayerNorm: both are invariant to rescaling the weight matrix and the dataset; ' +
      'BatchNorm also to rescaling a single weight vector and re-centering the dataset, LayerNorm to rescaling a single training case. InstanceNorm (Ulyanov et al. 2016) is invariant to all of these, and GroupNorm sits between LayerNorm (G = 1) and InstanceNorm (G = C).',
    '',
    claimsTable(checkClaims(axesClaims, invarianceMismatches(normalizers, transforms, results))),
  );
  return lines.join('\n');
}
