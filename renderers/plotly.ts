/**
 * Loads plotly.js once, lazily. It ships once, as dist/plotly.js: plotly.js-dist as a classic script that
 * sets `globalThis.Plotly` (scripts/build.mjs). The renderer adds it to the page next to its own bundle
 * when the first plot is drawn; the HTML report inlines the same file before its script, so it is there.
 */
export type PlotlyApi = typeof import('plotly.js-dist').default;

let loading: Promise<PlotlyApi> | undefined;

export function loadPlotly(): Promise<PlotlyApi> {
  loading ??= (plotlyGlobal() ? Promise.resolve() : loadScript(new URL('plotly.js', import.meta.url).href))
    .then(() => {
      const api = plotlyGlobal();
      if (typeof api?.newPlot !== 'function') throw new Error('plotly.js loaded but has no newPlot()');
      return api;
    })
    .catch((error: unknown) => {
      loading = undefined; // let the next output try again
      throw error;
    });
  return loading;
}

function plotlyGlobal(): PlotlyApi | undefined {
  return (globalThis as { Plotly?: PlotlyApi }).Plotly;
}

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load plotly.js from ${src}`));
    document.head.appendChild(script);
  });
}
