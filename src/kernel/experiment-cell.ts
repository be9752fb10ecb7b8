/** Runs a `bnlab` experiment cell: parse its YAML, run the experiment on the engine, return its outputs. */
import { catalog } from '../experiments/catalog';
import { parseExperimentCell } from '../experiments/cell';
import type { ExperimentContext } from '../experiments/experiment';
import type { BnnbOutput } from '../notebook/format';
import { markdownOutput, plotOutput } from './outputs';

export const EXPERIMENT_LANGUAGE = 'bnlab';

/** Throws an ExperimentCellError for a bad cell, and whatever the experiment throws. */
export async function runExperimentCell(source: string, context: ExperimentContext): Promise<BnnbOutput[]> {
  const { experiment, params } = parseExperimentCell(source, catalog);
  const result = await experiment.run(params, context);
  if (result.plots.length === 0) return [markdownOutput(result.markdown)];
  // The markdown summary rides along as the text fallback of the first plot.
  return result.plots.map((plot, i) => plotOutput(plot, i === 0 ? result.markdown : undefined));
}
