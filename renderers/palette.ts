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
  /** Series colours in order: blue, orange, green, red, purple, yellow. */
  series: string[];
  hoverBackground: string;
  hoverForeground: string;
  hoverBorder: string;
  /** Width of data lines (mean markers); thicker in high contrast. */
  lineWidth: number;
  /** High-contrast themes: outline bars, solid grid, no faint fills. */
  highContrast: boolean;
  /** Border colour used to outline marks in high contrast (VS Code's `contrastBorder`). */
  contrastBorder: string;
}

export const DEFAULT_FONT_FAMILY =
  '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif';

const SERIES_LIGHT = ['#1a85ff', '#d18616', '#388a34', '#e51400', '#652d90', '#bf8803'];
const SERIES_DARK = ['#3794ff', '#d18616', '#89d185', '#f14c4c', '#b180d7', '#cca700'];

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
    hoverBackground: '#f8f8f8',
    hoverForeground: '#3b3b3b',
    hoverBorder: '#c8c8c8',
    lineWidth: 2,
    highContrast: false,
    contrastBorder: '#c8c8c8',
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
    hoverBackground: '#202020',
    hoverForeground: '#cccccc',
    hoverBorder: '#454545',
    lineWidth: 2,
    highContrast: false,
    contrastBorder: '#454545',
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
    hoverBackground: '#0c141f',
    hoverForeground: '#ffffff',
    hoverBorder: '#6fc3df',
    lineWidth: 3,
    highContrast: true,
    contrastBorder: '#6fc3df',
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
    series: ['#0f4a85', '#b5200d', '#007100', '#b5200d', '#652d90', '#895503'],
    hoverBackground: '#ffffff',
    hoverForeground: '#292929',
    hoverBorder: '#0f4a85',
    lineWidth: 3,
    highContrast: true,
    contrastBorder: '#0f4a85',
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
