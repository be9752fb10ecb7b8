/** Wires the parts together; no logic of its own. */
import * as vscode from 'vscode';
import { registerCommands } from './notebook/commands';
import { NOTEBOOK_TYPE } from './notebook/constants';
import { BnlabController } from './notebook/controller';
import { KnobBridge } from './notebook/knobs';
import { registerExperimentCellLanguage } from './notebook/language/experiment-cells';
import { followLanguageOfCellAbove } from './notebook/language/new-cell-language';
import { registerTypeScriptCells } from './notebook/language/typescript-cells';
import { HOST_KIND } from './notebook/platform/host';
import { RendererReports } from './notebook/renderer-reports';
import { BnnbSerializer } from './notebook/serializer';

/** What the extension exports to other extensions (and to its integration tests). */
export interface BnlabApi {
  rendererReports: RendererReports;
  controller: BnlabController;
  /** Knobs on plots: the tests move them through `drive`, as a person would in the webview. */
  knobs: KnobBridge;
  /** Which extension host this build is for: 'node' (desktop, remote) or 'web' (vscode.dev, github.dev). */
  host: 'node' | 'web';
}

export function activate(context: vscode.ExtensionContext): BnlabApi {
  const rendererReports = new RendererReports();
  const controller = new BnlabController(context.extensionUri);
  const knobs = new KnobBridge(controller);
  context.subscriptions.push(
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new BnnbSerializer(), { transientOutputs: false }),
    controller,
    knobs,
    rendererReports,
    ...registerCommands(controller, context.extensionUri, context.globalStorageUri),
    ...registerExperimentCellLanguage(),
    // The TypeScript server of VS Code for the Web loads no plugins: there cells get VS Code's features unaided.
    ...(HOST_KIND === 'node' ? registerTypeScriptCells() : []),
    followLanguageOfCellAbove(controller.supportedLanguages),
  );
  return { rendererReports, controller, knobs, host: HOST_KIND };
}

export function deactivate(): void {}
