/** The readable error box an output shows instead of a plot it cannot draw. */
import type { OutputItem } from 'vscode-notebook-renderer';
import { PLOT_MIME } from '../src/shared/payload';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A readable error box (themed with VS Code's validation colours) naming the problem and the MIME type. */
export function errorBox(problem: string, item: OutputItem): HTMLElement {
  const box = document.createElement('div');
  box.className = 'bnlab-plot-error';
  box.setAttribute('role', 'alert');
  Object.assign(box.style, {
    border: '1px solid var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground, #be1100))',
    background: 'var(--vscode-inputValidation-errorBackground, rgba(190, 17, 0, 0.08))',
    color: 'var(--vscode-editor-foreground, var(--vscode-foreground, inherit))',
    fontFamily: 'var(--vscode-font-family, sans-serif)',
    fontSize: 'var(--vscode-font-size, 13px)',
    padding: '8px 12px',
    borderRadius: '4px',
    lineHeight: '1.45',
    overflowWrap: 'anywhere',
  } satisfies Partial<CSSStyleDeclaration>);

  const heading = document.createElement('div');
  heading.style.fontWeight = '600';
  heading.style.color = 'var(--vscode-errorForeground, inherit)';
  heading.textContent = 'BatchNorm Lab cannot show this plot';

  const message = document.createElement('div');
  message.className = 'bnlab-plot-error-message';
  message.style.fontFamily = 'var(--vscode-editor-font-family, monospace)';
  message.style.margin = '4px 0';
  message.textContent = problem;

  const mime = document.createElement('div');
  mime.style.opacity = '0.8';
  mime.append('Output type: ');
  const code = document.createElement('code');
  code.textContent = item.mime || PLOT_MIME;
  mime.append(code);

  box.append(heading, message, mime);

  let text = '';
  try {
    text = item.text();
  } catch {
    // nothing to show
  }
  if (text) {
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = `Output data (${text.length} characters)`;
    const pre = document.createElement('pre');
    Object.assign(pre.style, { whiteSpace: 'pre-wrap', maxHeight: '12em', overflow: 'auto', margin: '4px 0 0' });
    pre.textContent = text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
    details.append(summary, pre);
    box.append(details);
  }
  return box;
}
