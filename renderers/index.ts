/**
 * Notebook renderer for `application/vnd.bnlab.plot+json` (plot payload schema v1, docs/plot-payload.md).
 *
 * Validates the payload, maps it to a plotly figure (figure.ts, pure), draws it with plotly (loaded once,
 * lazily, from its own chunk), follows the editor's width and the VS Code theme, and reports what it drew
 * through renderer messaging (`RendererReport`). A new payload for an output already shown (a live update,
 * the final result) updates the figure in place. Knob changes go to the extension as `KnobChange`
 * messages; `DriveKnob` messages operate the knobs. Problems are shown in a readable error box, never thrown.
 */
import type { ActivationFunction, OutputItem, RendererContext } from 'vscode-notebook-renderer';
import type { DriveKnob, KnobChange, KnobValue, PlotPayload, RendererReport } from '../src/shared/payload';
import { DrawScheduler } from './draw-scheduler';
import { errorBox, errorMessage } from './error-box';
import { PlotView } from './plot-view';
import { loadPlotly, type PlotlyApi } from './plotly';
import { ThemeWatch } from './theme-watch';
import { validatePayload } from './validate';

export { MAX_DRAWN_AWAY, NEAR_PX } from './draw-scheduler';

export const activate: ActivationFunction = (context) => {
  const outputs = new OutputRegistry(context);
  context.onDidReceiveMessage?.((message: unknown) => {
    if (isDriveKnob(message)) outputs.driveKnob(message);
  });
  return {
    renderOutputItem: (item, element, signal) => outputs.render(item, element, signal),
    disposeOutputItem: (id) => outputs.dispose(id),
  };
};

function isDriveKnob(message: unknown): message is DriveKnob {
  const m = message as Partial<DriveKnob> | null;
  return typeof m === 'object' && m !== null && m.type === 'drive-knob' && typeof m.key === 'string' && m.value !== undefined;
}

/** Every output this renderer shows, by output id, with the plumbing they share (drawing schedule, theme). */
class OutputRegistry {
  private readonly views = new Map<string, PlotView>();
  /** Latest render request per output id: an older render that finishes late must not draw. */
  private readonly pending = new Map<string, number>();
  private requests = 0;
  private readonly scheduler = new DrawScheduler(
    (view) => this.views.get(view.id) === view,
    () => this.views.values(),
  );
  private readonly theme = new ThemeWatch(() => {
    for (const view of this.views.values()) if (view.isDrawn) this.enqueue(view, (v) => v.redraw(false));
  });

  constructor(private readonly context: RendererContext<unknown>) {}

  async render(item: OutputItem, element: HTMLElement, signal: AbortSignal): Promise<void> {
    const request = ++this.requests;
    this.pending.set(item.id, request);
    const stale = (): boolean => signal.aborted || this.pending.get(item.id) !== request;
    let raw: unknown;
    try {
      raw = item.json();
    } catch (error) {
      this.fail(item, element, `the output is not valid JSON: ${errorMessage(error)}`);
      return;
    }
    const checked = validatePayload(raw);
    if (!checked.ok) {
      const kind = (raw as { plot?: { kind?: unknown } } | null)?.plot?.kind;
      this.fail(item, element, checked.message, typeof kind === 'string' ? kind : undefined);
      return;
    }
    try {
      const plotly = await loadPlotly();
      if (stale()) return;
      await this.show(item, element, checked.payload, plotly);
    } catch (error) {
      if (!stale()) this.fail(item, element, `plotly could not draw the plot: ${errorMessage(error)}`, checked.payload.plot.kind);
    }
  }

  /** Shows `payload` in `element`: in the output's existing graph when there is one (Plotly.react), else in a new one. */
  private async show(item: OutputItem, element: HTMLElement, payload: PlotPayload, plotly: PlotlyApi): Promise<void> {
    const existing = this.views.get(item.id);
    // The same output in a new element (VS Code re-created its container): a new graph, the person's zoom and hidden arms kept.
    const memory = existing && existing.element !== element ? existing.takeUi() : undefined;
    if (memory) this.dispose(item.id);
    const view = this.views.get(item.id);
    if (view) {
      await view.queue;
      await view.follow(payload);
      view.width = element.clientWidth || view.width;
      if (view.isDrawn) await this.enqueue(view, (v) => v.redraw(false));
      else if (view.near || this.scheduler.isNear(element)) await this.enqueue(view, (v) => v.drawNew());
      else await this.enqueue(view, (v) => v.redraw(false));
      return;
    }
    const hooks = {
      canPost: typeof this.context.postMessage === 'function',
      report: (message: RendererReport) => this.report(message),
      commitKnob: (outputId: string, key: string, value: KnobValue) => this.postKnob(outputId, key, value),
    };
    const created = new PlotView(item.id, element, payload, plotly, hooks, memory);
    created.near = this.scheduler.isNear(element);
    this.views.set(item.id, created);
    await created.follow(payload);
    if (this.views.get(item.id) !== created) return;
    this.observeSize(created);
    if (created.near) await this.enqueue(created, (v) => v.drawNew());
    else await created.redraw(false); // far from the viewport: a placeholder of the right height now
    this.scheduler.observe(created);
    this.theme.start();
  }

  /** Runs `step` after the view's earlier updates; a view disposed meanwhile is left alone. */
  private enqueue(view: PlotView, step: (view: PlotView) => Promise<void>): Promise<void> {
    const run = view.queue.then(async () => {
      if (this.views.get(view.id) === view) await step(view);
    });
    view.queue = run.catch(() => {
      // Disposed or hidden while drawing: the next render draws afresh.
    });
    return run;
  }

  private observeSize(view: PlotView): void {
    const observer = new ResizeObserver((entries) => {
      const observed = entries[entries.length - 1]?.contentRect.width ?? view.element.clientWidth;
      if (observed === 0 || Math.abs(observed - view.width) < 1) return;
      view.width = observed;
      void this.enqueue(view, (v) => v.redraw(true)).catch(() => {});
    });
    observer.observe(view.element);
    this.sizeObservers.set(view, observer);
  }

  private readonly sizeObservers = new Map<PlotView, ResizeObserver>();

  driveKnob(message: DriveKnob): void {
    for (const view of this.views.values()) {
      if (message.outputId !== undefined && view.id !== message.outputId) continue;
      view.knobRow?.drive(message.key, message.value);
    }
  }

  private postKnob(outputId: string, key: string, value: KnobValue): void {
    this.post({ type: 'knob', outputId, key, value } satisfies KnobChange);
  }

  private report(message: RendererReport): void {
    this.post(message);
  }

  private post(message: RendererReport | KnobChange): void {
    try {
      this.context.postMessage?.(message);
    } catch {
      // Messaging is optional (requiresMessaging: "optional"); drawing must not depend on it.
    }
  }

  private fail(item: OutputItem, element: HTMLElement, problem: string, kind?: string): void {
    this.disposeView(item.id);
    element.replaceChildren(errorBox(problem, item));
    this.report({ type: 'render-error', outputId: item.id, kind, message: problem });
  }

  dispose(id: string | undefined): void {
    if (id === undefined) {
      this.pending.clear();
      for (const outputId of [...this.views.keys()]) this.disposeView(outputId);
      this.theme.stop();
    } else {
      this.pending.delete(id);
      this.disposeView(id);
    }
  }

  private disposeView(id: string): void {
    const view = this.views.get(id);
    if (!view) return;
    this.views.delete(id);
    this.scheduler.forget(view);
    this.sizeObservers.get(view)?.disconnect();
    this.sizeObservers.delete(view);
    view.dispose();
    if (this.views.size === 0) this.theme.stop();
  }
}
