/**
 * Pure mapping from a plot payload (docs/plot-payload.md) and a PlotTheme to a plotly figure: every kind,
 * the frame around it (title, style key, legend, notes, margins) and small-multiples grids.
 * No DOM access, no plotly runtime (types only): an HTML report can call `toFigure(payload, lightTheme())`
 * in Node and hand the result to `Plotly.newPlot(div, data, layout, config)` in the page.
 */
import type { Annotation, Config, Layout } from 'plotly.js-dist';
import type { PanelSpec, PlotSpec, SmallMultiplesPlot } from '../../src/shared/payload';
import { escapePlotText } from '../format';
import { FALLBACK_THEMES, type PlotTheme } from '../palette';
import {
  AXIS_BOTTOM,
  Canvas,
  DEFAULT_WIDTH,
  MARGIN_LEFT,
  MARGIN_RIGHT,
  PANEL_TITLE,
  columnSpan,
  gridColumns,
  keyOf,
  round,
  wrapText,
  type Box,
  type FigureOptions,
  type KindDrawer,
  type Measure,
  type PlotFigure,
  type Sides,
} from './common';
import { distributionComparison } from './distribution';
import { colorAxisLayout, heatmap } from './heatmap';
import { percentileBands } from './percentile-bands';
import { sweep } from './sweep';
import { trainingCurves } from './training-curves';

export type { FigureOptions, PlotFigure } from './common';
export { exponentFormat, wrapText } from './common';
export { armColor, armKey, armSlot } from '../arms';
export { darkTheme, highContrastTheme, lightTheme, type PlotTheme } from '../palette';

const PANEL_DRAWERS: { [K in PanelSpec['kind']]: KindDrawer<Extract<PanelSpec, { kind: K }>> } = {
  'distribution-comparison': distributionComparison,
  'percentile-bands': percentileBands,
  'training-curves': trainingCurves,
  sweep,
  heatmap,
};

function drawerOf(panel: PanelSpec): KindDrawer<PanelSpec> {
  return PANEL_DRAWERS[panel.kind] as KindDrawer<PanelSpec>;
}

const SMALL_MULTIPLES_TITLE = 'Small multiples';

/** Title shown on the plot: the payload's, or a generic one for the kind when it is blank. */
export function displayTitle(plot: PlotSpec): string {
  const fallback = plot.kind === 'small-multiples' ? SMALL_MULTIPLES_TITLE : drawerOf(plot).defaultTitle;
  return plot.title.trim() || fallback;
}

/** One-paragraph text summary of the plot for screen readers (the container's aria-label). */
export function describePlot(plot: PlotSpec): string {
  let body: string;
  if (plot.kind === 'small-multiples') {
    const { cols, rows } = smallMultiplesGrid(plot, DEFAULT_WIDTH - MARGIN_LEFT - MARGIN_RIGHT);
    const shown = plot.panels.slice(0, 6).map((panel, i) => `Panel ${i + 1}, ${displayTitle(panel)}: ${drawerOf(panel).describe(panel)}`);
    body = `${plot.panels.length} panels in a grid of ${rows} by ${cols}. ${shown.join(' ')}${plot.panels.length > 6 ? ` And ${plot.panels.length - 6} more panels.` : ''}`;
  } else {
    body = drawerOf(plot).describe(plot);
  }
  return `Plot: ${displayTitle(plot)}. ${body}${plot.notes?.trim() ? ` Note: ${plot.notes.trim()}` : ''}`;
}

/** Number of plotly traces buildFigure draws for `plot` (what the renderer reports). */
export function traceCount(plot: PlotSpec): number {
  return buildFigure(plot, FALLBACK_THEMES.light).data.length;
}

/** The plotly config of a plot: mode bar without the plotly logo and selection tools, PNG export at 2×. */
export function figureConfig(plot: PlotSpec): Partial<Config> {
  return {
    responsive: true,
    displaylogo: false,
    displayModeBar: 'hover',
    modeBarButtonsToRemove: ['select2d', 'lasso2d'],
    toImageButtonOptions: { format: 'png', filename: slug(displayTitle(plot)), scale: 2 },
  };
}

