/** Runs a `bnlab` experiment cell: parse its YAML, run the experiment on the engine, return its outputs. */
import { catalog } from '../experiments/catalog';
import { parseExperimentCell } from '../experiments/cell';
import type { ExperimentContext } from '../experiments/experiment';
import { knobsFor } from '../experiments/knobs';
import type { BnnbOutput } from '../shared/bnnb-format';
import type { Knob, PlotPayload } from '../shared/payload';
import { markdownOutput, plotOutput } from './outputs';

export const EXPERIMENT_LANGUAGE = 'bnlab';

/**
 * The plots, then the summary as its own output, so that it is always shown: VS Code shows one item per
 * output (the plot, where there is one). The first plot also carries the summary as its text fallback,
 * for clients that cannot draw the plot, and the experiment's knobs (live plots carry them too, so the
 * controls stay in place while it runs). Throws an ExperimentCellError for a bad cell, and whatever the
 * experiment throws.
 */
export async function runExperimentCell(source: string, context: ExperimentContext): Promise<BnnbOutput[]> {
  const { experiment, params } = parseExperimentCell(source, catalog);
  const knobs = knobsFor(experiment, params);
  const preview = context.preview;
  const withPreview: ExperimentContext = preview ? { ...context, preview: (build) => preview(() => withKnobs(build(), knobs)) } : context;
  const result = await experiment.run(params, withPreview);
  const plots = withKnobs(result.plots, knobs).map((plot, i) => plotOutput(plot, i === 0 ? result.markdown : undefined));
  return [...plots, markdownOutput(result.markdown)];
}

function withKnobs(plots: PlotPayload[], knobs: Knob[]): PlotPayload[] {
  if (knobs.length === 0 || plots.length === 0) return plots;
  return plots.map((plot, i) => (i === 0 ? { ...plot, knobs } : plot));
}
