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
import { buildFigure, describePlot, figureConfig, type PlotFigure } from './figure';
import { loadPlotly, type PlotlyApi } from './plotly';
import { readTheme } from './theme';
import { validatePayload } from './validate';

/**
 * A plot is drawn when its output is within this distance of the viewport (or when it is rendered while
 * on screen), and becomes a placeholder of the same height again when far away and too many are drawn.
 */
export const NEAR_PX = 1200;
/** At most this many plots stay drawn while out of view (near ones are never purged). */
export const MAX_DRAWN_AWAY = 12;

interface LivePlot {
  id: string;
  element: HTMLElement;
  /** The plotly graph div (child of `element`); an empty placeholder of the plot's height while not drawn. */
  graph: HTMLElement;
  payload: PlotPayload;
  plotly: PlotlyApi;
  resizeObserver: ResizeObserver;
  /** plotly `uirevision`: kept across theme changes and resizes (zoom survives), new for each render. */
  revision: number;
  /** JSON of the figure last drawn: a theme change or resize re-draws only when the figure changed. */
  drawn: string;
  /** Whether plotly has drawn into `graph` (false: placeholder, never drawn or purged). */
  isDrawn: boolean;
  /** Within NEAR_PX of the viewport (as last reported by the IntersectionObserver). */
  near: boolean;
  /** When the plot last left the neighbourhood of the viewport (for purging the longest-gone first). */
  awaySince: number;
  /** A render whose `rendered` report is still to be posted (when the plot is first drawn). */
  pendingReport: boolean;
  width: number;
  /** Updates of this plot run one after another. */
  queue: Promise<void>;
}

const BODY_THEME_ATTRIBUTES = ['class', 'style', 'data-vscode-theme-kind', 'data-vscode-theme-id', 'data-vscode-theme-name'];

