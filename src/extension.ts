/** Wires the parts together; no logic of its own. */
import * as vscode from 'vscode';
import { registerCommands } from './notebook/commands';
import { NOTEBOOK_TYPE } from './notebook/constants';
import { BnlabController } from './notebook/controller';
import { RendererReports } from './notebook/renderer-reports';
import { BnnbSerializer } from './notebook/serializer';

/** What the extension exports to other extensions (and to its integration tests). */
export interface BnlabApi {
  rendererReports: RendererReports;
}

export function activate(context: vscode.ExtensionContext): BnlabApi {
  const rendererReports = new RendererReports();
  context.subscriptions.push(
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new BnnbSerializer(), { transientOutputs: false }),
    new BnlabController(),
    rendererReports,
    ...registerCommands(),
  );
  return { rendererReports };
}

export function deactivate(): void {}
