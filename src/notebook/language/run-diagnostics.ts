/**
 * A cell that failed shows its error as a diagnostic too, at the line the error names (the first line
 * when it names none), until the cell is edited or runs again. Errors that the editor already shows as
 * you type (a wrong parameter, a syntax error, import/export) are not shown twice.
 */
import * as vscode from 'vscode';
import { errorLocation } from '../../kernel/error-location';
import { ERROR_MIME } from '../../kernel/outputs';
import type { BnnbOutput } from '../../shared/bnnb-format';

/** Errors whose words the as-you-type checks already put on the cell. */
const SHOWN_AS_YOU_TYPE = new Set(['ExperimentCellError', 'CellCompileError']);

export class RunDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('bnlab-run-errors');
  private readonly listener = vscode.workspace.onDidChangeTextDocument((event) => {
    if (event.contentChanges.length > 0) this.collection.delete(event.document.uri);
  });

  /** Records a run's outcome: its error as a diagnostic, or nothing. */
  report(cell: vscode.NotebookCell, outputs: readonly BnnbOutput[]): void {
    this.collection.delete(cell.document.uri);
    const error = outputs.flatMap((output) => output.items).find((item) => item.mime === ERROR_MIME)?.data as { name?: string; message?: string } | undefined;
    if (!error?.message || SHOWN_AS_YOU_TYPE.has(error.name ?? '')) return;
    const location = errorLocation(error.message);
    const line = Math.min(Math.max((location?.line ?? 1) - 1, 0), Math.max(cell.document.lineCount - 1, 0));
    const text = cell.document.lineAt(line);
    const column = location ? Math.min(location.column - 1, text.text.length) : text.firstNonWhitespaceCharacterIndex;
    const range = new vscode.Range(line, column, line, Math.max(text.text.length, column + 1));
    const diagnostic = new vscode.Diagnostic(range, `${error.name ?? 'Error'}: ${error.message}`, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'bnlab run';
    this.collection.set(cell.document.uri, [diagnostic]);
  }

  dispose(): void {
    this.listener.dispose();
    this.collection.dispose();
  }
}
