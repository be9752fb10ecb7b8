/**
 * Notebook renderer for `application/vnd.bnlab.plot+json` (plot payload schema v1, docs/plot-payload.md).
 *
 * Validates the payload, maps it to a plotly figure (figure.ts, pure), draws it with plotly (loaded once,
 * lazily, from its own chunk), follows the editor's width and the VS Code theme, and reports what it drew
 * through renderer messaging (`RendererReport`). Problems are shown in a readable error box, never thrown.
 */
import type { Config } from 'plotly.js-dist';
import type { ActivationFunction, OutputItem } from 'vscode-notebook-renderer';
import { PLOT_MIME, type PlotPayload, type PlotSpec, type RendererReport } from '../src/shared/payload';
import { buildFigure, describePlot, displayTitle, type PlotFigure } from './figure';
import { loadPlotly, type PlotlyApi } from './plotly';
import { readTheme } from './theme';
import { validatePayload } from './validate';

interface LivePlot {
  id: string;
  element: HTMLElement;
  /** The plotly graph div (child of `element`). */
  graph: HTMLElement;
  payload: PlotPayload;
  plotly: PlotlyApi;
  resizeObserver: ResizeObserver;
  /** plotly `uirevision`: kept across theme changes and resizes (zoom survives), new for each render. */
  revision: number;
  /** JSON of the figure last drawn: a theme change or resize re-draws only when the figure changed. */
  drawn: string;
  width: number;
  /** Updates of this plot run one after another. */
  queue: Promise<void>;
}

const BODY_THEME_ATTRIBUTES = ['class', 'style', 'data-vscode-theme-kind', 'data-vscode-theme-id', 'data-vscode-theme-name'];

export const activate: ActivationFunction = (context) => {
  const live = new Map<string, LivePlot>();
  /** Latest render request per output id: an older render that finishes late must not draw. */
  const pending = new Map<string, number>();
  let requests = 0;
  let themeObserver: MutationObserver | undefined;
  let recolorTimer: ReturnType<typeof setTimeout> | undefined;

  const report = (message: RendererReport): void => {
    try {
      context.postMessage?.(message);
    } catch {
      // Messaging is optional (requiresMessaging: "optional"); drawing must not depend on it.
    }
  };

  const dispose = (id: string): void => {
    const plot = live.get(id);
    if (!plot) return;
    live.delete(id);
    plot.resizeObserver.disconnect();
    try {
      plot.plotly.purge(plot.graph);
    } finally {
      plot.graph.remove();
    }
    if (live.size === 0) stopThemeObserver();
  };

  const fail = (item: OutputItem, element: HTMLElement, problem: string, kind?: string): void => {
    dispose(item.id);
    element.replaceChildren(errorBox(problem, item));
    report({ type: 'render-error', outputId: item.id, kind, message: problem });
  };

  const figureFor = (payload: PlotPayload, revision: number, width: number): PlotFigure =>
    buildFigure(payload.plot, readTheme(document), { uirevision: revision, width: width > 0 ? width : undefined });

  /** Re-draws `plot` for the current theme and width (plotly.react keeps the zoom); then fits it to its box. */
  const update = (plot: LivePlot, resize: boolean): void => {
    plot.queue = plot.queue
      .then(async () => {
        if (live.get(plot.id) !== plot) return;
        const figure = figureFor(plot.payload, plot.revision, plot.width);
        const json = JSON.stringify(figure);
        if (json !== plot.drawn) {
          plot.drawn = json;
          plot.graph.style.height = `${figure.layout.height}px`;
          await plot.plotly.react(plot.graph, figure.data, figure.layout, plotConfig(plot.plotly, plot.payload.plot));
        }
        if (resize && live.get(plot.id) === plot) await plot.plotly.Plots.resize(plot.graph);
      })
      .catch(() => {
        // Disposed or hidden while re-drawing: the next render draws afresh.
      });
  };

  const startThemeObserver = (): void => {
    if (themeObserver) return;
    themeObserver = new MutationObserver(() => {
      recolorTimer ??= setTimeout(() => {
        recolorTimer = undefined;
        for (const plot of live.values()) update(plot, false);
      }, 0);
    });
    themeObserver.observe(document.body, { attributes: true, attributeFilter: BODY_THEME_ATTRIBUTES });
    themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'style'] });
  };

  const stopThemeObserver = (): void => {
    themeObserver?.disconnect();
    themeObserver = undefined;
    if (recolorTimer !== undefined) clearTimeout(recolorTimer);
    recolorTimer = undefined;
  };

  const draw = async (item: OutputItem, element: HTMLElement, payload: PlotPayload, plotly: PlotlyApi): Promise<void> => {
    const previous = live.get(item.id);
    if (previous && previous.element !== element) dispose(item.id);
    const existing = live.get(item.id);
    const revision = ++requests;
    const width = element.clientWidth;
    const figure = figureFor(payload, revision, width);
    const config = plotConfig(plotly, payload.plot);

    if (existing) {
      await existing.queue;
      Object.assign(existing, { payload, revision, width, drawn: JSON.stringify(figure) });
      existing.graph.setAttribute('aria-label', describePlot(payload.plot));
      existing.graph.style.height = `${figure.layout.height}px`;
      await plotly.react(existing.graph, figure.data, figure.layout, config);
      return;
    }
    const graph = document.createElement('div');
    graph.className = 'bnlab-plot';
    graph.setAttribute('role', 'img');
    graph.setAttribute('aria-label', describePlot(payload.plot));
    graph.style.width = '100%';
    graph.style.height = `${figure.layout.height}px`;
    element.replaceChildren(graph);
    await plotly.newPlot(graph, figure.data, figure.layout, config);
    const plot: LivePlot = {
      id: item.id,
      element,
      graph,
      payload,
      plotly,
      revision,
      width,
      drawn: JSON.stringify(figure),
      queue: Promise.resolve(),
      resizeObserver: new ResizeObserver((entries) => {
        const observed = entries[entries.length - 1]?.contentRect.width ?? element.clientWidth;
        if (observed === 0 || Math.abs(observed - plot.width) < 1) return;
        plot.width = observed;
        update(plot, true);
      }),
    };
    live.set(item.id, plot);
    plot.resizeObserver.observe(element);
    startThemeObserver();
  };

  return {
    async renderOutputItem(item, element, signal) {
      const request = ++requests;
      pending.set(item.id, request);
      const stale = (): boolean => signal.aborted || pending.get(item.id) !== request;

      let raw: unknown;
      try {
        raw = item.json();
      } catch (error) {
        fail(item, element, `the output is not valid JSON: ${errorMessage(error)}`);
        return;
      }
      const checked = validatePayload(raw);
      if (!checked.ok) {
        const kind = (raw as { plot?: { kind?: unknown } } | null)?.plot?.kind;
        fail(item, element, checked.message, typeof kind === 'string' ? kind : undefined);
        return;
      }
      const payload = checked.payload;
      try {
        const plotly = await loadPlotly();
        if (stale()) return;
        await draw(item, element, payload, plotly);
        if (stale()) return;
        const drawn = (live.get(item.id)?.graph as { data?: unknown[] } | undefined)?.data;
        report({ type: 'rendered', outputId: item.id, kind: payload.plot.kind, traces: drawn?.length ?? 0 });
      } catch (error) {
        if (!stale()) fail(item, element, `plotly could not draw the plot: ${errorMessage(error)}`, payload.plot.kind);
      }
    },

    disposeOutputItem(id) {
      if (id === undefined) {
        pending.clear();
        for (const outputId of [...live.keys()]) dispose(outputId);
        stopThemeObserver();
      } else {
        pending.delete(id);
        dispose(id);
      }
    },
  };
};

