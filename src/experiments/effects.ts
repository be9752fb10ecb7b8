/**
 * Effects over seeds: the difference a summary sentence rests on, its spread over seeds, and a verdict
 * computed from them, so that no summary states an effect its own numbers do not show.
 *
 * The rule (docs/decisions.md, issue 14): a difference is a **clear effect** when every seed's
 * difference has the expected sign, the mean is larger than the measurement's resolution (for accuracies:
 * the test set's sampling error), and, with three seeds or more, the 95 % t-interval of the mean
 * difference excludes 0. It is the **opposite** under the same rule with the sign reversed, and
 * **within the seed noise** otherwise.
 */
import { mean, pp, sampleStd } from './numbers';

export type Verdict = 'clear' | 'noise' | 'opposite';

export interface Effect {
  /** One difference per seed (b − a, paired by seed). */
  diffs: number[];
  mean: number;
  min: number;
  max: number;
  /** The 95 % t-interval of the mean difference (Student's t, n − 1 degrees of freedom); with fewer than 3 seeds, none. */
  interval?: [number, number];
  /** The smallest difference the measurement resolves (0: any). */
  resolution: number;
  /** +1 when the claim is b > a, −1 when it is b < a. */
  direction: 1 | -1;
  verdict: Verdict;
}

/** Two-sided 95 % quantiles of Student's t for 1 … 30 degrees of freedom. */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074,
  2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The two-sided 95 % quantile of Student's t with `df` degrees of freedom (beyond 30: Cornish–Fisher's first term). */
export function t95(df: number): number {
  if (df < 1) return NaN;
  if (df <= 30) return T95[Math.round(df) - 1]!;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df);
}

/** The 95 % t-interval of the mean of `values`; undefined for fewer than 3 values. */
export function tInterval(values: readonly number[]): [number, number] | undefined {
  if (values.length < 3) return undefined;
  const m = mean(values);
  const half = (t95(values.length - 1) * sampleStd(values)) / Math.sqrt(values.length);
  return [m - half, m + half];
}

/**
 * 1.96 standard errors of the difference between two accuracies near `a` and `b`, each measured on `n`
 * examples (binomial): the difference below which one test set cannot tell two arms apart.
 */
export function accuracyResolution(a: number, b: number, n: number): number {
  const variance = (a * (1 - a) + b * (1 - b)) / n;
  return Number.isFinite(variance) && variance > 0 ? 1.959964 * Math.sqrt(variance) : 0;
}

/** The effect of b against a, paired by index (seed), in the direction the claim expects. */
export function pairedEffect(a: readonly number[], b: readonly number[], options: { direction?: 1 | -1; resolution?: number } = {}): Effect {
  const n = Math.min(a.length, b.length);
  const diffs = Array.from({ length: n }, (_, i) => b[i]! - a[i]!).filter(Number.isFinite);
  return effectOf(diffs, options);
}

/** A comparison with no expected direction: judged in the direction of its mean ("clear" then means a clear difference). */
export function twoSidedEffect(a: readonly number[], b: readonly number[], resolution = 0): Effect {
  const probe = pairedEffect(a, b);
  return pairedEffect(a, b, { direction: probe.mean < 0 ? -1 : 1, resolution });
}

/** The effect measured by per-seed differences. */
export function effectOf(diffs: readonly number[], options: { direction?: 1 | -1; resolution?: number } = {}): Effect {
  const direction = options.direction ?? 1;
  const resolution = options.resolution ?? 0;
  const m = mean(diffs);
  const interval = tInterval(diffs);
  const beyond = (sign: number): boolean =>
    diffs.length > 0 && diffs.every((d) => sign * d > 0) && sign * m > resolution && (interval === undefined || (sign > 0 ? interval[0] > 0 : interval[1] < 0));
  const verdict: Verdict = beyond(direction) ? 'clear' : beyond(-direction) ? 'opposite' : 'noise';
  return {
    diffs: [...diffs],
    mean: m,
    min: diffs.length ? Math.min(...diffs) : NaN,
    max: diffs.length ? Math.max(...diffs) : NaN,
    ...(interval ? { interval } : {}),
    resolution,
    direction,
    verdict,
  };
}

export type Format = (x: number) => string;

/**
 * The numbers of an effect for prose: "+1.2 pp (3 seeds: +0.8 to +1.6 pp; 95 % t-interval of the mean
 * paired difference +0.3 to +2.1 pp)", or "+1.2 pp (one seed)".
 */
export function effectNumbers(effect: Effect, format: Format = pp): string {
  const n = effect.diffs.length;
  if (n === 0) return 'n/a (no seed to compare)';
  if (n === 1) return `${format(effect.mean)} (one seed)`;
  const range = `${n} seeds: ${format(effect.min)} to ${format(effect.max)}`;
  const interval = effect.interval ? `; 95 % t-interval of the mean paired difference ${format(effect.interval[0])} to ${format(effect.interval[1])}` : '';
  return `${format(effect.mean)} (${range}${interval})`;
}

/** Why the verdict is what it is, in words that follow from the numbers shown beside it. */
export function verdictWords(effect: Effect, format: Format = pp): string {
  const n = effect.diffs.length;
  if (n === 0) return 'not measured';
  const floor = effect.resolution > 0 ? ` and beyond the test set’s sampling error (±${format(effect.resolution).replace(/^[+−]/, '')})` : '';
  if (effect.verdict === 'clear' || effect.verdict === 'opposite') {
    const what = effect.verdict === 'clear' ? 'a clear effect' : 'the opposite of the expected direction';
    if (n === 1) return `${what} for this one seed${floor.replace(' and beyond', ', beyond')}; one seed has no spread to judge the seed noise by (run more seeds)`;
    return `${what}: ${n === 2 ? 'both seeds' : `all ${n} seeds`} agree in sign${floor}${effect.interval ? ', and the 95 % interval excludes 0' : ''}`;
  }
  const sameSign = effect.diffs.every((d) => d > 0) || effect.diffs.every((d) => d < 0);
  if (!sameSign) return 'within the seed noise: the sign changes from seed to seed';
  if (effect.resolution > 0 && Math.abs(effect.mean) <= effect.resolution) return `within the noise: smaller than the test set’s sampling error (±${format(effect.resolution).replace(/^[+−]/, '')})`;
  return 'within the seed noise: the 95 % interval includes 0';
}

/** "+1.2 pp (…), a clear effect: …" — the numbers and the verdict in one phrase. */
export function describeEffect(effect: Effect, format: Format = pp): string {
  return `${effectNumbers(effect, format)}, ${verdictWords(effect, format)}`;
}
