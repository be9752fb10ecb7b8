/**
 * The live plots of a running experiment cell: the experiment offers a builder whenever it has news;
 * the builder runs and its plots go out at most once per interval (the first at once, the latest after
 * the interval when the news stops coming), so a fast training loop pays for a few plots a second only.
 * When the run is interrupted, the latest plots are kept, marked as interrupted.
 */
import type { PlotPayload } from '../shared/payload';

/** Live plots are sent at most this often: 4 updates a second. */
export const LIVE_INTERVAL_MS = 250;

export class LivePlots {
  private build: (() => PlotPayload[]) | undefined;
  private sentAt = -Infinity;
  private pending: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly send: (plots: PlotPayload[]) => void,
    private readonly onBuildError: (error: unknown) => void = () => {},
    private readonly now: () => number = Date.now,
    private readonly interval = LIVE_INTERVAL_MS,
  ) {}

  /** The experiment has news: `build` makes its plots from the data so far. */
  offer(build: () => PlotPayload[]): void {
    if (this.closed) return;
    this.build = build;
    const wait = this.sentAt + this.interval - this.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.flush();
    }, wait);
  }

  /** The latest plots, marked as interrupted (undefined when the run offered none). Ends the stream. */
  interrupted(): PlotPayload[] | undefined {
    const plots = this.close() ? this.tryBuild() : undefined;
    if (!plots || plots.length === 0) return undefined;
    return plots.map((plot) => ({ ...plot, live: { state: 'interrupted' as const, ...(plot.live?.label !== undefined ? { label: plot.live.label } : {}) } }));
  }

  /** Ends the stream (the final outputs replace the live plots); true when there was something to show. */
  close(): boolean {
    this.closed = true;
    clearTimeout(this.pending);
    this.pending = undefined;
    return this.build !== undefined;
  }

  private flush(): void {
    if (this.closed) return;
    const plots = this.tryBuild();
    this.sentAt = this.now();
    // No plots yet (no run has recorded a point) means nothing to show, not "clear the plots".
    if (plots && plots.length > 0) this.send(plots.map((plot) => ({ ...plot, live: plot.live ?? { state: 'running' } })));
  }

  /** A builder that throws must not fail the run: the live view skips that update, and the error is reported once. */
  private tryBuild(): PlotPayload[] | undefined {
    if (!this.build) return undefined;
    try {
      return this.build();
    } catch (error) {
      this.onBuildError(error);
      this.build = undefined;
      return undefined;
    }
  }
}
