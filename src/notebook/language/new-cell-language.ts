/**
 * A new, empty code cell takes the language of the code cell above it, as a person writing down the
 * notebook expects: "+ Code" under a TypeScript cell makes a TypeScript cell. (VS Code takes the language
 * of the cell the toolbar sits above, or of the notebook's first code cell when adding at the end.)
 */
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from '../constants';

export function followLanguageOfCellAbove(supportedLanguages: readonly string[]): vscode.Disposable {
  return vscode.workspace.onDidChangeNotebookDocument(async (event) => {
    if (event.notebook.notebookType !== NOTEBOOK_TYPE) return;
    for (const change of event.contentChanges) {
      for (const cell of change.addedCells) {
        if (cell.kind !== vscode.NotebookCellKind.Code || cell.document.getText() !== '') continue;
        const above = event.notebook.getCells(new vscode.NotebookRange(0, cell.index)).reverse().find((c) => c.kind === vscode.NotebookCellKind.Code);
        const language = above?.document.languageId;
        if (language && language !== cell.document.languageId && supportedLanguages.includes(language)) {
          await vscode.languages.setTextDocumentLanguage(cell.document, language);
        }
      }
    }
  });
}
