/** Turns `.bnnb` bytes into VS Code notebook data and back, through the pure format module. */
import * as vscode from 'vscode';
import { base64ToBytes, bytesToBase64 } from '../shared/base64';
import {
  isJsonMime,
  isTextMime,
  parseBnnb,
  stringifyBnnb,
  type BnnbCell,
  type BnnbNotebook,
  type BnnbOutput,
  type BnnbOutputItem,
} from '../shared/bnnb-format';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class BnnbSerializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    let text: string;
    try {
      text = decoder.decode(content);
    } catch {
      throw new Error('Not a valid .bnnb file: it is not UTF-8 text');
    }
    // A format error propagates: VS Code then shows it instead of opening an empty notebook,
    // and the file on disk is left untouched.
    return toNotebookData(parseBnnb(text));
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    return encoder.encode(stringifyBnnb(fromNotebookData(data)));
  }
}

export function toNotebookData(notebook: BnnbNotebook): vscode.NotebookData {
  const cells = notebook.cells.map((cell) => {
    const kind = cell.kind === 'markdown' ? vscode.NotebookCellKind.Markup : vscode.NotebookCellKind.Code;
    const data = new vscode.NotebookCellData(kind, cell.source, cell.language);
    data.outputs = cell.outputs.map(toCellOutput);
    if (cell.metadata) data.metadata = cell.metadata;
    const execution = cell.execution;
    if (execution) {
      data.executionSummary = {
        executionOrder: execution.order,
        success: execution.success,
        timing: execution.startTime !== undefined && execution.endTime !== undefined ? { startTime: execution.startTime, endTime: execution.endTime } : undefined,
      };
    }
    return data;
  });
  const data = new vscode.NotebookData(cells);
  data.metadata = notebook.metadata;
  return data;
}

export function fromNotebookData(data: vscode.NotebookData): BnnbNotebook {
  return {
    metadata: data.metadata ?? {},
    cells: data.cells.map((cell): BnnbCell => {
      const summary = cell.executionSummary;
      return {
        kind: cell.kind === vscode.NotebookCellKind.Markup ? 'markdown' : 'code',
        language: cell.languageId,
        source: cell.value,
        outputs: (cell.outputs ?? []).map(fromCellOutput),
        execution: summary
          ? {
              order: summary.executionOrder,
              success: summary.success,
              startTime: summary.timing?.startTime,
              endTime: summary.timing?.endTime,
            }
          : undefined,
        metadata: cell.metadata,
      };
    }),
  };
}

export function toCellOutput(output: BnnbOutput): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput(output.items.map(toOutputItem), output.metadata);
}

function toOutputItem(item: BnnbOutputItem): vscode.NotebookCellOutputItem {
  if (item.encoding === 'base64') return new vscode.NotebookCellOutputItem(base64ToBytes(item.data as string), item.mime);
  if (typeof item.data === 'string' && !isJsonMime(item.mime)) return vscode.NotebookCellOutputItem.text(item.data, item.mime);
  return vscode.NotebookCellOutputItem.json(item.data, item.mime);
}

function fromCellOutput(output: vscode.NotebookCellOutput): BnnbOutput {
  return { items: output.items.map(fromOutputItem), metadata: output.metadata };
}

function fromOutputItem(item: vscode.NotebookCellOutputItem): BnnbOutputItem {
  if (isJsonMime(item.mime)) {
    try {
      return { mime: item.mime, data: JSON.parse(new TextDecoder().decode(item.data)) };
    } catch {
      // Not valid JSON after all: keep the bytes rather than lose them.
    }
  }
  if (isTextMime(item.mime)) return { mime: item.mime, data: new TextDecoder().decode(item.data) };
  return { mime: item.mime, data: bytesToBase64(item.data), encoding: 'base64' };
}
