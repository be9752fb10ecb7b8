/**
 * When plots are drawn and purged in a notebook of many plots: a plot is drawn when its output comes
 * within NEAR_PX of the viewport (one plot per task, so scrolling stays fluid), and the plots far away
 * longest go back to placeholders while more than MAX_DRAWN_AWAY are drawn.
 */
import type { PlotView } from './plot-view';

/**
 * A plot is drawn when its output is within this distance of the viewport (or when it is rendered while
 * on screen), and becomes a placeholder of the same height again when far away and too many are drawn.
 */
export const NEAR_PX = 1200;
/** At most this many plots stay drawn while out of view (near ones are never purged). */
export const MAX_DRAWN_AWAY = 12;

export class DrawScheduler {
  /** Deferred plots that came near the viewport. */
  private readonly queue = new Set<PlotView>();
  private pumping = false;
  private purgeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly visibility: IntersectionObserver | undefined;
  private readonly byElement = new Map<Element, PlotView>();

  constructor(
    /** Whether `view` is still the output's current view (not disposed or replaced). */
    private readonly current: (view: PlotView) => boolean,
    private readonly views: () => Iterable<PlotView>,
  ) {
    this.visibility =
      typeof IntersectionObserver === 'function'
        ? new IntersectionObserver((entries) => this.onIntersect(entries), { rootMargin: `${NEAR_PX}px 0px ${NEAR_PX}px 0px` })
        : undefined;
  }

  observe(view: PlotView): void {
    this.byElement.set(view.element, view);
    this.visibility?.observe(view.element);
  }

  forget(view: PlotView): void {
    this.byElement.delete(view.element);
    this.queue.delete(view);
    this.visibility?.unobserve(view.element);
  }

  /** Whether `element` is on screen or within NEAR_PX of it (unknown geometry counts as near). */
  isNear(element: HTMLElement): boolean {
    if (!this.visibility || !element.isConnected) return true;
    const rect = element.getBoundingClientRect();
    const height = window.innerHeight || document.documentElement.clientHeight;
    if (!(height > 0)) return true;
    return rect.bottom >= -NEAR_PX && rect.top <= height + NEAR_PX;
  }

  private onIntersect(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      const view = this.byElement.get(entry.target);
      if (!view) continue;
      const wasNear = view.near;
      view.near = entry.isIntersecting;
      if (view.near && !view.isDrawn) {
        this.queue.add(view);
      } else if (!view.near && wasNear) {
        view.awaySince = performance.now();
        this.queue.delete(view);
      }
    }
    this.pump();
    this.schedulePurge();
  }

  /** Draws the queued plots that are still near, one per task, so a scroll past many plots never blocks for long. */
  private pump(): void {
    if (this.pumping) return;
    const next = [...this.queue].find((view) => view.near && this.current(view) && !view.isDrawn);
    if (!next) {
      this.queue.clear();
      return;
    }
    this.queue.delete(next);
    this.pumping = true;
    next.queue = next.queue
      .then(async () => {
        if (this.current(next) && next.near && !next.isDrawn) await next.drawNew();
      })
      .catch(() => {
        // Disposed while drawing: nothing to show.
      })
      .finally(() => {
        this.pumping = false;
        setTimeout(() => this.pump(), 0);
        this.schedulePurge();
      });
  }

  /** Purges the plots that have been far from the viewport longest while more than MAX_DRAWN_AWAY are drawn. */
  schedulePurge(): void {
    this.purgeTimer ??= setTimeout(() => {
      this.purgeTimer = undefined;
      const away = [...this.views()].filter((view) => view.isDrawn && !view.near).sort((a, b) => a.awaySince - b.awaySince);
      for (const view of away.slice(0, Math.max(0, away.length - MAX_DRAWN_AWAY))) {
        view.queue = view.queue
          .then(() => {
            if (this.current(view) && !view.near) view.purge();
          })
          .catch(() => {});
      }
    }, 250);
  }
}
