// Timing rule shared by the engine and TF.js runners (and mirrored in torch_bench.py): warm up
// (at least 3 calls and ~20% of the budget), then time single calls until the budget is spent,
// at least MIN_REPS and at most MAX_REPS, and keep the median.
export const MIN_REPS = 5;
export const MAX_REPS = 2000;

export interface Measurement {
  median_us: number;
  min_us: number;
  reps: number;
}

export function measure(fn: () => void, budgetS: number, minReps = MIN_REPS, warmupCalls = 3): Measurement {
  const budgetMs = budgetS * 1000;
  let end = performance.now() + 0.2 * budgetMs;
  for (let i = 0; i < warmupCalls; i++) fn();
  while (performance.now() < end) fn();
  const samples: number[] = [];
  end = performance.now() + budgetMs;
  while (samples.length < minReps || (performance.now() < end && samples.length < MAX_REPS)) {
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) * 1000);
  }
  samples.sort((a, b) => a - b);
  const m = samples.length >> 1;
  const median = samples.length % 2 ? samples[m] : (samples[m - 1] + samples[m]) / 2;
  return { median_us: median, min_us: samples[0], reps: samples.length };
}

export interface RunnerOutput {
  runner: string;
  version: string;
  threads?: number;
  results: Record<string, Measurement>;
  peak_rss_kb: number;
}

/** Budget (seconds) and workload names from argv: `<runner> [budget] [name ...]`. */
export function parseArgs(all: readonly string[]): { budget: number; names: string[] } {
  const args = process.argv.slice(2);
  const budget = args.length > 0 ? Number(args[0]) : 2;
  const names = args.length > 1 ? args.slice(1) : all.slice();
  return { budget, names };
}

export function peakRssKb(): number {
  return process.resourceUsage().maxRSS;
}
