/** Small numeric helpers that every experiment's summary uses. */

/** The seeds of a multi-seed run: `seed`, `seed + 1`, … */
export function seedList(seed: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => seed + i);
}

/** Arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** A fraction as a percentage, "95.1 %"; "n/a" when it is not a number. */
export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(digits)} %` : 'n/a';
}
