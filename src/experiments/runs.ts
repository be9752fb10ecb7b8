/**
 * An experiment's independent runs (seeds × arms × sweep points) as jobs: each is a named function of a
 * plain, structured-cloneable input that returns a plain result, deterministic in its input. `runAll` runs
 * them serially in this thread, or on the kernel's pool of workers (ExperimentContext.pool), with the same
 * results bit for bit either way; the progress of all runs is added up, and partial results of running
 * jobs feed the experiment's live plots.
 */
import type { PlotPayload } from '../shared/payload';
import type { ExperimentContext, Progress } from './experiment';

/** One kind of run. `run` may call `context.partial(r)` with its result so far (same shape, less data). */
export interface Job<I, R> {
  readonly name: string;
  run(input: I, context: JobContext<R>): R | Promise<R>;
}

/** A job's context: the experiment's (progress on the job's own scale), plus a channel for partial results. */
export interface JobContext<R> extends ExperimentContext {
  /** The result so far, for live plots. Cheap to call often: it is forwarded a few times a second at most. */
  partial(result: R): void;
}

/** Runs named jobs on other workers. The kernel provides one; its workers import the catalog, which registers every job. */
export interface JobPool {
  /** How many jobs run at once. */
  readonly size: number;
  run(name: string, input: unknown, hooks: JobHooks): Promise<unknown>;
  /** Stops every queued and running job (their promises reject): a run failed, so the others' results would be thrown away. */
  cancel?(): void;
}

export interface JobHooks {
  progress(progress: Progress): void;
  partial(result: unknown): void;
}

const registry = new Map<string, Job<unknown, unknown>>();

/** Declares a job and registers it under its name (unique across the catalog), so that pool workers can run it. */
export function defineJob<I, R>(name: string, run: (input: I, context: JobContext<R>) => R | Promise<R>): Job<I, R> {
  if (registry.has(name)) throw new Error(`defineJob: a job named "${name}" is already registered`);
  const job: Job<I, R> = { name, run };
  registry.set(name, job as Job<unknown, unknown>);
  return job;
}

/** The registered job of that name (pool workers look jobs up by name). */
export function jobNamed(name: string): Job<unknown, unknown> {
  const job = registry.get(name);
  if (!job) throw new Error(`No job named "${name}" is registered (is the experiment catalog loaded?)`);
  return job;
}

export interface RunAllOptions<R, I = unknown> {
  /**
   * A job's step count (the `total` of its progress), known before it starts: with it the progress line
   * covers every run from the first step, instead of growing as jobs start.
   */
  total?(input: I): number;
  /**
   * Builds the live plots from what is known so far: `results[i]` is job i's final result, its latest
   * partial result, or undefined before it reported one; `done[i]` tells which are final.
   */
  preview?(results: readonly (R | undefined)[], done: readonly boolean[]): PlotPayload[];
}

/**
 * Runs `job` on every input and returns the results in input order. On the pool when the context has one
 * (and no recorder, which watches live objects in this thread), else one after another here. The first
 * failure fails the whole call with that job's error.
 */
export async function runAll<I, R>(context: ExperimentContext, job: Job<I, R>, inputs: readonly I[], options: RunAllOptions<R, I> = {}): Promise<R[]> {
  const latest: (R | undefined)[] = inputs.map(() => undefined);
  const done: boolean[] = inputs.map(() => false);
  const steps: Progress[] = inputs.map((input) => ({ step: 0, total: options.total?.(input) ?? 0 }));
  const preview = options.preview;
  const showPreview = () => {
    if (preview) context.preview?.(() => preview(latest, done));
  };
  const onProgress = (i: number, progress: Progress) => {
    steps[i] = progress;
    context.progress(sumProgress(steps, progress.label));
  };
  const onPartial = (i: number, result: R) => {
    latest[i] = result;
    showPreview();
  };
  const finish = (i: number, result: R) => {
    latest[i] = result;
    done[i] = true;
    showPreview();
    return result;
  };

  const pool = context.recorder ? undefined : context.pool;
  if (!pool || pool.size < 1 || inputs.length < 2) {
    const results: R[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const jobContext: JobContext<R> = {
        ...context,
        progress: (p) => onProgress(i, p),
        partial: (r) => onPartial(i, r),
      };
      results.push(finish(i, await job.run(inputs[i]!, jobContext)));
    }
    return results;
  }

  const results = new Array<R>(inputs.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < inputs.length) {
      const i = next++;
      try {
        const result = (await pool.run(job.name, inputs[i], {
          progress: (p) => onProgress(i, p),
          partial: (r) => onPartial(i, r as R),
        })) as R;
        results[i] = finish(i, result);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(pool.size, inputs.length) }, worker));
  } catch (error) {
    // The cell fails with this run's error: the sibling runs would only keep the pool busy for nothing.
    pool.cancel?.();
    throw error;
  }
  return results;
}

/** All jobs' progress as one: steps and totals added up (jobs that have not started count with their total once known). */
function sumProgress(steps: readonly Progress[], label: string | undefined): Progress {
  let step = 0;
  let total = 0;
  for (const p of steps) {
    step += p.step;
    total += p.total;
  }
  return { step, total, ...(label !== undefined ? { label } : {}) };
}