function plotConfig(plotly: PlotlyApi, plot: PlotSpec): Partial<Config> {
  const filename = slug(displayTitle(plot));
  return {
    responsive: true,
    displaylogo: false,
    displayModeBar: 'hover',
    modeBarButtonsToRemove: ['select2d', 'lasso2d'],
    toImageButtonOptions: { format: 'png', filename, scale: 2 },
    modeBarButtonsToAdd: [
      {
        name: 'downloadSvg',
        title: 'Download plot as SVG',
        icon: plotly.Icons.disk,
        click: (graph) => {
          plotly.downloadImage(graph, { format: 'svg', filename, width: null, height: null }).catch(() => {});
        },
      },
    ],
  };
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'plot'
  );
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A readable error box (themed with VS Code's validation colours) naming the problem and the MIME type. */
function errorBox(problem: string, item: OutputItem): HTMLElement {
  const box = document.createElement('div');
  box.className = 'bnlab-plot-error';
  box.setAttribute('role', 'alert');
  Object.assign(box.style, {
    border: '1px solid var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground, #be1100))',
    background: 'var(--vscode-inputValidation-errorBackground, rgba(190, 17, 0, 0.08))',
    color: 'var(--vscode-editor-foreground, var(--vscode-foreground, inherit))',
    fontFamily: 'var(--vscode-font-family, sans-serif)',
    fontSize: 'var(--vscode-font-size, 13px)',
    padding: '8px 12px',
    borderRadius: '4px',
    lineHeight: '1.45',
    overflowWrap: 'anywhere',
  } satisfies Partial<CSSStyleDeclaration>);

  const heading = document.createElement('div');
  heading.style.fontWeight = '600';
  heading.style.color = 'var(--vscode-errorForeground, inherit)';
  heading.textContent = 'BatchNorm Lab cannot show this plot';

  const message = document.createElement('div');
  message.className = 'bnlab-plot-error-message';
  message.style.fontFamily = 'var(--vscode-editor-font-family, monospace)';
  message.style.margin = '4px 0';
  message.textContent = problem;

  const mime = document.createElement('div');
  mime.style.opacity = '0.8';
  mime.append('Output type: ');
  const code = document.createElement('code');
  code.textContent = item.mime || PLOT_MIME;
  mime.append(code);

  box.append(heading, message, mime);

  let text = '';
  try {
    text = item.text();
  } catch {
    // nothing to show
  }
  if (text) {
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = `Output data (${text.length} characters)`;
    const pre = document.createElement('pre');
    Object.assign(pre.style, { whiteSpace: 'pre-wrap', maxHeight: '12em', overflow: 'auto', margin: '4px 0 0' });
    pre.textContent = text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
    details.append(summary, pre);
    box.append(details);
  }
  return box;
}
