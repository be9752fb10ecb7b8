/**
 * One drawn output: its plotly graph, its knob row, and what the person did to it (zoom, hidden arms).
 * A new payload for the same output (a live update, the final result, a re-run) is drawn into the same
 * graph with Plotly.react: no purge, no flicker, the zoom and the hidden arms kept.
 */
import type { KnobValue, PlotPayload, RendererReport } from '../src/shared/payload';
import { buildPayloadFigure, describePlot, liveBadgeText, liveBadgeWidth, type PlotFigure } from './figure';
import type { KnobRow } from './knobs';
import { plotConfig } from './plot-config';
import type { PlotlyApi } from './plotly';
import type { PlotTheme } from './palette';
import { readTheme } from './theme';
import { UiMemory } from './ui-state';

/** The knob controls are in their own chunk: most plots have no knobs. */
let knobModule: Promise<typeof import('./knobs')> | undefined;
function loadKnobs(): Promise<typeof import('./knobs')> {
  knobModule ??= import('./knobs').catch((error: unknown) => {
    knobModule = undefined;
    throw error;
  });
  return knobModule;
}

export interface ViewHooks {
  /** Whether knob changes reach anyone (renderer messaging): without it (an HTML report) no knobs are drawn. */
  canPost: boolean;
  report(message: RendererReport): void;
  commitKnob(outputId: string, key: string, value: KnobValue): void;
}

type GraphDiv = HTMLElement & {
  data?: Array<{ legendgroup?: string; visible?: unknown }>;
  on?(event: string, listener: (update: Record<string, unknown>) => void): void;
};

export class PlotView {
  /** The plotly graph div: an empty placeholder of the plot's height while not drawn. */
  readonly graph: GraphDiv;
  knobRow: KnobRow | undefined;
  payload: PlotPayload;
  width: number;
  /** Whether plotly has drawn into `graph` (false: placeholder, never drawn or purged). */
  isDrawn = false;
  /** Within NEAR_PX of the viewport (as last reported by the IntersectionObserver). */
  near = true;
  /** When the plot last left the neighbourhood of the viewport (for purging the longest-gone first). */
  awaySince = performance.now();
  /** A render whose `rendered` report is still to be posted (when the plot is first drawn). */
  pendingReport = true;
  /** Updates of this plot run one after another. */
  queue: Promise<void> = Promise.resolve();
  readonly ui: UiMemory;
  /**
   * What the figure last drawn was made from: a theme change or resize re-draws only when one of them
   * changed (the figure is a pure function of them), without building and comparing figures.
   */
  private drawnFrom: { payload: PlotPayload; theme: string; width: number } | undefined;
  /**
   * Space kept for the live badge at the end of the title line: the widest badge this output has shown,
   * kept when the run ends, so the title does not re-wrap (and the plot jump) when the badge goes.
   */
  private badgeReserve = 0;
  private kind: string;
  private disposed = false;

  constructor(
    readonly id: string,
    readonly element: HTMLElement,
    payload: PlotPayload,
    readonly plotly: PlotlyApi,
    private readonly hooks: ViewHooks,
    ui?: UiMemory,
  ) {
    this.ui = ui ?? new UiMemory();
    this.payload = payload;
    this.kind = payload.plot.kind;
    this.width = element.clientWidth;
    this.graph = document.createElement('div');
    this.graph.className = 'bnlab-plot';
    this.graph.setAttribute('role', 'img');
    this.graph.style.width = '100%';
    element.replaceChildren(this.graph);
  }

  /** plotly `uirevision`: constant for the output while it shows the same kind of plot. */
  get uirevision(): string {
    return `${this.id}:${this.kind}`;
  }

  figure(theme: PlotTheme = readTheme(document)): PlotFigure {
    this.badgeReserve = Math.max(this.badgeReserve, liveBadgeWidth(this.payload.live, theme));
    const figure = buildPayloadFigure(this.payload, theme, {
      uirevision: this.uirevision,
      width: this.width > 0 ? this.width : undefined,
      reserveTopRight: this.badgeReserve,
    });
    this.ui.apply(figure);
    return figure;
  }

