/** Building cell outputs: the MIME types VS Code knows, and how the lab fills them. */
import type { BnnbOutput } from '../shared/bnnb-format';
import { PLOT_MIME, type PlotPayload } from '../shared/payload';

export const ERROR_MIME = 'application/vnd.code.notebook.error';
export const STDOUT_MIME = 'application/vnd.code.notebook.stdout';
export const STDERR_MIME = 'application/vnd.code.notebook.stderr';

/** A plot, with a markdown text fallback when there is one. */
export function plotOutput(plot: PlotPayload, markdown?: string): BnnbOutput {
  return { items: [{ mime: PLOT_MIME, data: plot }, ...(markdown !== undefined ? [{ mime: 'text/markdown', data: markdown }] : [])] };
}

export function markdownOutput(markdown: string): BnnbOutput {
  return { items: [{ mime: 'text/markdown', data: markdown }] };
}

export function textOutput(text: string): BnnbOutput {
  return { items: [{ mime: 'text/plain', data: text }] };
}

export function streamOutput(stream: 'stdout' | 'stderr', text: string): BnnbOutput {
  return { items: [{ mime: stream === 'stdout' ? STDOUT_MIME : STDERR_MIME, data: text }] };
}

/** An error as VS Code shows it. `stack` is what the user should see: '' when the trace would only point into the lab. */
export function errorOutput(name: string, message: string, stack = ''): BnnbOutput {
  return { items: [{ mime: ERROR_MIME, data: { name, message, stack } }] };
}

/** Appends an output, merging consecutive stream text into one output as terminals do. */
export function appendOutput(outputs: BnnbOutput[], output: BnnbOutput): void {
  const last = outputs[outputs.length - 1];
  const item = output.items[0];
  const lastItem = last?.items[0];
  if (last && item && lastItem && output.items.length === 1 && last.items.length === 1 && isStream(item.mime) && lastItem.mime === item.mime) {
    last.items[0] = { mime: item.mime, data: String(lastItem.data) + String(item.data) };
    return;
  }
  outputs.push(output);
}

function isStream(mime: string): boolean {
  return mime === STDOUT_MIME || mime === STDERR_MIME;
}
