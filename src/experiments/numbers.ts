/** Small numeric helpers that every experiment's summary uses. */

/** The seeds of a multi-seed run: `seed`, `seed + 1`, … */
export function seedList(seed: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => seed + i);
}

/** Arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1));
}

/**
 * `x.toFixed(digits)` without a negative zero: a value that rounds to zero prints as "0.00", never
 * "-0.00", so that a sign never claims a direction the digits do not show.
 */
export function fixed(x: number, digits: number): string {
  const text = x.toFixed(digits);
  return Number(text) === 0 ? text.replace(/^-/, '') : text;
}

/** A number with its sign, "+0.211" or "−0.528" (a true minus), and no sign when it rounds to zero. */
export function signed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const text = Math.abs(x).toFixed(digits);
  return Number(text) === 0 ? text : `${x > 0 ? '+' : '−'}${text}`;
}

/** A fraction as a percentage, "95.1 %"; "n/a" when it is not a number. */
export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${fixed(100 * x, digits)} %` : 'n/a';
}

/** Percentage points with a sign, e.g. 0.012 → "+1.2 pp", −0.0004 → "0.0 pp" (no sign on a rounded zero). */
export function pp(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return 'n/a';
  const text = Math.abs(100 * x).toFixed(digits);
  if (Number(text) === 0) return `${text} pp`;
  return `${x > 0 ? '+' : '−'}${text} pp`;
}

/**
 * The number of decimals (from `digits`, at most `digits + 3`) at which `x` rounded stays on the same
 * side of `threshold` as `x` itself: −0.528 beside "more than 0.5" prints as −0.53, not −0.5.
 */
export function digitsAgainst(x: number, threshold: number, digits: number): number {
  const side = Math.sign(x - threshold);
  for (let d = digits; d < digits + 3; d++) {
    if (Math.sign(Number(x.toFixed(d)) - threshold) === side) return d;
  }
  return digits + 3;
}

/** {@link pp} with enough decimals that the rounded value stays on `x`'s side of every threshold (fractions). */
export function ppAgainst(x: number, thresholds: readonly number[], digits = 1): string {
  const d = Math.max(digits, ...thresholds.flatMap((t) => [digitsAgainst(100 * x, 100 * t, digits), digitsAgainst(100 * x, -100 * t, digits)]));
  return pp(x, d);
}

/**
 * Text for a table cell with no line break between a number and its unit: a no-break space (U+00A0)
 * before "%" and "pp", so that a narrow cell never wraps "%)" or "pp)" onto a line of its own.
 */
export function keepUnits(text: string): string {
  return text.replace(/(\d) (%|pp)(?![\p{L}])/gu, '$1\u00a0$2');
}
