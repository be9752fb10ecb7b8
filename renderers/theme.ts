/**
 * Reads the VS Code theme from the webview document: the kind from the body's classes
 * (`vscode-light`, `vscode-dark`, `vscode-high-contrast`, `vscode-high-contrast-light`) or its
 * `data-vscode-theme-kind` attribute (never `prefers-color-scheme`, which follows the OS, not VS Code),
 * and the colours from the `--vscode-*` CSS variables VS Code sets on the document.
 */
import { FALLBACK_THEMES, armPaletteFor, normalizeColor, type PlotTheme, type ThemeKind } from './palette';

export function themeKind(doc: Document = document): ThemeKind {
  const body = doc.body;
  const classes = body?.classList;
  if (classes?.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (classes?.contains('vscode-high-contrast')) return 'high-contrast';
  if (classes?.contains('vscode-dark')) return 'dark';
  if (classes?.contains('vscode-light')) return 'light';
  switch (body?.getAttribute('data-vscode-theme-kind') ?? doc.documentElement.getAttribute('data-vscode-theme-kind')) {
    case 'vscode-high-contrast-light':
      return 'high-contrast-light';
    case 'vscode-high-contrast':
      return 'high-contrast';
    case 'vscode-dark':
      return 'dark';
    default:
      return 'light';
  }
}

export function readTheme(doc: Document = document): PlotTheme {
  const kind = themeKind(doc);
  const fallback = FALLBACK_THEMES[kind];
  const style = doc.defaultView?.getComputedStyle(doc.body ?? doc.documentElement);
  const raw = (name: string): string | undefined => style?.getPropertyValue(`--vscode-${name}`).trim() || undefined;
  const color = (...names: string[]): string | undefined => {
    for (const name of names) {
      const value = normalizeColor(raw(name));
      if (value) return value;
    }
    return undefined;
  };
  const highContrast = kind === 'high-contrast' || kind === 'high-contrast-light';
  const contrastBorder = color('contrastBorder') ?? fallback.contrastBorder;
  const foreground = color('editor-foreground', 'foreground') ?? fallback.foreground;
  const fontSize = Number.parseFloat(raw('font-size') ?? '');
  const series = ['blue', 'orange', 'green', 'red', 'purple', 'yellow'].map(
    (name, i) => color(`charts-${name}`) ?? fallback.series[i]!,
  );
  return {
    kind,
    foreground,
    mutedForeground: highContrast ? foreground : (color('descriptionForeground') ?? fallback.mutedForeground),
    background: color('editor-background') ?? 'rgba(0,0,0,0)',
    gridColor: highContrast
      ? contrastBorder
      : (color('editorWidget-border', 'panel-border', 'widget-border') ?? fallback.gridColor),
    axisColor: highContrast ? foreground : (color('charts-lines', 'editorLineNumber-foreground') ?? fallback.axisColor),
    fontFamily: raw('font-family') ?? fallback.fontFamily,
    fontSize: Number.isFinite(fontSize) && fontSize >= 8 && fontSize <= 32 ? Math.round(fontSize * 0.92) : fallback.fontSize,
    series,
    armPalette: armPaletteFor(kind, series),
    hoverBackground: color('editorHoverWidget-background') ?? fallback.hoverBackground,
    hoverForeground: color('editorHoverWidget-foreground', 'editor-foreground') ?? fallback.hoverForeground,
    hoverBorder: color('editorHoverWidget-border', 'contrastBorder') ?? fallback.hoverBorder,
    lineWidth: fallback.lineWidth,
    highContrast,
    contrastBorder,
    accent: color('progressBar-background', 'focusBorder') ?? fallback.accent,
    warning: color('editorWarning-foreground', 'notificationsWarningIcon-foreground') ?? fallback.warning,
  };
}
