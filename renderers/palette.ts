/**
 * Plot colours and fonts as plain data (no DOM), so the figure mapping stays pure and can be reused
 * outside the notebook (an HTML report) with a fixed palette. `theme.ts` fills a PlotTheme from the
 * VS Code theme's CSS variables; the fallbacks here are VS Code's default theme colours.
 */

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface PlotTheme {
  kind: ThemeKind;
  /** Text, titles, tick labels. */
  foreground: string;
  /** Secondary text (subtitle, statistics). */
  mutedForeground: string;
  /** Paper colour behind the figure: the editor background, or transparent. */
  background: string;
  /** Grid lines. */
  gridColor: string;
  /** Axis lines and ticks. */
  axisColor: string;
  fontFamily: string;
  /** Base font size in px. */
  fontSize: number;
  /** Series colours in order: blue, orange, green, red, purple, yellow (VS Code's `--vscode-charts-*`). */
  series: string[];
  /**
   * Colours of arms (arms.ts picks the slot from the arm's name): the six `series` colours, then
   * teal, pink, brown, grey, olive, navy, cyan, salmon, indigo, maroon (fixed per theme kind).
   */
  armPalette: string[];
  hoverBackground: string;
  hoverForeground: string;
  hoverBorder: string;
  /** Width of data lines (mean markers); thicker in high contrast. */
  lineWidth: number;
  /** High-contrast themes: outline bars, solid grid, no faint fills. */
  highContrast: boolean;
  /** Border colour used to outline marks in high contrast (VS Code's `contrastBorder`). */
  contrastBorder: string;
  /** The live badge of a running plot (VS Code's progress bar colour). */
  accent: string;
  /** The live badge of an interrupted plot (VS Code's warning colour). */
  warning: string;
}

export const DEFAULT_FONT_FAMILY =
  '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif';

const SERIES_LIGHT = ['#1a85ff', '#d18616', '#388a34', '#e51400', '#652d90', '#bf8803'];
const SERIES_DARK = ['#3794ff', '#d18616', '#89d185', '#f14c4c', '#b180d7', '#cca700'];
const SERIES_HC_LIGHT = ['#0f4a85', '#b5200d', '#007100', '#b5200d', '#652d90', '#895503'];

/** Arm colours after the six chart colours: teal, pink, brown, grey, olive, navy, cyan, salmon, indigo, maroon. */
export const EXTRA_ARM_COLORS: Record<'light' | 'dark', string[]> = {
  light: ['#00897b', '#d63384', '#8c564b', '#6e6e6e', '#7c8a12', '#1f3f8f', '#0090bd', '#d9613f', '#5b5bd6', '#9c2a4a'],
  dark: ['#4db6ac', '#f06292', '#c49c94', '#a0a0a0', '#c0ca33', '#7f95e0', '#4fc3f7', '#ff8a65', '#9fa8ff', '#e57399'],
};

/** The arm palette for a theme kind, given its six chart colours. */
export function armPaletteFor(kind: ThemeKind, series: string[]): string[] {
  const dark = kind === 'dark' || kind === 'high-contrast';
  return [...series.slice(0, 6), ...EXTRA_ARM_COLORS[dark ? 'dark' : 'light']];
}

