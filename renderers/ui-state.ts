/**
 * What a person did to a plot that an update must keep: the axes they zoomed or panned and the arms they
 * hid in the legend. Plotly's `uirevision` (constant per output) keeps both on its own while the payload
 * leaves those attributes alone; this memory also covers what `uirevision` cannot: axes whose range the
 * payload fixes (histograms, a live x axis that grows: a new range from the payload would win over the
 * zoom) and traces that appear later for an arm the person hid (a new run, a new sweep point).
 */
import type { PlotFigure } from './figure';

type AxisRange = [unknown, unknown];

export class UiMemory {
  /** Zoomed or panned axes (layout keys such as `xaxis2`) and their ranges. */
  private readonly ranges = new Map<string, AxisRange>();
  /** Legend groups (arms) whose every trace is hidden. */
  private hidden = new Set<string>();

  /** Records a `plotly_relayout` event: ranges set by zoom or pan, autorange by a double-click reset. */
  recordRelayout(update: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(update)) {
      const part = /^([xy]axis\d*)\.range\[([01])\]$/.exec(key);
      const whole = /^([xy]axis\d*)\.range$/.exec(key);
      const reset = /^([xy]axis\d*)\.autorange$/.exec(key);
      if (part) {
        const range = this.ranges.get(part[1]!) ?? [undefined, undefined];
        range[Number(part[2])] = value;
        this.ranges.set(part[1]!, range);
      } else if (whole && Array.isArray(value)) {
        this.ranges.set(whole[1]!, [value[0], value[1]]);
      } else if (reset && value) {
        this.ranges.delete(reset[1]!);
      }
    }
  }

  /** Reads which arms are hidden from the drawn traces (before they are replaced or purged). */
  recordLegend(drawn: ReadonlyArray<{ legendgroup?: string; visible?: unknown }> | undefined): void {
    if (!drawn || drawn.length === 0) return;
    const groups = new Map<string, boolean>();
    for (const trace of drawn) {
      if (!trace.legendgroup) continue;
      const hidden = trace.visible === 'legendonly';
      groups.set(trace.legendgroup, (groups.get(trace.legendgroup) ?? true) && hidden);
    }
    this.hidden = new Set([...groups].filter(([, hidden]) => hidden).map(([group]) => group));
  }

  /** Applies the remembered zoom and hidden arms to a figure about to be drawn. */
  apply(figure: PlotFigure): void {
    const layout = figure.layout as Record<string, Record<string, unknown> | undefined>;
    for (const [key, [lo, hi]] of this.ranges) {
      const axis = layout[key];
      const current = axis?.range as unknown[] | undefined;
      const range = [lo ?? current?.[0], hi ?? current?.[1]];
      if (!axis || range.some((v) => v === undefined)) continue;
      layout[key] = { ...axis, range, autorange: false };
    }
    if (this.hidden.size === 0) return;
    for (const trace of figure.data as Array<{ legendgroup?: string; visible?: unknown }>) {
      if (trace.legendgroup && this.hidden.has(trace.legendgroup)) trace.visible = 'legendonly';
    }
  }

  get zoomed(): string[] {
    return [...this.ranges.keys()];
  }

  get hiddenGroups(): string[] {
    return [...this.hidden];
  }

  clear(): void {
    this.ranges.clear();
    this.hidden.clear();
  }
}
