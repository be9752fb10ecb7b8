/**
 * The script of the headless runner's HTML report (bundled with plotly into dist/report-assets/report.js
 * and inlined into each report). It draws every plot in the page with the notebook renderer itself, so
 * that a plot looks the same in the report as in VS Code, and follows the reader's light or dark scheme.
 */
import type { OutputItem, RendererContext } from 'vscode-notebook-renderer';
import { PLOT_MIME } from '../src/shared/payload';
import { activate } from './index';

// Outside VS Code, the reader's colour scheme stands in for the VS Code theme (the page defines the
// --vscode-* variables for both); the renderer recolours its plots when the body class changes.
const dark = window.matchMedia('(prefers-color-scheme: dark)');
const applyScheme = () => {
  document.body.classList.toggle('vscode-dark', dark.matches);
  document.body.classList.toggle('vscode-light', !dark.matches);
};
applyScheme();
dark.addEventListener('change', applyScheme);

const context = { workspace: { isTrusted: true }, settings: {}, setState() {}, getState: () => undefined } as unknown as RendererContext<unknown>;
void (async () => {
  const renderer = await activate(context);
  if (!renderer) throw new Error('the notebook renderer did not activate');
  document.querySelectorAll<HTMLElement>('.plot').forEach((container, index) => {
    const json = container.querySelector('script[type="application/json"]')?.textContent ?? 'null';
    const item: OutputItem = {
      id: `report-plot-${index}`,
      mime: PLOT_MIME,
      metadata: {},
      json: () => JSON.parse(json),
      text: () => json,
      data: () => new TextEncoder().encode(json),
      blob: () => new Blob([json], { type: PLOT_MIME }),
    };
    const target = document.createElement('div');
    container.appendChild(target);
    void renderer.renderOutputItem(item, target, new AbortController().signal);
  });
})();
