/**
 * Knobs, on the extension side: a person releases a control on a plot, the renderer asks for the change
 * (a KnobChange message), and the cell whose output it is gets its YAML edited (one undoable edit that
 * touches only the value) and is re-run, its old result in view until the new one lands.
 */
import * as vscode from 'vscode';
import { catalog } from '../experiments/catalog';
import { checkExperimentCell } from '../experiments/cell';
import { KnobError, setCellParam } from '../experiments/knobs';
import { EXPERIMENT_LANGUAGE } from '../kernel/experiment-cell';
import type { DriveKnob, KnobChange, KnobValue } from '../shared/payload';
import { RENDERER_ID } from './constants';
import type { BnlabController } from './controller';

export class KnobBridge implements vscode.Disposable {
  private readonly messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly controller: BnlabController) {
    this.subscription = this.messaging.onDidReceiveMessage(({ editor, message }) => {
      if (isKnobChange(message)) void this.apply(editor, message);
    });
  }

  /** Moves a knob in the renderer as a person would (the tests' way into the webview). */
  drive(editor: vscode.NotebookEditor, key: string, value: KnobValue, outputId?: string): Thenable<boolean> {
    const message: DriveKnob = { type: 'drive-knob', key, value, ...(outputId !== undefined ? { outputId } : {}) };
    return this.messaging.postMessage(message, editor);
  }

  private async apply(editor: vscode.NotebookEditor, change: KnobChange): Promise<void> {
    const cell = editor.notebook.getCells().find((c) => c.outputs.some((output) => outputIdOf(output) === change.outputId));
    // The output was replaced meanwhile (a newer run): the change is stale. Only experiment cells have knobs.
    if (!cell || cell.document.languageId !== EXPERIMENT_LANGUAGE) return;
    try {
      const source = cell.document.getText();
      const experiment = checkExperimentCell(source, catalog).outline.experiment;
      if (!experiment) throw new KnobError('This cell no longer names an experiment');
      const updated = setCellParam(source, experiment, change.key, change.value);
      // A knob released at the value the cell already says changes nothing: no edit, no re-run.
      if (updated === source) return;
      const edit = new vscode.WorkspaceEdit();
      edit.replace(cell.document.uri, changedRange(cell.document, source, updated), changedText(source, updated));
      if (!(await vscode.workspace.applyEdit(edit))) throw new KnobError('VS Code refused the edit');
      // A newer value replaces a run still going: the person wants to see the latest knob, not a queue.
      if (this.controller.isRunning(cell.notebook)) this.controller.interrupt(cell.notebook);
      await this.controller.rerunKeepingResult(cell, editor);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      void vscode.window.showWarningMessage(`BatchNorm Lab: could not set "${change.key}" in cell ${cell.index + 1}: ${message}`);
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

function isKnobChange(message: unknown): message is KnobChange {
  const m = message as Partial<KnobChange> | null;
  return !!m && m.type === 'knob' && typeof m.outputId === 'string' && typeof m.key === 'string' && m.value !== undefined;
}

/** VS Code gives every output an id (the renderer sees it as the output item's id); the typings leave it out. */
function outputIdOf(output: vscode.NotebookCellOutput): string | undefined {
  return (output as { id?: string }).id;
}

/** The smallest range whose replacement turns `before` into `after` (so undo and the cursor stay local). */
function changedRange(document: vscode.TextDocument, before: string, after: string): vscode.Range {
  const { start, endBefore } = diffBounds(before, after);
  return new vscode.Range(document.positionAt(start), document.positionAt(endBefore));
}

function changedText(before: string, after: string): string {
  const { start, endAfter } = diffBounds(before, after);
  return after.slice(start, endAfter);
}

function diffBounds(before: string, after: string): { start: number; endBefore: number; endAfter: number } {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { start, endBefore: before.length - end, endAfter: after.length - end };
}
