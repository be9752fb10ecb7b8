/**
 * The knob row's stylesheet, in VS Code's colours (the `--vscode-*` variables of the webview, with the
 * default theme's values as fallbacks), added once to the document (or shadow root) that shows a row.
 */
const CSS = `
.bnlab-knobs { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 18px; padding: 2px 4px 6px;
  font-family: var(--vscode-font-family, sans-serif); font-size: var(--vscode-font-size, 13px);
  color: var(--vscode-foreground, inherit); }
.bnlab-knob { display: inline-flex; align-items: center; gap: 6px; white-space: nowrap; }
.bnlab-knob label { font-family: var(--vscode-editor-font-family, monospace); color: var(--vscode-descriptionForeground, inherit); }
.bnlab-knob input[type=range] { width: 132px; margin: 0; accent-color: var(--vscode-button-background, #005fb8); background: transparent; }
.bnlab-knob input[type=checkbox] { margin: 0; accent-color: var(--vscode-button-background, #005fb8); }
.bnlab-knob .bnlab-knob-value { width: 7.5ch; padding: 2px 4px; border-radius: 2px; font-family: var(--vscode-editor-font-family, monospace);
  font-size: inherit; background: var(--vscode-input-background, #fff); color: var(--vscode-input-foreground, inherit);
  border: 1px solid var(--vscode-input-border, var(--vscode-widget-border, #cecece)); }
.bnlab-knob .bnlab-knob-bound { width: 6ch; }
.bnlab-knob select { padding: 2px 4px; border-radius: 2px; font: inherit;
  background: var(--vscode-dropdown-background, #fff); color: var(--vscode-dropdown-foreground, inherit);
  border: 1px solid var(--vscode-dropdown-border, var(--vscode-widget-border, #cecece)); }
.bnlab-knob :focus-visible { outline: 1px solid var(--vscode-focusBorder, #005fb8); outline-offset: 1px; }
.bnlab-knob [aria-invalid=true] { border-color: var(--vscode-inputValidation-errorBorder, #be1100);
  background: var(--vscode-inputValidation-errorBackground, var(--vscode-input-background, #fff)); }
.bnlab-knob-range { font-family: var(--vscode-editor-font-family, monospace); color: var(--vscode-descriptionForeground, inherit); }
`;

const STYLE_ID = 'bnlab-knob-styles';

export function ensureKnobStyles(near: Node): void {
  const root = near.getRootNode();
  const host: ParentNode & { getElementById?(id: string): Element | null } = root instanceof ShadowRoot ? root : document;
  if (host.getElementById?.(STYLE_ID) ?? host.querySelector(`#${STYLE_ID}`)) return;
  const style = document.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  (root instanceof ShadowRoot ? root : document.head ?? document.documentElement).append(style);
}
