/** Number formatting for hover text, statistics and the accessible summary. Pure. */

const MINUS = '\u2212';

/**
 * Formats `x` with as many digits as `resolution` asks for (the smallest difference worth showing):
 * `formatNumber(10000.314, 0.05)` → "10000.31", `formatNumber(-0.000934, 0.00001)` → "−9.3e−4",
 * `formatNumber(1e-17, 0.01)` → "0". Without a resolution, 4 significant digits.
 * Very large and very small magnitudes use exponent notation so labels stay short.
 */
export function formatNumber(x: number, resolution?: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? '∞' : `${MINUS}∞`;
  const magnitude = Math.abs(x);
  if (magnitude === 0) return '0';
  const res = resolution !== undefined && resolution > 0 && Number.isFinite(resolution) ? resolution : magnitude * 1e-3;
  if (magnitude < res / 2) return '0';
  let text: string;
  if (magnitude >= 1e-3 && magnitude < 1e6) {
    const decimals = Math.min(12, Math.max(0, Math.ceil(-Math.log10(res) - 1e-9)));
    text = x.toFixed(decimals);
    if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  } else {
    const digits = Math.min(10, Math.max(1, Math.floor(Math.log10(magnitude)) - Math.floor(Math.log10(res)) + 1));
    const [mantissa, exponent] = x.toExponential(digits - 1).split('e') as [string, string];
    const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    text = `${trimmed}e${exponent.replace('+', '').replace('-', MINUS)}`;
  }
  if (text === '-0') return '0';
  return text.replace(/^-/, MINUS);
}

/** Escapes text for plotly's pseudo-HTML labels (titles, annotations, hover text). */
export function escapePlotText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
