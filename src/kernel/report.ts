/**
 * The headless runner's HTML report: one self-contained file (no network needed to view it) with the
 * notebook's markdown, code and outputs. Plots are drawn in the page by the renderer's own
 * payload-to-plotly mapping (dist/plotly.js, then dist/report-assets/report.js), so they look as in VS Code.
 */
import markdownItKatex from '@vscode/markdown-it-katex';
import MarkdownIt from 'markdown-it';
import type { BnnbCell, BnnbNotebook, BnnbOutputItem } from '../shared/bnnb-format';
import { ERROR_MIME, STDERR_MIME, STDOUT_MIME } from './outputs';
import { PLOT_MIME } from '../shared/payload';

// Math as in VS Code's markdown cells (the same KaTeX plugin), written as MathML, which browsers draw
// without KaTeX's fonts and styles: the report stays one file.
const markdown = new MarkdownIt({ html: false, linkify: true }).use(markdownItKatex, { output: 'mathml', throwOnError: false });

/** `script` is dist/plotly.js and dist/report-assets/report.js (see src/cli/report-script.ts in Node; workspace.fs in the extension). */
export function renderReport(notebook: BnnbNotebook, title: string, script: string): string {
  const cells = notebook.cells.map(renderCell).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="BatchNorm Lab">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body class="vscode-light">
<header><h1 class="report-title">${escapeHtml(title)}</h1><p class="report-meta">Executed with BatchNorm Lab on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC</p></header>
<main>
${cells}
</main>
<script>${script.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}

function renderCell(cell: BnnbCell, index: number): string {
  if (cell.kind === 'markdown') return `<section class="cell markdown">${markdown.render(cell.source)}</section>`;
  const order = cell.execution?.order !== undefined ? `[${cell.execution.order}]` : '[ ]';
  const status = cell.execution?.success === false ? ' failed' : '';
  const outputs = cell.outputs.map((output) => renderItem(preferredItem(output.items), index)).join('\n');
  return `<section class="cell code${status}">
<div class="source"><span class="order">${order}</span><pre><code class="language-${escapeHtml(cell.language)}">${escapeHtml(cell.source)}</code></pre></div>
<div class="outputs">${outputs}</div>
</section>`;
}

/** As VS Code does, one item per output is shown: the richest one this report can draw. */
function preferredItem(items: BnnbOutputItem[]): BnnbOutputItem | undefined {
  const order = [PLOT_MIME, ERROR_MIME, 'text/markdown', 'text/html', STDOUT_MIME, STDERR_MIME, 'text/plain'];
  return [...items].sort((a, b) => rank(a.mime) - rank(b.mime))[0];
  function rank(mime: string): number {
    const i = order.indexOf(mime);
    return i < 0 ? order.length : i;
  }
}

function renderItem(item: BnnbOutputItem | undefined, cellIndex: number): string {
  if (!item) return '';
  switch (item.mime) {
    case PLOT_MIME:
      // The payload rides in a JSON script element; report.js draws it where it stands.
      return `<div class="plot" data-cell="${cellIndex + 1}"><script type="application/json">${JSON.stringify(item.data).replace(/</g, '\\u003c')}</script></div>`;
    case ERROR_MIME: {
      const error = item.data as { name?: string; message?: string; stack?: string };
      return `<pre class="error"><strong>${escapeHtml(error.name ?? 'Error')}</strong>: ${escapeHtml(error.message ?? '')}${error.stack ? `\n${escapeHtml(error.stack.split('\n').slice(1).join('\n'))}` : ''}</pre>`;
    }
    case 'text/markdown':
      return `<div class="markdown-output">${markdown.render(String(item.data))}</div>`;
    case STDOUT_MIME:
    case STDERR_MIME:
    case 'text/plain':
      return `<pre class="${item.mime === STDERR_MIME ? 'stderr' : 'text'}">${escapeHtml(String(item.data))}</pre>`;
    default:
      return `<p class="unsupported">(${escapeHtml(item.mime)} output, not shown in this report)</p>`;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** VS Code's own variables, so the renderer's theme code reads the report's colours like a notebook's. */
const STYLE = `
:root { color-scheme: light dark; }
body { --vscode-editor-background: #ffffff; --vscode-editor-foreground: #1f1f1f; --vscode-descriptionForeground: #616161;
  --vscode-panel-border: #e5e5e5; --vscode-editorWidget-border: #c8c8c8; --vscode-textCodeBlock-background: #f5f5f5;
  --vscode-errorForeground: #a1260d; --vscode-charts-blue: #1a85ff; --vscode-charts-orange: #d18616; --vscode-charts-green: #388a34;
  --vscode-charts-red: #e51400; --vscode-charts-purple: #652d90; --vscode-charts-yellow: #bf8803;
  --vscode-font-family: system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif; --vscode-editor-font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace;
  margin: 0 auto; max-width: 1100px; padding: 24px; background: var(--vscode-editor-background); color: var(--vscode-editor-foreground);
  font-family: var(--vscode-font-family); line-height: 1.5; }
body.vscode-dark { --vscode-editor-background: #1f1f1f; --vscode-editor-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d;
  --vscode-panel-border: #2b2b2b; --vscode-editorWidget-border: #454545; --vscode-textCodeBlock-background: #2b2b2b;
  --vscode-errorForeground: #f85149; --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616; --vscode-charts-green: #89d185;
  --vscode-charts-red: #f14c4c; --vscode-charts-purple: #b180d7; --vscode-charts-yellow: #cca700; }
.report-meta { color: var(--vscode-descriptionForeground); margin-top: -8px; }
.cell { margin: 16px 0; }
.source { display: flex; gap: 8px; align-items: flex-start; }
.order { color: var(--vscode-descriptionForeground); font-family: var(--vscode-editor-font-family); font-size: 12px; padding-top: 10px; min-width: 3em; text-align: right; }
pre { background: var(--vscode-textCodeBlock-background); padding: 8px 12px; overflow-x: auto; border-radius: 4px; margin: 4px 0;
  font-family: var(--vscode-editor-font-family); font-size: 13px; flex: 1; }
.outputs { margin-left: calc(3em + 8px); }
.error { color: var(--vscode-errorForeground); border-left: 3px solid var(--vscode-errorForeground); }
.stderr { color: var(--vscode-errorForeground); }
.code.failed .order { color: var(--vscode-errorForeground); }
table { border-collapse: collapse; } th, td { border: 1px solid var(--vscode-panel-border); padding: 2px 8px; }
.plot { min-height: 200px; }
`;
