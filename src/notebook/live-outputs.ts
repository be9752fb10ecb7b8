/**
 * A running cell's outputs as VS Code shows them: its live plots, streamed outputs, then a progress line,
 * redrawn a few times a second. Outputs are updated in place (same output, new items) whenever the list
 * keeps its shape, so the renderer redraws the existing figure (zoom, hidden legend entries and scroll
 * position kept) instead of a new one; only a change of shape replaces the list.
 */
import * as vscode from 'vscode';
import type { Progress } from '../experiments/experiment';
import { markdownOutput, plotOutput } from '../kernel/outputs';
import { ProgressClock } from '../kernel/progress-text';
import { PLOT_MIME, type PlotPayload } from '../shared/payload';
import type { BnnbOutput } from '../shared/bnnb-format';
import { toCellOutput } from './serializer';

/** Outputs of a running cell are redrawn at most this often. */
const REDRAW_INTERVAL_MS = 250;

export interface LiveOutputsOptions {
  /** Outputs already in the cell that stay until replaced (a re-run started by a knob keeps the old result in view). */
  kept?: readonly vscode.NotebookCellOutput[];
  /** The cell's previous plots: drawn faintly beneath the new ones while the run has not landed. */
  previous?: readonly PlotPayload[];
}

export class LiveOutputs {
  private streamed: BnnbOutput[] = [];
  private plots: PlotPayload[] = [];
  private progress: string | undefined;
  private readonly clock = new ProgressClock();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private drawing: Promise<void> = Promise.resolve();
  private finished = false;
  /** What the cell shows now, and the JSON of each output's items (to skip outputs that did not change). */
  private shown: { output: vscode.NotebookCellOutput; mime: string; json: string }[];
  private readonly previous: readonly PlotPayload[];

  constructor(
    private readonly execution: vscode.NotebookCellExecution,
    options: LiveOutputsOptions = {},
  ) {
    this.shown = (options.kept ?? []).map((output) => ({ output, mime: output.items[0]?.mime ?? '', json: '' }));
    this.previous = options.previous ?? [];
    // Until the run sends plots of its own, the old ones stay, marked as being re-run.
    this.plots = this.previous.map((plot) => ({ ...plot, live: { state: 'running' } }));
  }

  setOutputs(outputs: BnnbOutput[]): void {
    this.streamed = outputs;
    this.schedule();
  }

  setProgress(progress: Progress): void {
    this.progress = this.clock.describe(progress);
    this.schedule();
  }

  setPlots(plots: PlotPayload[]): void {
    this.plots = plots.map((plot, i) => {
      const before = this.previous[i];
      return before && before.plot.kind === plot.plot.kind ? { ...plot, previous: before.plot } : plot;
    });
    this.schedule();
  }

  /** Replaces everything, progress included, with the final outputs (in place when the shape allows). */
  async finish(outputs: BnnbOutput[]): Promise<void> {
    this.finished = true;
    clearTimeout(this.timer);
    await this.drawing;
    await this.draw(outputs);
  }

  private schedule(): void {
    if (this.timer || this.finished) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.finished) return;
      const progress = this.progress ? [markdownOutput(`Running: ${this.progress}`)] : [];
      const shown = [...this.plots.map((plot) => plotOutput(plot)), ...this.streamed, ...progress];
      this.drawing = this.drawing.then(() => this.draw(shown)).then(undefined, () => undefined);
    }, REDRAW_INTERVAL_MS);
  }

  private async draw(outputs: BnnbOutput[]): Promise<void> {
    const cellOutputs = outputs.map(toCellOutput);
    const mimes = cellOutputs.map((output) => output.items[0]?.mime ?? '');
    const jsons = outputs.map((output) => JSON.stringify(output.items));
    const sameShape = mimes.length === this.shown.length && mimes.every((mime, i) => mime === this.shown[i]!.mime);
    if (!sameShape) {
      // Outputs that keep their place and kind keep their id (VS Code then keeps their element); the rest are new.
      const list = cellOutputs.map((output, i) => {
        const kept = this.shown[i];
        if (!kept || kept.mime !== mimes[i]) return output;
        kept.output.items = output.items;
        return kept.output;
      });
      await this.execution.replaceOutput(list);
      this.shown = list.map((output, i) => ({ output, mime: mimes[i]!, json: jsons[i]! }));
      return;
    }
    await Promise.all(
      this.shown.map(async (entry, i) => {
        if (entry.json === jsons[i]) return;
        await this.execution.replaceOutputItems(cellOutputs[i]!.items, entry.output);
        entry.json = jsons[i]!;
      }),
    );
  }
}

/** The plot payloads among a cell's outputs, in order. */
export function plotsOf(outputs: readonly vscode.NotebookCellOutput[]): PlotPayload[] {
  const plots: PlotPayload[] = [];
  for (const output of outputs) {
    const item = output.items.find((i) => i.mime === PLOT_MIME);
    if (!item) continue;
    try {
      plots.push(JSON.parse(new TextDecoder().decode(item.data)) as PlotPayload);
    } catch {
      // An unreadable plot is simply not overlaid.
    }
  }
  return plots;
}