export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'plot'
  );
}

interface Content {
  sides: Sides;
  measure(widthPx: number): Measure;
  draw(canvas: Canvas, box: Box): void;
  styleKey: string;
  arms: string[];
  hovermode: 'closest' | 'x unified';
}

function smallMultiplesGrid(plot: SmallMultiplesPlot, widthPx: number): { cols: number; rows: number } {
  const cols = plot.columns !== undefined ? Math.max(1, Math.min(plot.panels.length, Math.round(plot.columns))) : gridColumns(plot.panels.length, widthPx, 250, 3);
  return { cols, rows: Math.ceil(plot.panels.length / cols) };
}

function singleContent(plot: PanelSpec, probe: Canvas): Content {
  const drawer = drawerOf(plot);
  return {
    sides: drawer.sides(plot, probe),
    measure: (width) => drawer.measure(plot, probe, width, false),
    draw: (canvas, box) => void drawer.draw(plot, canvas, box, false),
    styleKey: drawer.styleKey(plot),
    arms: drawer.arms(plot),
    hovermode: drawer.hovermode,
  };
}

function smallMultiplesContent(plot: SmallMultiplesPlot, probe: Canvas): Content {
  const panels = plot.panels.map((panel) => ({ panel, drawer: drawerOf(panel) }));
  const panelSides = panels.map(({ panel, drawer }) => drawer.sides(panel, probe));
  const left = Math.max(MARGIN_LEFT, ...panelSides.map((s) => s.left));
  const right = Math.max(MARGIN_RIGHT, ...panelSides.map((s) => s.right));
  const gap = left + 14;
  const geometry = (widthPx: number) => {
    const { cols, rows } = smallMultiplesGrid(plot, widthPx);
    const panelWidth = (widthPx - gap * (cols - 1)) / cols;
    const sizes = panels.map(({ panel, drawer }) => drawer.measure(panel, probe, panelWidth, true));
    const rowHeights = Array.from({ length: rows }, (_, r) =>
      Math.max(...sizes.slice(r * cols, r * cols + cols).map((m) => PANEL_TITLE + m.header + m.height)),
    );
    return { cols, rows, sizes, rowHeights };
  };
  const unique = (items: string[]): string[] => [...new Set(items.filter(Boolean))];
  return {
    sides: { left, right },
    measure(widthPx) {
      const { rowHeights } = geometry(widthPx);
      return { height: rowHeights.reduce((a, b) => a + b, 0) + (rowHeights.length - 1) * AXIS_BOTTOM, header: 0 };
    },
    draw(canvas, box) {
      const { cols, sizes, rowHeights } = geometry(canvas.innerWidth * (box.x1 - box.x0));
      const valueAxes: string[][] = [];
      let top = box.top;
      panels.forEach(({ panel, drawer }, i) => {
        const row = Math.floor(i / cols);
        const col = i % cols;
        if (col === 0 && row > 0) top += rowHeights[row - 1]! + AXIS_BOTTOM;
        const [x0, x1] = columnSpan(box, canvas, cols, col, gap);
        const size = sizes[i]!;
        canvas.header(displayTitle(panel), x0, top + PANEL_TITLE - 4, { anchor: 'left' });
        const drawn = drawer.draw(panel, canvas, { x0, x1, top: top + PANEL_TITLE + size.header, height: size.height }, true);
        valueAxes.push(panel.kind === plot.panels[0]!.kind ? drawn.valueAxes : []);
      });
      if (plot.shareY) {
        const all = valueAxes.flat();
        const root = all[0];
        for (const id of all.slice(1)) {
          const axis = canvas.axes[keyOf(id)];
          if (axis && root) axis.matches = root as never;
        }
      }
    },
    styleKey: unique(panels.map(({ panel, drawer }) => drawer.styleKey(panel))).join(' · '),
    arms: unique(panels.flatMap(({ panel, drawer }) => drawer.arms(panel))),
    hovermode: panels.every(({ drawer }) => drawer.hovermode === 'x unified') ? 'x unified' : 'closest',
  };
}

