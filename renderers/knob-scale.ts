/**
 * The numbers behind the knob controls (pure: no DOM): how a slider position maps to a parameter value
 * (linear or log, integers snapped, an exclusive minimum respected), how values are shown, and how a
 * typed value is read and checked against the knob's range.
 */
import type { NumberKnob } from '../src/shared/payload';

/** Keyboard steps on a slider commit once the keys rest this long (each arrow press fires a change). */
export const KEYBOARD_SETTLE_MS = 400;

/** Positions of a log slider. */
export const LOG_POSITIONS = 1000;
/** Positions of a linear slider over numbers (integers over a short range get one position per value). */
export const LINEAR_POSITIONS = 200;
/**
 * A log slider whose minimum is 0 (exclusive: eps, learning rates) has no natural left end: it spans this
 * many decades below the maximum, extended down to the current value when that is smaller.
 */
export const LOG_DECADES_BELOW_MAX = 7;

export interface SliderScale {
  /** The slider runs over the whole numbers 0 … positions. */
  positions: number;
  /** The values at both ends. */
  lo: number;
  hi: number;
  toPosition(value: number): number;
  /** The value at a position, snapped (integers; 2 significant digits on log sliders; a round step on linear ones). */
  fromPosition(position: number): number;
}

export function sliderScale(knob: NumberKnob): SliderScale {
  const integer = knob.kind === 'integer';
  const { lo, hi } = sliderEnds(knob);
  if (knob.scale === 'log') {
    const [a, b] = [Math.log(lo), Math.log(hi)];
    return {
      positions: LOG_POSITIONS,
      lo,
      hi,
      toPosition: (value) => clamp(Math.round(((Math.log(clamp(value, lo, hi)) - a) / (b - a)) * LOG_POSITIONS), 0, LOG_POSITIONS),
      fromPosition: (position) => {
        const raw = Math.exp(a + (position / LOG_POSITIONS) * (b - a));
        return clamp(integer ? Math.round(raw) : significant(raw, 2), lo, hi);
      },
    };
  }
  if (integer && hi - lo <= LOG_POSITIONS) {
    return { positions: hi - lo, lo, hi, toPosition: (value) => clamp(Math.round(value - lo), 0, hi - lo), fromPosition: (position) => lo + position };
  }
  const step = integer ? Math.max(1, Math.round(niceStep((hi - lo) / LINEAR_POSITIONS))) : niceStep((hi - lo) / LINEAR_POSITIONS);
  const positions = Math.round((hi - lo) / step);
  return {
    positions,
    lo,
    hi,
    toPosition: (value) => clamp(Math.round((value - lo) / step), 0, positions),
    fromPosition: (position) => clamp(Number((lo + position * step).toPrecision(12)), lo, hi),
  };
}

/** The slider's ends: the knob's range, just inside an exclusive minimum. */
function sliderEnds(knob: NumberKnob): { lo: number; hi: number } {
  const { min, max, value } = knob;
  const integer = knob.kind === 'integer';
  if (knob.scale === 'log') {
    let lo = min > 0 ? min : max * 10 ** -LOG_DECADES_BELOW_MAX;
    if (knob.exclusiveMin && min > 0) lo = integer ? min + 1 : min * (1 + 1e-9);
    if (value > 0 && value < lo) lo = value;
    return { lo, hi: max };
  }
  if (!knob.exclusiveMin) return { lo: min, hi: max };
  return { lo: integer ? min + 1 : min + niceStep((max - min) / LINEAR_POSITIONS), hi: max };
}

/** 1, 2 or 5 × a power of ten, the nearest at or above `x`. */
export function niceStep(x: number): number {
  if (!(x > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(x));
  const step = [1, 2, 5, 10].find((m) => m * power >= x * (1 - 1e-9))! * power;
  return Number(step.toPrecision(12));
}

function significant(x: number, digits: number): number {
  return Number(x.toPrecision(digits));
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** A value as shown in a knob's text field: the shortest text that reads back as the same number. */
export function formatKnobNumber(value: number): string {
  return String(value).replace('e+', 'e');
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** A number typed by a person (`1e-5`, `0.001`, `−2`, `1,000`), or why it cannot be one. */
export function parseNumber(text: string): Parsed<number> {
  const cleaned = text.trim().replace(/\u2212/g, '-').replace(/[,_\s](?=\d{3}\b)/g, '');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(cleaned)) return { ok: false, message: `"${text.trim()}" is not a number` };
  const value = Number(cleaned);
  return Number.isFinite(value) ? { ok: true, value } : { ok: false, message: `"${text.trim()}" is too large` };
}

/** A typed value for a number knob, checked against its kind and range. */
export function parseKnobNumber(text: string, knob: NumberKnob): Parsed<number> {
  const parsed = parseNumber(text);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  if (knob.kind === 'integer' && !Number.isInteger(value)) return { ok: false, message: `${knob.key} must be a whole number` };
  const tooSmall = knob.exclusiveMin ? value <= knob.min : value < knob.min;
  if (tooSmall || value > knob.max) {
    const low = knob.exclusiveMin ? `greater than ${formatKnobNumber(knob.min)}` : `at least ${formatKnobNumber(knob.min)}`;
    return { ok: false, message: `${knob.key} must be ${low} and at most ${formatKnobNumber(knob.max)}` };
  }
  return { ok: true, value };
}
