/** Helpers for the optimization experiments' tests: run a cell through the kernel's path, check cell errors. */
import assert from 'node:assert/strict';
import { catalog } from '../../../../src/experiments/catalog';
import { ExperimentCellError, parseExperimentCell } from '../../../../src/experiments/cell';
import { runExperimentCell } from '../../../../src/kernel/experiment-cell';
import { PLOT_MIME, type PlotPayload, type PlotSpec } from '../../../../src/shared/payload';
import { validatePayload } from '../../../../renderers/validate';
import { testContext } from '../context';

export async function runCell(source: string): Promise<{ plots: PlotSpec[]; markdown: string; progressSteps: number }> {
  const context = await testContext();
  const outputs = await runExperimentCell(source, context);
  const plots: PlotSpec[] = [];
  let markdown = '';
  for (const output of outputs) {
    for (const item of output.items) {
      if (item.mime === PLOT_MIME) {
        // What the renderer would refuse to draw is a failure here too.
        const checked = validatePayload(item.data);
        assert.ok(checked.ok, `the renderer refuses the payload: ${JSON.stringify(checked)}`);
        plots.push((item.data as PlotPayload).plot);
      }
      else if (item.mime === 'text/markdown') markdown += item.data as string;
    }
  }
  // Every number in a payload must survive JSON (no NaN or infinities, which become null).
  assert.doesNotMatch(JSON.stringify(plots), /null/, 'no non-finite numbers in the plots');
  return { plots, markdown, progressSteps: context.progressSeen.length };
}

export function expectCellError(source: string, pattern: RegExp, line: number, key: string): void {
  let caught: unknown;
  try {
    parseExperimentCell(source, catalog);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ExperimentCellError, `expected an ExperimentCellError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  assert.equal(caught.line, line, caught.message);
  assert.equal(caught.key, key);
}
