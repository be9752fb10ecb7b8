// What scripts/test-web.mjs tells the web suite, in a file of the workspace (the web host has no environment).
import * as vscode from 'vscode';

export interface WebTestSettings {
  /** Whether the runner put the cross-origin isolation proxy in front of the workbench. */
  isolated: boolean;
  grep?: string;
  /** The sample notebooks in <workspace>/samples/. */
  samples: string[];
}

export const SETTINGS_FILE = '.bnlab-web-test.json';

let loaded: Promise<WebTestSettings> | undefined;

export function settings(): Promise<WebTestSettings> {
  return (loaded ??= (async () => {
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    return JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, SETTINGS_FILE)))) as WebTestSettings;
  })());
}
