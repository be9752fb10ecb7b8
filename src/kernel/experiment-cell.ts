/** Runs a `bnlab` experiment cell: parse its YAML, run the experiment on the engine, return its outputs. */
import { catalog } from '../experiments/catalog';
import { parseExperimentCell } from '../experiments/cell';
import type { ExperimentContext } from '../experiments/experiment';
import type { BnnbOutput } from '../shared/bnnb-format';
import { markdownOutput, plotOutput } from './outputs';

export const EXPERIMENT_LANGUAGE = 'bnlab';

/**
 * The plots, then the summary as its own output, so that it is always shown: VS Code shows one item per
 * output (the plot, where there is one). The first plot also carries the summary as its text fallback,
 * for clients that cannot draw the plot. Throws an ExperimentCellError for a bad cell, and whatever the
 * experiment throws.
 */
export async function runExperimentCell(source: string, context: ExperimentContext): Promise<BnnbOutput[]> {
  const { experiment, params } = parseExperimentCell(source, catalog);
  const result = await experiment.run(params, context);
  const plots = result.plots.map((plot, i) => plotOutput(plot, i === 0 ? result.markdown : undefined));
  return [...plots, markdownOutput(result.markdown)];
}
