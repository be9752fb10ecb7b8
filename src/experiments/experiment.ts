/** What an experiment is: an id, words for people, typed parameters, and a run function on the engine. */
import type { PlotPayload } from '../shared/payload';
import type { ParamSpecs, ParamValues } from './params';

/** What an experiment hands back: plots to draw and a markdown summary (also the plots' text fallback). */
export interface ExperimentResult {
  plots: PlotPayload[];
  markdown: string;
}

/** What the kernel lends a running experiment: cancellation now, progress reporting later. */
export interface ExperimentContext {
  signal?: AbortSignal;
}

export interface Experiment<S extends ParamSpecs = ParamSpecs> {
  id: string;
  title: string;
  /** One paragraph: what it shows and how. */
  description: string;
  params: S;
  run(params: ParamValues<S>, context: ExperimentContext): ExperimentResult | Promise<ExperimentResult>;
}

/**
 * Declares an experiment with its parameter types inferred from its specs, and erases them for the
 * catalog: the cell parser validates values against `params` before `run` ever sees them.
 */
export function defineExperiment<S extends ParamSpecs>(experiment: Experiment<S>): Experiment {
  return experiment as unknown as Experiment;
}
