/** JavaScript values as Python literals, for the generated script. */

/** A number as Python reads it back to the same double (`1e-05`, `0.1`, `inf`). */
export function pyNumber(x: number): string {
  if (Number.isNaN(x)) return 'float("nan")';
  if (x === Infinity) return 'float("inf")';
  if (x === -Infinity) return '-float("inf")';
  return String(x);
}

/** A string literal (JSON's escapes are valid Python). */
export function pyString(s: string): string {
  return JSON.stringify(s);
}

/** JSON-like data as a Python literal (dicts, lists, strings, numbers, booleans, None). */
export function pyLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyString(k)}: ${pyLiteral(v)}`).join(', ')}}`;
}
