/**
 * Live plots from partial data: the final plot builders run on what the jobs have reported so far, which
 * may hold a curve with no point yet or a sweep point no run has reached. The renderer refuses such
 * payloads, so a preview drops them (and a plot with nothing left to draw).
 */
import type { PanelSpec, PlotPayload, PlotSpec } from '../shared/payload';

/**
 * The plots with what partial data lacks left out (every curve, band and sweep point kept has data), as a
 * copy: the builders may share arrays with runs that are still growing, and a preview is a snapshot.
 */
export function drawable(plots: readonly PlotPayload[]): PlotPayload[] {
  return plots.flatMap((payload) => {
    const plot = prune(payload.plot);
    return plot ? [structuredClone({ ...payload, plot })] : [];
  });
}

function prune(plot: PlotSpec): PlotSpec | undefined {
  switch (plot.kind) {
    case 'training-curves': {
      const curves = plot.curves.filter((c) => c.steps.length > 0);
      return curves.length > 0 ? { ...plot, curves } : undefined;
    }
    case 'percentile-bands': {
      const arms = plot.arms.filter((a) => a.steps.length > 0);
      return arms.length > 0 ? { ...plot, arms } : undefined;
    }
    case 'sweep': {
      const arms = plot.arms
        .map((a) => ({ ...a, points: a.points.filter((p) => p.values.length > 0 || (p.diverged ?? 0) > 0) }))
        .filter((a) => a.points.length > 0);
      return arms.length > 0 ? { ...plot, arms } : undefined;
    }
    case 'small-multiples': {
      const panels = plot.panels.map(prune).filter((p): p is PanelSpec => p !== undefined);
      return panels.length > 0 ? { ...plot, panels } : undefined;
    }
    default:
      return plot;
  }
}

/** The defined entries of a runAll preview's results (jobs that have reported something). */
export function reported<R>(results: readonly (R | undefined)[]): R[] {
  return results.filter((r): r is R => r !== undefined);
}

/** The entries of finished jobs, undefined elsewhere (positions kept). */
export function finishedOnly<R>(results: readonly (R | undefined)[], done: readonly boolean[]): (R | undefined)[] {
  return results.map((r, i) => (done[i] ? r : undefined));
}
