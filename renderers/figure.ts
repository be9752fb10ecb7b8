/**
 * The payload → plotly figure mapping (pure: no DOM, no plotly runtime). The implementation lives in
 * figures/; this module is the stable import path for the renderer, the tests and the HTML report:
 *
 *     import { toFigure, lightTheme, darkTheme } from '../renderers/figure';
 *     const { data, layout, config } = toFigure(payload, lightTheme());
 */
export {
  armColor,
  armKey,
  armSlot,
  buildFigure,
  darkTheme,
  describePlot,
  displayTitle,
  exponentFormat,
  figureConfig,
  highContrastTheme,
  lightTheme,
  slug,
  traceCount,
  wrapText,
  type FigureOptions,
  type PlotFigure,
  type PlotTheme,
} from './figures/index';
export { GRID } from './figures/distribution';
export {
  FADED_OPACITY,
  OUTLINE_OPACITY,
  OVERLAY_OPACITY,
  assignUids,
  buildPayloadFigure,
  liveBadgeText,
  liveBadgeWidth,
  overlayable,
  toFigure,
} from './figures/payload-figure';
