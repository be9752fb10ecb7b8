/**
 * Prints a tensor the way PyTorch does, so that a cell's last value reads as a PyTorch user expects:
 * `tensor([[1., 2.],\n        [3., 4.]], requires_grad=True)`. Large tensors are summarized with `...`.
 */
import type { Tensor } from '../engine';

/** Above this many elements, only the first and last few along each axis are printed (PyTorch's threshold). */
const SUMMARIZE_ABOVE = 1000;
const EDGE_ITEMS = 3;

export function formatTensor(t: Tensor): string {
  const summarize = t.data.length > SUMMARIZE_ABOVE;
  // As PyTorch, the number format is chosen from the values that are printed.
  const format = numberFormat(summarize ? shownValues(t, 0, 0) : t.data);
  const indent = 'tensor('.length;
  const body = t.shape.length === 0 ? format(t.data[0]!) : formatAxis(t, 0, 0, indent, format, summarize);
  const suffix = t.requiresGrad ? ', requires_grad=True' : '';
  return `tensor(${body}${suffix})`;
}

function formatAxis(t: Tensor, axis: number, offset: number, indent: number, format: (x: number) => string, summarize: boolean): string {
  const size = t.shape[axis]!;
  const stride = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const indices = summarize && size > 2 * EDGE_ITEMS ? [...range(0, EDGE_ITEMS), -1, ...range(size - EDGE_ITEMS, size)] : range(0, size);
  if (axis === t.shape.length - 1) {
    return `[${indices.map((i) => (i < 0 ? '...' : format(t.data[offset + i]!))).join(', ')}]`;
  }
  const separator = `,${'\n'.repeat(t.shape.length - 1 - axis)}${' '.repeat(indent + axis + 1)}`;
  return `[${indices.map((i) => (i < 0 ? '...' : formatAxis(t, axis + 1, offset + i * stride, indent, format, summarize))).join(separator)}]`;
}

function shownValues(t: Tensor, axis: number, offset: number): Float32Array {
  const size = t.shape[axis]!;
  const stride = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const indices = size > 2 * EDGE_ITEMS ? [...range(0, EDGE_ITEMS), ...range(size - EDGE_ITEMS, size)] : range(0, size);
  if (axis === t.shape.length - 1) return Float32Array.from(indices, (i) => t.data[offset + i]!);
  const parts = indices.map((i) => shownValues(t, axis + 1, offset + i * stride));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function range(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}

/** PyTorch's choice: integers as `1.`, scientific when the finite values span more than 1e3 or are tiny, else 4 decimals. */
function numberFormat(values: Float32Array): (x: number) => string {
  let maxAbs = 0;
  let minAbs = Infinity;
  let allIntegers = true;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a !== 0 && a < minAbs) minAbs = a;
    if (!Number.isInteger(v)) allIntegers = false;
  }
  const special = (x: number) => (Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf');
  if (allIntegers && maxAbs < 1e8) {
    const width = Math.max(...Array.from(values, (v) => (Number.isFinite(v) ? `${v}.` : special(v)).length), 1);
    return (x) => (Number.isFinite(x) ? `${x}.` : special(x)).padStart(width);
  }
  const scientific = maxAbs >= 1e8 || (minAbs !== Infinity && (maxAbs / minAbs > 1e3 || minAbs < 1e-4));
  const render = (x: number) => (!Number.isFinite(x) ? special(x) : scientific ? x.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : x.toFixed(4));
  const width = Math.max(...Array.from(values, (v) => render(v).length), 1);
  return (x) => render(x).padStart(width);
}