/** Fallback palettes, used for every CSS variable the host does not define. */
export const FALLBACK_THEMES: Record<ThemeKind, PlotTheme> = {
  light: {
    kind: 'light',
    foreground: '#3b3b3b',
    mutedForeground: '#717171',
    background: '#ffffff',
    gridColor: '#e5e5e5',
    axisColor: '#8c8c8c',
    fontFamily: DEFAULT_FONT_FAMILY,
    fontSize: 12,
    series: SERIES_LIGHT,
    armPalette: armPaletteFor('light', SERIES_LIGHT),
    hoverBackground: '#f8f8f8',
    hoverForeground: '#3b3b3b',
    hoverBorder: '#c8c8c8',
    lineWidth: 2,
    highContrast: false,
    contrastBorder: '#c8c8c8',
    accent: '#005fb8',
    warning: '#bf8803',
  },
  dark: {
    kind: 'dark',
    foreground: '#cccccc',
    mutedForeground: '#9d9d9d',
    background: '#1f1f1f',
    gridColor: '#3c3c3c',
    axisColor: '#858585',
    fontFamily: DEFAULT_FONT_FAMILY,
    fontSize: 12,
    series: SERIES_DARK,
    armPalette: armPaletteFor('dark', SERIES_DARK),
    hoverBackground: '#202020',
    hoverForeground: '#cccccc',
    hoverBorder: '#454545',
    lineWidth: 2,
    highContrast: false,
    contrastBorder: '#454545',
    accent: '#0078d4',
    warning: '#cca700',
  },
  'high-contrast': {
    kind: 'high-contrast',
    foreground: '#ffffff',
    mutedForeground: '#ffffff',
    background: '#000000',
    gridColor: '#6fc3df',
    axisColor: '#ffffff',
    fontFamily: DEFAULT_FONT_FAMILY,
    fontSize: 12,
    series: SERIES_DARK,
    armPalette: armPaletteFor('high-contrast', SERIES_DARK),
    hoverBackground: '#0c141f',
    hoverForeground: '#ffffff',
    hoverBorder: '#6fc3df',
    lineWidth: 3,
    highContrast: true,
    contrastBorder: '#6fc3df',
    accent: '#6fc3df',
    warning: '#ffd700',
  },
  'high-contrast-light': {
    kind: 'high-contrast-light',
    foreground: '#292929',
    mutedForeground: '#292929',
    background: '#ffffff',
    gridColor: '#0f4a85',
    axisColor: '#292929',
    fontFamily: DEFAULT_FONT_FAMILY,
    fontSize: 12,
    series: SERIES_HC_LIGHT,
    armPalette: armPaletteFor('high-contrast-light', SERIES_HC_LIGHT),
    hoverBackground: '#ffffff',
    hoverForeground: '#292929',
    hoverBorder: '#0f4a85',
    lineWidth: 3,
    highContrast: true,
    contrastBorder: '#0f4a85',
    accent: '#0f4a85',
    warning: '#895503',
  },
};

/**
 * Normalizes a CSS colour for plotly: hex forms with alpha (`#rgba`, `#rrggbbaa`, which VS Code themes
 * use a lot) become `rgba(...)`; anything else is returned trimmed. Returns undefined for empty input.
 */
export function normalizeColor(value: string | undefined | null): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(v);
  if (!hex) return v;
  let digits = hex[1]!;
  if (digits.length <= 4) digits = [...digits].map((d) => d + d).join('');
  if (digits.length === 6) return `#${digits.toLowerCase()}`;
  const [r, g, b, a] = [0, 2, 4, 6].map((i) => parseInt(digits.slice(i, i + 2), 16)) as [number, number, number, number];
  return `rgba(${r},${g},${b},${Math.round((a / 255) * 1000) / 1000})`;
}

/** True if the colour is fully transparent (so the figure should not paint a paper background). */
export function isTransparent(color: string): boolean {
  const c = color.replace(/\s+/g, '').toLowerCase();
  return c === 'transparent' || /^rgba\(\d+,\d+,\d+,0(\.0*)?\)$/.test(c);
}

/** The light theme preset (VS Code Light Modern colours), usable without CSS variables (e.g. an HTML report). */
export function lightTheme(): PlotTheme {
  return structuredClone(FALLBACK_THEMES.light);
}

/** The dark theme preset (VS Code Dark Modern colours), usable without CSS variables. */
export function darkTheme(): PlotTheme {
  return structuredClone(FALLBACK_THEMES.dark);
}

/** The high-contrast (dark) preset. */
export function highContrastTheme(): PlotTheme {
  return structuredClone(FALLBACK_THEMES['high-contrast']);
}

/** `color` (hex `#rrggbb`/`#rgb`, `rgb()` or `rgba()`) with its alpha set to `alpha`; other forms unchanged. */
export function withAlpha(color: string, alpha: number): string {
  const c = normalizeColor(color) ?? color;
  const hex = /^#([0-9a-f]{6})$/i.exec(c);
  if (hex) {
    const n = parseInt(hex[1]!, 16);
    return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
  }
  const rgb = /^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)/i.exec(c);
  if (rgb) return `rgba(${rgb[1]},${rgb[2]},${rgb[3]},${alpha})`;
  return c;
}
