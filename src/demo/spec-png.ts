import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

/** Font of the plots' text: DejaVu Sans (Debian's fonts-dejavu-core), else resvg's default. */
export const PLOT_FONT = 'DejaVu Sans';

/**
 * A vega-lite spec as a PNG: compiled by vega-lite, rendered to SVG by vega (headless view,
 * finalized after use) and rasterised by resvg at 2x with the system fonts, {@link PLOT_FONT}
 * by default. Used by the demo's curve plots and by `lovasz eval --plot`.
 * @example
 *   const png = await specPng(curvesSpec('Binary demo: loss', 'loss', curves));
 */
export async function specPng(spec: vegaLite.TopLevelSpec): Promise<Buffer> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: PLOT_FONT },
  });
  return resvg.render().asPng();
}
