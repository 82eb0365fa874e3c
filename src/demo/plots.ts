import type * as vegaLite from 'vega-lite';
import { PLOT_FONT, specPng } from './spec-png.js';

/** One line of a curve plot. */
export interface Curve {
  /** Legend name of the run, e.g. 'hinge'. */
  name: string;
  /** One value per training step (step k + 1 at index k). */
  values: readonly number[];
}

/**
 * A line plot of training curves (one line per run, y against the step; runs differ by hue and
 * by dash pattern) as a PNG, drawn by
 * vega-lite, rendered to SVG by vega and rasterised by resvg with the system fonts.
 *
 * Defaults: 640 x 320 CSS pixels, rendered at 2x.
 * @example
 *   const png = await curvesPng('Binary demo: loss', 'loss', [{ name: 'hinge', values: loss }]);
 *   writeFileSync('binary-loss.png', png);
 */
export async function curvesPng(title: string, yTitle: string, curves: Curve[]): Promise<Buffer> {
  return specPng(curvesSpec(title, yTitle, curves));
}

/**
 * The vega-lite spec of {@link curvesPng}: one line per run, told apart by hue and by dash.
 * @example
 *   const spec = curvesSpec('Binary demo: loss', 'loss', [{ name: 'hinge', values: loss }]);
 */
export function curvesSpec(title: string, yTitle: string, curves: Curve[]): vegaLite.TopLevelSpec {
  const values = curves.flatMap((c) => c.values.map((v, i) => ({ step: i + 1, run: c.name, v })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 640,
    height: 320,
    background: 'white',
    data: { values },
    // A single step would draw no line: show the points then.
    mark: { type: 'line', point: values.length <= curves.length, strokeWidth: 1.5 },
    encoding: {
      x: {
        field: 'step',
        type: 'quantitative',
        title: 'step',
        axis: { format: 'd', tickMinStep: 1 },
      },
      y: { field: 'v', type: 'quantitative', title: yTitle, scale: { zero: false } },
      color: {
        field: 'run',
        type: 'nominal',
        title: 'loss',
        sort: curves.map((c) => c.name),
      },
      // A dash pattern per run as well as a hue: the curves stay apart in grey print and for
      // readers who do not tell the hues apart (one legend: same field, title and order).
      strokeDash: {
        field: 'run',
        type: 'nominal',
        title: 'loss',
        sort: curves.map((c) => c.name),
      },
    },
    config: { font: PLOT_FONT },
  };
}
