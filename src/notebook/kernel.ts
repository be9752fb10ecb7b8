/**
 * Runs one cell and turns what happened into outputs. Pure (no `vscode` import): the controller in the
 * extension and the headless runner share it, and later it moves into a worker unchanged.
 */
import { catalog } from '../experiments/catalog';
import { parseExperimentCell } from '../experiments/cell';
import { PLOT_MIME } from '../shared/payload';
import type { BnnbOutput } from './format';

export const EXPERIMENT_LANGUAGE = 'bnlab';
export const ERROR_MIME = 'application/vnd.code.notebook.error';

export interface CellRun {
  outputs: BnnbOutput[];
  success: boolean;
}

export interface CellRequest {
  language: string;
  source: string;
  signal?: AbortSignal;
}

export async function runCell({ language, source, signal }: CellRequest): Promise<CellRun> {
  try {
    if (language !== EXPERIMENT_LANGUAGE) {
      throw new UnsupportedLanguageError(`This kernel runs "${EXPERIMENT_LANGUAGE}" experiment cells; this cell's language is "${language}".`);
    }
    const { experiment, params } = parseExperimentCell(source, catalog);
    const result = await experiment.run(params, { signal });
    const outputs: BnnbOutput[] = result.plots.map((plot, i) => ({
      items: [
        { mime: PLOT_MIME, data: plot },
        // The markdown summary rides along as the text fallback of the first plot.
        ...(i === 0 ? [{ mime: 'text/markdown', data: result.markdown }] : []),
      ],
    }));
    if (result.plots.length === 0) outputs.push({ items: [{ mime: 'text/markdown', data: result.markdown }] });
    return { outputs, success: true };
  } catch (error) {
    return { outputs: [errorOutput(error)], success: false };
  }
}

class UnsupportedLanguageError extends Error {
  override readonly name = 'UnsupportedLanguageError';
}

/** A cell error as VS Code shows it. The stack is left out for problems in the cell itself: it would point into the lab. */
export function errorOutput(error: unknown): BnnbOutput {
  const err = error instanceof Error ? error : new Error(String(error));
  const ownFault = ['ExperimentCellError', 'UnsupportedLanguageError'].includes(err.name);
  return { items: [{ mime: ERROR_MIME, data: { name: err.name, message: err.message, stack: ownFault ? '' : (err.stack ?? '') } }] };
}
