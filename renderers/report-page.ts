/**
 * The script of the headless runner's HTML report (bundled with plotly into dist/report-assets/report.js
 * and inlined into each report). It draws every plot in the page with the notebook renderer itself, so
 * that a plot looks the same in the report as in VS Code, and follows the reader's light or dark scheme.
 *
 * The renderer draws a plot only when it comes near the viewport (it watches plots with an
 * IntersectionObserver), which is right for a notebook but leaves blank gaps when a report is printed or
 * captured whole. So the report's observer is told to see every plot: in idle time once the page has
 * loaded (a print or a full-page capture then finds them drawn), and at once on `beforeprint` or when
 * print media starts to match. `<html data-plots="drawn">` says when every plot is drawn.
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

const NativeIntersectionObserver = window.IntersectionObserver;
const wholePageObservers = new Set<WholePageObserver>();
let wholePage = false;

/** An entry that says `target` is in view. */
function inView(target: Element): IntersectionObserverEntry {
  const rect = target.getBoundingClientRect();
  return { target, isIntersecting: true, intersectionRatio: 1, boundingClientRect: rect, intersectionRect: rect, rootBounds: null, time: performance.now() };
}

/** The browser's observer, until the page is to be drawn whole: from then on, every target it watches is in view. */
class WholePageObserver implements IntersectionObserver {
  private readonly inner: IntersectionObserver;
  private readonly targets = new Set<Element>();

  constructor(
    private readonly callback: IntersectionObserverCallback,
    options?: IntersectionObserverInit,
  ) {
    this.inner = new NativeIntersectionObserver((entries) => callback(wholePage ? entries.map((entry) => inView(entry.target)) : entries, this), options);
    wholePageObservers.add(this);
  }

  get root(): Element | Document | null {
    return this.inner.root;
  }
  get rootMargin(): string {
    return this.inner.rootMargin;
  }
  get thresholds(): ReadonlyArray<number> {
    return this.inner.thresholds;
  }

  observe(target: Element): void {
    this.targets.add(target);
    this.inner.observe(target);
    if (wholePage) queueMicrotask(() => this.targets.has(target) && this.callback([inView(target)], this));
  }
  unobserve(target: Element): void {
    this.targets.delete(target);
    this.inner.unobserve(target);
  }
  disconnect(): void {
    this.targets.clear();
    this.inner.disconnect();
    wholePageObservers.delete(this);
  }
  takeRecords(): IntersectionObserverEntry[] {
    return this.inner.takeRecords();
  }

  /** Tells the callback that every watched target is in view. */
  showAll(): void {
    if (this.targets.size > 0) this.callback([...this.targets].map(inView), this);
  }
}

/** From now on every plot counts as in view, so the renderer draws them all (one per task) and purges none. */
function drawWholePage(): void {
  if (wholePage) return;
  wholePage = true;
  for (const observer of wholePageObservers) observer.showAll();
}

if (typeof NativeIntersectionObserver === 'function') {
  window.IntersectionObserver = WholePageObserver;
  window.addEventListener('beforeprint', drawWholePage);
  window.matchMedia('print').addEventListener('change', (query) => query.matches && drawWholePage());
}

/** Marks `<html data-plots="drawn">` once each plot was drawn or failed (the renderer reports both). */
function plotCounter(total: number): (message: unknown) => void {
  const done = new Set<string>();
  document.documentElement.dataset.plots = total === 0 ? 'drawn' : 'drawing';
  return (message) => {
    const { type, outputId } = (message ?? {}) as { type?: string; outputId?: string };
    if ((type !== 'rendered' && type !== 'render-error') || outputId === undefined) return;
    done.add(outputId);
    if (done.size >= total) document.documentElement.dataset.plots = 'drawn';
  };
}

/** The output item of a plot container: its payload rides in a JSON script element. */
function plotItem(container: HTMLElement, index: number): OutputItem {
  const json = container.querySelector('script[type="application/json"]')?.textContent ?? 'null';
  return {
    id: `report-plot-${index}`,
    mime: PLOT_MIME,
    metadata: {},
    json: () => JSON.parse(json),
    text: () => json,
    data: () => new TextEncoder().encode(json),
    blob: () => new Blob([json], { type: PLOT_MIME }),
  };
}

function whenIdle(run: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 2000 });
  else setTimeout(run, 200);
}

void (async () => {
  const containers = [...document.querySelectorAll<HTMLElement>('.plot')];
  const counted = plotCounter(containers.length);
  const context = { workspace: { isTrusted: true }, settings: {}, setState() {}, getState: () => undefined, postMessage: counted } as unknown as RendererContext<unknown>;
  const renderer = await activate(context);
  if (!renderer) throw new Error('the notebook renderer did not activate');
  const rendering = containers.map((container, index) => {
    const target = document.createElement('div');
    container.appendChild(target);
    return renderer.renderOutputItem(plotItem(container, index), target, new AbortController().signal);
  });
  // The plots in view come first; the rest once the page is idle, before anyone prints or captures it.
  await Promise.allSettled(rendering);
  const drawRest = () => whenIdle(drawWholePage);
  if (document.readyState === 'complete') drawRest();
  else window.addEventListener('load', drawRest, { once: true });
})();
