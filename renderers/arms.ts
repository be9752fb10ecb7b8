/**
 * One colour per arm, the same in every plot of a notebook and in every kind: a fixed slot for
 * well-known arm names ("BatchNorm", "no norm", …, matched loosely: case, spaces, dashes and common
 * abbreviations don't matter), then a stable hash of the name into the remaining slots. The slot indexes
 * `PlotTheme.armPalette`, so the colour itself follows the VS Code theme. Pure.
 */
import type { PlotTheme } from './palette';

/** Palette slots (see `PlotTheme.armPalette`). */
const SLOT = {
  blue: 0,
  orange: 1,
  green: 2,
  red: 3,
  purple: 4,
  yellow: 5,
  teal: 6,
  pink: 7,
  brown: 8,
  grey: 9,
  olive: 10,
  navy: 11,
  cyan: 12,
  salmon: 13,
  indigo: 14,
  maroon: 15,
} as const;

/** Well-known arms: canonical key (see `armKey`) → slot. */
const KNOWN: Record<string, number> = {
  batchnorm: SLOT.blue,
  nonorm: SLOT.grey,
  layernorm: SLOT.orange,
  groupnorm: SLOT.green,
  instancenorm: SLOT.purple,
  batchrenorm: SLOT.teal,
  noisybatchnorm: SLOT.pink,
  dropout: SLOT.yellow,
  rmsnorm: SLOT.brown,
  weightnorm: SLOT.olive,
};

/** Other names of the well-known arms (after lower-casing and removing spaces, dashes, underscores, dots). */
const ALIASES: Record<string, string> = {
  bn: 'batchnorm',
  batchnormalization: 'batchnorm',
  batchnorm1d: 'batchnorm',
  batchnorm2d: 'batchnorm',
  none: 'nonorm',
  nonormalization: 'nonorm',
  withoutnorm: 'nonorm',
  withoutbatchnorm: 'nonorm',
  nobn: 'nonorm',
  nobatchnorm: 'nonorm',
  baseline: 'nonorm',
  plain: 'nonorm',
  ln: 'layernorm',
  layernormalization: 'layernorm',
  gn: 'groupnorm',
  groupnormalization: 'groupnorm',
  in: 'instancenorm',
  instancenormalization: 'instancenorm',
  instancenorm1d: 'instancenorm',
  instancenorm2d: 'instancenorm',
  brn: 'batchrenorm',
  batchrenormalization: 'batchrenorm',
  noisybn: 'noisybatchnorm',
  bnnoise: 'noisybatchnorm',
  bnwithnoise: 'noisybatchnorm',
  batchnormwithnoise: 'noisybatchnorm',
  rms: 'rmsnorm',
  wn: 'weightnorm',
  weightnormalization: 'weightnorm',
};

/** Slots for names that are not well known: the colours no well-known arm uses. */
const HASHED = [SLOT.red, SLOT.navy, SLOT.cyan, SLOT.salmon, SLOT.indigo, SLOT.maroon];

/** Canonical key of an arm name: lower case without spaces, dashes, underscores or dots; aliases resolved. */
export function armKey(name: string): string {
  const key = name.toLowerCase().replace(/[\s\-_.·]+/g, '');
  return ALIASES[key] ?? key;
}

/** FNV-1a, 32 bit: a stable hash, the same in every webview, Node and browser. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Palette slot of an arm: fixed for well-known names, a stable hash for others. */
export function armSlot(name: string): number {
  const key = armKey(name);
  const known = KNOWN[key];
  if (known !== undefined) return known;
  return HASHED[fnv1a(key) % HASHED.length]!;
}

/** The arm's colour in `theme`. */
export function armColor(name: string, theme: PlotTheme): string {
  const palette = theme.armPalette.length > 0 ? theme.armPalette : theme.series;
  return palette[armSlot(name) % palette.length] ?? theme.foreground;
}

/**
 * A marker shape per arm, so that arms whose lines overlap (sample 05: "no norm", LayerNorm and GroupNorm
 * all end near 90 %) stay distinguishable where one line covers another, and without colour vision.
 * Fixed for well-known arms; a stable hash for others. Never `x`: that is the divergence mark.
 */
const KNOWN_SYMBOLS: Record<string, string> = {
  batchnorm: 'circle',
  nonorm: 'square',
  layernorm: 'diamond',
  groupnorm: 'triangle-up',
  instancenorm: 'triangle-down',
  batchrenorm: 'pentagon',
  noisybatchnorm: 'hexagon',
  dropout: 'star',
  rmsnorm: 'hourglass',
  weightnorm: 'bowtie',
};
const HASHED_SYMBOLS = ['pentagon', 'hexagon', 'star', 'triangle-left', 'triangle-right', 'star-diamond'];

export function armSymbol(name: string): string {
  const key = armKey(name);
  return KNOWN_SYMBOLS[key] ?? HASHED_SYMBOLS[fnv1a(key) % HASHED_SYMBOLS.length]!;
}

/**
 * Drawing layer of an arm's lines: the baseline ("no norm") is drawn last, on top. It is usually the
 * first arm, and drawn first it disappears under the normalized arms that end where it ends. Its grey
 * line on top still lets the coloured lines (and their markers) show wherever they differ.
 */
export function armLayer(name: string): number {
  return armKey(name) === 'nonorm' ? 1 : 0;
}

/** `items` in drawing order: stably sorted by the layer of their arm (legend order stays `legendrank`). */
export function byArmLayer<T>(items: readonly T[], arm: (item: T) => string): T[] {
  return items
    .map((item, index) => ({ item, index, layer: armLayer(arm(item)) }))
    .sort((a, b) => a.layer - b.layer || a.index - b.index)
    .map(({ item }) => item);
}
