/**
 * Loads plotly.js once, lazily. The dynamic import makes esbuild put plotly (several MB) in its own chunk
 * (dist/renderer-chunks/), so the renderer entry stays small and plotly is only fetched when a plot is drawn.
 */
export type PlotlyApi = typeof import('plotly.js-dist').default;

let loading: Promise<PlotlyApi> | undefined;

export function loadPlotly(): Promise<PlotlyApi> {
  loading ??= import('plotly.js-dist')
    .then((module) => {
      // plotly.js-dist is a UMD/CommonJS bundle: esbuild exposes module.exports as the default export.
      const api = ((module as { default?: PlotlyApi }).default ?? module) as PlotlyApi;
      if (typeof api?.newPlot !== 'function') throw new Error('plotly.js loaded but has no newPlot()');
      return api;
    })
    .catch((error: unknown) => {
      loading = undefined; // let the next output try again
      throw error;
    });
  return loading;
}