export const activate: ActivationFunction = (context) => {
  const live = new Map<string, LivePlot>();
  const byElement = new Map<Element, LivePlot>();
  /** Latest render request per output id: an older render that finishes late must not draw. */
  const pending = new Map<string, number>();
  let requests = 0;
  let themeObserver: MutationObserver | undefined;
  let recolorTimer: ReturnType<typeof setTimeout> | undefined;
  /** Deferred plots that came near the viewport, drawn one per task so scrolling stays fluid. */
  const drawQueue = new Set<LivePlot>();
  let pumping = false;
  let purgeTimer: ReturnType<typeof setTimeout> | undefined;

  const visibility =
    typeof IntersectionObserver === 'function'
      ? new IntersectionObserver(
          (entries) => {
            for (const entry of entries) {
              const plot = byElement.get(entry.target);
              if (!plot) continue;
              const wasNear = plot.near;
              plot.near = entry.isIntersecting;
              if (plot.near && !plot.isDrawn) {
                drawQueue.add(plot);
              } else if (!plot.near && wasNear) {
                plot.awaySince = performance.now();
                drawQueue.delete(plot);
              }
            }
            pump();
            schedulePurge();
          },
          { rootMargin: `${NEAR_PX}px 0px ${NEAR_PX}px 0px` },
        )
      : undefined;

  const report = (message: RendererReport): void => {
    try {
      context.postMessage?.(message);
    } catch {
      // Messaging is optional (requiresMessaging: "optional"); drawing must not depend on it.
    }
  };

  const reportDrawn = (plot: LivePlot): void => {
    if (!plot.pendingReport) return;
    plot.pendingReport = false;
    const drawn = (plot.graph as { data?: unknown[] }).data;
    report({ type: 'rendered', outputId: plot.id, kind: plot.payload.plot.kind, traces: drawn?.length ?? 0 });
  };

  const dispose = (id: string): void => {
    const plot = live.get(id);
    if (!plot) return;
    live.delete(id);
    byElement.delete(plot.element);
    drawQueue.delete(plot);
    visibility?.unobserve(plot.element);
    plot.resizeObserver.disconnect();
    try {
      if (plot.isDrawn) plot.plotly.purge(plot.graph);
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

  /** Draws `plot` from scratch (it was a placeholder). */
  const drawNow = async (plot: LivePlot): Promise<void> => {
    const figure = figureFor(plot.payload, plot.revision, plot.width);
    plot.drawn = JSON.stringify(figure);
    plot.graph.style.height = `${figure.layout.height}px`;
    await plot.plotly.newPlot(plot.graph, figure.data, figure.layout, plotConfig(plot.plotly, plot.payload.plot));
    plot.isDrawn = true;
    reportDrawn(plot);
  };

  /** Draws the queued plots that are still near, one per task, so a scroll past many plots never blocks for long. */
  const pump = (): void => {
    if (pumping) return;
    const next = [...drawQueue].find((plot) => plot.near && live.get(plot.id) === plot && !plot.isDrawn);
    if (!next) {
      drawQueue.clear();
      return;
    }
    drawQueue.delete(next);
    pumping = true;
    next.queue = next.queue
      .then(async () => {
        if (live.get(next.id) === next && next.near && !next.isDrawn) await drawNow(next);
      })
      .catch(() => {
        // Disposed while drawing: nothing to show.
      })
      .finally(() => {
        pumping = false;
        setTimeout(pump, 0);
        schedulePurge();
      });
  };

  /** Purges the plots that have been far from the viewport longest while more than MAX_DRAWN_AWAY are drawn. */
  const schedulePurge = (): void => {
    purgeTimer ??= setTimeout(() => {
      purgeTimer = undefined;
      const away = [...live.values()].filter((plot) => plot.isDrawn && !plot.near).sort((a, b) => a.awaySince - b.awaySince);
      for (const plot of away.slice(0, Math.max(0, away.length - MAX_DRAWN_AWAY))) {
        plot.queue = plot.queue
          .then(() => {
            if (live.get(plot.id) !== plot || plot.near || !plot.isDrawn) return;
            plot.plotly.purge(plot.graph);
            plot.graph.replaceChildren();
            plot.isDrawn = false;
          })
          .catch(() => {});
      }
    }, 250);
  };

  /** Re-draws `plot` for the current theme and width (plotly.react keeps the zoom); then fits it to its box. */
  const update = (plot: LivePlot, resize: boolean): void => {
    plot.queue = plot.queue
      .then(async () => {
        if (live.get(plot.id) !== plot) return;
        const figure = figureFor(plot.payload, plot.revision, plot.width);
        if (!plot.isDrawn) {
          // A placeholder keeps the height the plot will have, so scroll positions don't jump.
          plot.graph.style.height = `${figure.layout.height}px`;
          return;
        }
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
        for (const plot of live.values()) if (plot.isDrawn) update(plot, false);
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

  /** Whether `element` is on screen or within NEAR_PX of it (unknown geometry counts as near). */
  const isNear = (element: HTMLElement): boolean => {
    if (!visibility || !element.isConnected) return true;
    const rect = element.getBoundingClientRect();
    const height = window.innerHeight || document.documentElement.clientHeight;
    if (!(height > 0)) return true;
    return rect.bottom >= -NEAR_PX && rect.top <= height + NEAR_PX;
  };

  const draw = async (item: OutputItem, element: HTMLElement, payload: PlotPayload, plotly: PlotlyApi): Promise<void> => {
    const previous = live.get(item.id);
    if (previous && previous.element !== element) dispose(item.id);
    const existing = live.get(item.id);
    const revision = ++requests;
    const width = element.clientWidth;

    if (existing) {
      await existing.queue;
      Object.assign(existing, { payload, revision, width, pendingReport: true });
      existing.graph.setAttribute('aria-label', describePlot(payload.plot));
      if (existing.isDrawn) {
        const figure = figureFor(payload, revision, width);
        existing.drawn = JSON.stringify(figure);
        existing.graph.style.height = `${figure.layout.height}px`;
        await plotly.react(existing.graph, figure.data, figure.layout, plotConfig(plotly, payload.plot));
        reportDrawn(existing);
      } else if (existing.near || isNear(element)) {
        await drawNow(existing);
      } else {
        update(existing, false);
      }
      return;
    }
    const graph = document.createElement('div');
    graph.className = 'bnlab-plot';
    graph.setAttribute('role', 'img');
    graph.setAttribute('aria-label', describePlot(payload.plot));
    graph.style.width = '100%';
    element.replaceChildren(graph);
    const plot: LivePlot = {
      id: item.id,
      element,
      graph,
      payload,
      plotly,
      revision,
      width,
      drawn: '',
      isDrawn: false,
      near: isNear(element),
      awaySince: performance.now(),
      pendingReport: true,
      queue: Promise.resolve(),
      resizeObserver: new ResizeObserver((entries) => {
        const observed = entries[entries.length - 1]?.contentRect.width ?? element.clientWidth;
        if (observed === 0 || Math.abs(observed - plot.width) < 1) return;
        plot.width = observed;
        update(plot, true);
      }),
    };
    live.set(item.id, plot);
    byElement.set(element, plot);
    if (plot.near) {
      await drawNow(plot);
    } else {
      // Far from the viewport: a placeholder of the right height now, the plot when it comes near.
      graph.style.height = `${figureFor(payload, revision, width).layout.height}px`;
    }
    plot.resizeObserver.observe(element);
    visibility?.observe(element);
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
  const config = figureConfig(plot);
  const filename = config.toImageButtonOptions?.filename ?? 'plot';
  return {
    ...config,
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
