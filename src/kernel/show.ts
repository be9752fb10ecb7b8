/**
 * The `show` API of TypeScript cells: the same plot and table outputs the experiments emit.
 *
 *     show(payload)                     // a plot payload ({ version: 1, plot: { kind, … } })
 *     show.distributions({ title, stages, rows: [{ label, values: [before, after] }] })
 *     show.table([{ feature: 'x1', mean: 0.1 }, …])
 *     show.markdown('**bold**')
 */
import { Tensor } from '../engine';
import { distributionComparison, type DistributionComparisonInput } from '../experiments/summaries';
import type { BnnbOutput } from '../shared/bnnb-format';
import { PLOT_PAYLOAD_VERSION, type PlotPayload } from '../shared/payload';
import { markdownOutput, plotOutput, textOutput } from './outputs';

/** Outputs are summaries: a payload this large means raw data was passed where bins were meant. */
export const MAX_OUTPUT_BYTES = 512 * 1024;

type ValuesLike = Tensor | Float32Array | number[];

export interface DistributionsInput extends Omit<DistributionComparisonInput, 'rows'> {
  rows: { label: string; values: ValuesLike[] }[];
}

export interface Show {
  (payload: PlotPayload): void;
  distributions(input: DistributionsInput): void;
  table(rows: Record<string, unknown>[]): void;
  markdown(text: string): void;
  text(text: string): void;
}

export function createShow(emit: (output: BnnbOutput) => void): Show {
  const show = ((payload: PlotPayload) => {
    if (!payload || typeof payload !== 'object' || payload.version !== PLOT_PAYLOAD_VERSION || typeof payload.plot?.kind !== 'string') {
      throw new TypeError(`show() takes a plot payload { version: ${PLOT_PAYLOAD_VERSION}, plot: { kind, … } }; see docs/plot-payload.md. For values, use show.distributions(…), show.table(…) or show.markdown(…)`);
    }
    emit(checkedSize(plotOutput(payload)));
  }) as Show;
  show.distributions = (input) =>
    show(distributionComparison({ ...input, rows: input.rows.map((row) => ({ label: row.label, values: row.values.map(toValues) })) }));
  show.table = (rows) => emit(checkedSize(markdownOutput(markdownTable(rows))));
  show.markdown = (text) => emit(checkedSize(markdownOutput(String(text))));
  show.text = (text) => emit(checkedSize(textOutput(String(text))));
  return show;
}

function toValues(values: ValuesLike): Float32Array | number[] {
  return values instanceof Tensor ? values.data : values;
}

function checkedSize(output: BnnbOutput): BnnbOutput {
  const bytes = JSON.stringify(output).length;
  if (bytes > MAX_OUTPUT_BYTES) {
    throw new RangeError(
      `This output is ${(bytes / 1024).toFixed(0)} KB; outputs are limited to ${MAX_OUTPUT_BYTES / 1024} KB so that notebooks stay small. ` +
        'Show summaries (histograms, percentiles, downsampled curves), not raw values.',
    );
  }
  return output;
}

export function markdownTable(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '*(empty table)*';
  const headers = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: unknown) => (typeof value === 'number' ? formatNumber(value) : String(value ?? '')).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map((h) => (typeof rows[0]![h] === 'number' ? '---:' : '---')).join('|')}|`,
    ...rows.map((row) => `| ${headers.map((h) => cell(row[h])).join(' | ')} |`),
  ].join('\n');
}

function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const magnitude = Math.abs(x);
  return magnitude !== 0 && (magnitude >= 1e5 || magnitude < 1e-3) ? x.toExponential(3) : x.toPrecision(4);
}