/** Rough width of a legend entry in px (symbol, gap, text). */
function legendRows(arms: string[], fontSize: number, widthPx: number): number {
  let rows = 1;
  let used = 0;
  for (const arm of arms) {
    const item = 48 + arm.length * fontSize * 0.6;
    if (used > 0 && used + item > widthPx) {
      rows++;
      used = 0;
    }
    used += item;
  }
  return rows;
}

export function buildFigure(plot: PlotSpec, theme: PlotTheme, options: FigureOptions = {}): PlotFigure {
  const widthKnown = options.width !== undefined && options.width > 0;
  const width = widthKnown ? options.width! : DEFAULT_WIDTH;
  const probe = new Canvas(theme, width - MARGIN_LEFT - MARGIN_RIGHT, widthKnown);
  const content = plot.kind === 'small-multiples' ? smallMultiplesContent(plot, probe) : singleContent(plot, probe);
  const { left, right } = content.sides;
  const innerWidth = Math.max(120, width - left - right);
  const canvas = new Canvas(theme, innerWidth, widthKnown, options.live ?? false);
  const measure = content.measure(innerWidth);
  canvas.plotHeight = measure.height;
  const frame = frameGeometry(plot, content, canvas, measure, { right, reserve: options.reserveTopRight ?? 0 });

  content.draw(canvas, { x0: 0, x1: 1, top: 0, height: measure.height });
  if (frame.noteLines.length > 0) canvas.annotations.push(notesAnnotation(canvas, frame.noteLines, measure.height));

  const layout: Partial<Layout> = {};
  Object.assign(layout, canvas.axes);
  Object.assign(layout, frameLayout(canvas, content, frame, { left, right }));
  if (content.arms.length > 0) layout.legend = legendLayout(theme, frame);
  const coloraxis = colorAxisLayout(canvas);
  if (coloraxis) (layout as Record<string, unknown>).coloraxis = coloraxis;
  if (options.uirevision !== undefined) layout.uirevision = options.uirevision;
  return { data: canvas.data, layout };
}

/** The frame around the content: wrapped title and style key, legend rows, notes, margins and total height. */
interface Frame {
  titleLines: string[];
  keyLines: string[];
  noteLines: string[];
  titleSize: number;
  titleLineHeight: number;
  /** Height of the title and style key lines (the legend sits right under them). */
  titleBlock: number;
  marginTop: number;
  marginBottom: number;
  totalHeight: number;
}

function frameGeometry(plot: PlotSpec, content: Content, canvas: Canvas, measure: Measure, sides: { right: number; reserve: number }): Frame {
  const { theme, innerWidth, widthKnown } = canvas;
  const { right, reserve } = sides;
  // Long titles wrap (bold text: about 0.6 em per character); each extra line adds to the top margin.
  const titleSize = theme.fontSize + 4;
  const smallSize = canvas.smallSize;
  // The title may reach into the right margin.
  const titleChars = widthKnown ? Math.floor((innerWidth + right - 4) / (titleSize * 0.6)) : Infinity;
  const titleLines = wrapText(displayTitle(plot), titleChars);
  // The style key keeps clear of the live badge at its right end.
  const keyChars = widthKnown ? Math.floor(Math.min(innerWidth, innerWidth + right - reserve) / (smallSize * 0.56)) : Infinity;
  const keyLines = content.styleKey ? wrapText(content.styleKey, keyChars) : [];
  const titleLineHeight = Math.round(titleSize * 1.3);
  const smallLineHeight = Math.round(smallSize * 1.3);
  const titleBlock = keyLineTop(titleLines.length, titleSize) + keyLines.length * smallLineHeight;
  const arms = content.arms;
  const legendHeight = arms.length > 0 ? legendRows(arms, theme.fontSize, innerWidth + right) * (theme.fontSize + 10) + 6 : 0;
  const marginTop = titleBlock + 14 + legendHeight + measure.header;
  const notes = plot.notes?.trim() ?? '';
  const noteLines = notes ? wrapText(notes, Math.floor((innerWidth + right) / ((smallSize + 1) * 0.55))) : [];
  const marginBottom = AXIS_BOTTOM + (noteLines.length > 0 ? 10 + noteLines.length * Math.round((smallSize + 1) * 1.35) : 0) + 12;
  return {
    titleLines,
    keyLines,
    noteLines,
    titleSize,
    titleLineHeight,
    titleBlock,
    marginTop,
    marginBottom,
    totalHeight: marginTop + marginBottom + measure.height,
  };
}

