/**
 * What every TypeScript cell sees in scope, declared once: the engine's public API (PyTorch's, in
 * camelCase), the engine itself, and the lab's helpers. The kernel installs these names as globals of the
 * notebook's worker (cell-runner.ts); the build turns this module into the declarations that the editor's
 * TypeScript features read (dist/types/, see scripts/build-cell-types.mjs), so both come from here.
 */
import type { Progress } from '../experiments/experiment';
import type { Show } from './show';

export * from '../engine';
export * as engine from '../engine';
export { checkLoss, forwardChecked } from '../experiments/divergence';

/**
 * Plots and tables in the cell's output: `show(payload)`, `show.distributions({ title, stages, rows })`,
 * `show.table(rows)`, `show.markdown(text)`, `show.text(text)`.
 */
export declare const show: Show;
/** Reports progress of a long loop in the cell ({ step, total, metrics? }), and stops it there if the user interrupted. */
export declare function progress(progress: Progress): void;
/** Stops the cell here if the user interrupted it: call it in long loops. */
export declare function checkInterrupt(): void;