  /** Takes a new payload: knob row, accessible summary; the plot itself is drawn by drawNew/redraw. */
  async follow(payload: PlotPayload): Promise<void> {
    if (payload.plot.kind !== this.kind) {
      this.kind = payload.plot.kind;
      this.ui.clear();
    }
    this.payload = payload;
    this.pendingReport = true;
    const live = payload.live ? `${payload.live.state === 'running' ? 'Still running' : 'Interrupted'}: ${liveBadgeText(payload.live)}. ` : '';
    this.graph.setAttribute('aria-label', live + describePlot(payload.plot));
    await this.followKnobs(payload);
  }

  /** The knob row follows the payload (before the plot is drawn, so the plot does not move down afterwards). */
  private async followKnobs(payload: PlotPayload): Promise<void> {
    const knobs = this.hooks.canPost ? (payload.knobs ?? []) : [];
    if (knobs.length === 0) {
      this.knobRow?.dispose();
      this.knobRow = undefined;
      return;
    }
    const { KnobRow } = await loadKnobs();
    if (this.payload !== payload || this.disposed) return; // a newer payload came (or the output went) while the controls loaded
    if (this.knobRow) this.knobRow.update(knobs);
    else this.knobRow = new KnobRow(knobs, (key, value) => this.hooks.commitKnob(this.id, key, value));
    if (this.knobRow.element.nextSibling !== this.graph) this.element.insertBefore(this.knobRow.element, this.graph);
  }

  /** Draws from scratch (the graph was a placeholder). */
  async drawNew(): Promise<void> {
    if (this.isDrawn) return this.redraw(false);
    const theme = readTheme(document);
    const figure = this.figure(theme);
    this.drawnFrom = { payload: this.payload, theme: JSON.stringify(theme), width: this.width };
    this.graph.style.height = `${figure.layout.height}px`;
    await this.plotly.newPlot(this.graph, figure.data, figure.layout, plotConfig(this.plotly, this.payload.plot));
    this.isDrawn = true;
    this.graph.on?.('plotly_relayout', (update) => this.ui.recordRelayout(update));
    this.reportDrawn();
  }

  /**
   * Re-draws the drawn graph in place with Plotly.react when the figure changed (a new payload, a theme
   * change, a new width); a placeholder only takes the height the plot will have, so scrolling doesn't jump.
   */
  async redraw(resize = false): Promise<void> {
    if (!this.isDrawn) {
      this.graph.style.height = `${this.figure().layout.height}px`;
      return;
    }
    const theme = readTheme(document);
    const from = { payload: this.payload, theme: JSON.stringify(theme), width: this.width };
    const last = this.drawnFrom;
    if (!last || last.payload !== from.payload || last.theme !== from.theme || last.width !== from.width) {
      this.ui.recordLegend(this.graph.data);
      const figure = this.figure(theme);
      this.drawnFrom = from;
      this.graph.style.height = `${figure.layout.height}px`;
      await this.plotly.react(this.graph, figure.data, figure.layout, plotConfig(this.plotly, this.payload.plot));
    }
    this.reportDrawn();
    if (resize) await this.plotly.Plots.resize(this.graph);
  }

  /** What the person did to this plot (read from the graph now), for the view that replaces this one. */
  takeUi(): UiMemory {
    if (this.isDrawn) this.ui.recordLegend(this.graph.data);
    return this.ui;
  }

  /** Back to a placeholder of the same height (far from the viewport); the zoom and hidden arms are remembered. */
  purge(): void {
    if (!this.isDrawn) return;
    this.ui.recordLegend(this.graph.data);
    this.plotly.purge(this.graph);
    this.graph.replaceChildren();
    this.isDrawn = false;
  }

  dispose(): void {
    this.disposed = true;
    try {
      if (this.isDrawn) this.plotly.purge(this.graph);
    } finally {
      this.isDrawn = false;
      this.graph.remove();
      this.knobRow?.dispose();
      this.knobRow = undefined;
    }
  }

  private reportDrawn(): void {
    if (!this.pendingReport || !this.isDrawn) return;
    this.pendingReport = false;
    this.hooks.report({ type: 'rendered', outputId: this.id, kind: this.payload.plot.kind, traces: this.graph.data?.length ?? 0 });
  }
}