/** Pixels from the top of the figure to the first line of the style key, under a title of `lines` lines. */
export function keyLineTop(lines: number, titleSize: number): number {
  return 10 + lines * Math.round(titleSize * 1.3) + 4;
}

function notesAnnotation(canvas: Canvas, noteLines: string[], plotHeight: number): Partial<Annotation> {
  const theme = canvas.theme;
  return {
    xref: 'paper',
    yref: 'paper',
    x: 0,
    y: round(-(AXIS_BOTTOM + 8) / plotHeight),
    xanchor: 'left',
    yanchor: 'top',
    showarrow: false,
    align: 'left',
    text: noteLines.map(escapePlotText).join('<br>'),
    font: { size: canvas.smallSize + 1, color: theme.highContrast ? theme.foreground : theme.mutedForeground },
  };
}

/** Title, margins, fonts, hover and mode bar styles: everything of the layout but the axes and the legend. */
function frameLayout(canvas: Canvas, content: Content, frame: Frame, sides: Sides): Partial<Layout> {
  const theme = canvas.theme;
  const { titleLines, keyLines, titleLineHeight, totalHeight } = frame;
  return {
    title: {
      text: titleLines.map((line) => `<b>${escapePlotText(line)}</b>`).join('<br>'),
      font: { size: frame.titleSize, color: theme.foreground },
      subtitle: {
        text: keyLines.map(escapePlotText).join('<br>'),
        font: { size: canvas.smallSize, color: theme.mutedForeground },
      },
      x: 0,
      xref: 'paper',
      xanchor: 'left',
      // plotly centres the extra lines of a multi-line title on its anchor: move it down by half of them.
      y: round(1 - ((titleLines.length - 1) * titleLineHeight) / 2 / totalHeight),
      yref: 'container',
      yanchor: 'top',
      pad: { t: 10 },
    },
    height: totalHeight,
    autosize: true,
    margin: { t: frame.marginTop, b: frame.marginBottom, l: sides.left, r: sides.right, pad: 0, autoexpand: false },
    paper_bgcolor: canvas.opaque ? theme.background : 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: theme.fontFamily, size: theme.fontSize, color: theme.foreground },
    showlegend: content.arms.length > 0,
    hovermode: content.hovermode,
    dragmode: 'zoom',
    hoverlabel: {
      bgcolor: theme.hoverBackground,
      bordercolor: theme.hoverBorder,
      font: { family: theme.fontFamily, size: theme.fontSize, color: theme.hoverForeground },
      align: 'left',
    },
    modebar: {
      bgcolor: 'rgba(0,0,0,0)',
      color: theme.mutedForeground,
      activecolor: theme.foreground,
    },
    shapes: canvas.shapes,
    annotations: canvas.annotations,
    bargap: 0,
  } satisfies Partial<Layout>;
}

function legendLayout(theme: PlotTheme, frame: Frame): Partial<Layout['legend']> {
  return {
    orientation: 'h',
    x: 0,
    xref: 'paper',
    xanchor: 'left',
    y: round(1 - (frame.titleBlock + 8) / frame.totalHeight),
    yref: 'container',
    yanchor: 'top',
    bgcolor: 'rgba(0,0,0,0)',
    borderwidth: 0,
    font: { size: theme.fontSize, color: theme.foreground },
    itemclick: 'toggle',
    itemdoubleclick: 'toggleothers',
    groupclick: 'togglegroup',
    traceorder: 'normal',
    itemwidth: 36,
  };
}
