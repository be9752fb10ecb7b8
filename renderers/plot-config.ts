/** The plotly config of a drawn plot: the pure one (figure.ts) plus the SVG download button, which needs plotly. */
import type { Config } from 'plotly.js-dist';
import type { PlotSpec } from '../src/shared/payload';
import { figureConfig } from './figure';
import type { PlotlyApi } from './plotly';

export function plotConfig(plotly: PlotlyApi, plot: PlotSpec): Partial<Config> {
  const config = figureConfig(plot);
  const filename = config.toImageButtonOptions?.filename ?? 'plot';
  return {
    ...config,
    modeBarButtonsToAdd: [
      {
        name: 'downloadSvg',
        title: 'Download plot as SVG',
        icon: plotly.Icons.disk,
        click: (graph) => {
          plotly.downloadImage(graph, { format: 'svg', filename, width: null, height: null }).catch(() => {});
        },
      },
    ],
  };
}
