// The figures: validation mIoU against steps (vega-lite -> SVG -> PNG by resvg, as the demo's
// plots do) and a grid of validation images with their masks and each recipe's predictions.
import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

const FONT = 'DejaVu Sans';

/** Line plot of the validation mIoU against steps: mean over seeds, one line per recipe. */
export async function miouPlotPng(results) {
  const values = [];
  for (const { key, name } of results.recipes) {
    const runs = results.runs.filter((r) => r.recipe === key);
    for (const [i, { step }] of runs[0].curve.entries()) {
      const mIoU = runs.reduce((a, r) => a + r.curve[i].mIoU, 0) / runs.length;
      values.push({ step, mIoU, recipe: name });
    }
  }
  const seeds = new Set(results.runs.map((r) => r.seed)).size;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Validation mIoU (mean over ${seeds} seed${seeds === 1 ? '' : 's'})`,
    width: 560,
    height: 300,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: true, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step', axis: { format: 'd' } },
      y: { field: 'mIoU', type: 'quantitative', title: 'mIoU (%)', scale: { zero: false } },
      color: {
        field: 'recipe',
        type: 'nominal',
        sort: results.recipes.map((r) => r.name),
        legend: { orient: 'bottom', columns: 2, labelLimit: 400 },
      },
    },
    config: { font: FONT },
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: FONT },
  });
  return resvg.render().asPng();
}

/** Class colours: background dark gray, then circle, square, triangle, bar. */
const COLOURS = [
  [40, 40, 40],
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [255, 225, 25],
];

/**
 * A PNG grid: one row per shown validation image; columns: the image, its ground truth, then
 * each recipe's prediction (seed 1). Each cell is the mask at 2x, with a 4-pixel gap.
 */
export function predictionsPng(valSet, size, shown, recipes, classes) {
  const zoom = 2;
  const gap = 4;
  const cols = 2 + recipes.length;
  const cell = size * zoom;
  const width = cols * cell + (cols + 1) * gap;
  const height = shown * cell + (shown + 1) * gap;
  const png = new PNG({ width, height });
  png.data.fill(255);
  const put = (cx, cy, x, y, [r, g, b]) => {
    for (let dy = 0; dy < zoom; dy++) {
      for (let dx = 0; dx < zoom; dx++) {
        const px = gap + cx * (cell + gap) + x * zoom + dx;
        const py = gap + cy * (cell + gap) + y * zoom + dy;
        const i = 4 * (py * width + px);
        png.data[i] = r;
        png.data[i + 1] = g;
        png.data[i + 2] = b;
        png.data[i + 3] = 255;
      }
    }
  };
  const colour = (label) => COLOURS[label % classes] ?? [255, 0, 255];
  for (let n = 0; n < shown; n++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const i = n * size * size + y * size + x;
        const v = Math.max(0, Math.min(255, Math.round(valSet.images[i] * 255)));
        put(0, n, x, y, [v, v, v]);
        put(1, n, x, y, colour(valSet.labels[i]));
        for (const [k, r] of recipes.entries()) put(2 + k, n, x, y, colour(r.preds[i]));
      }
    }
  }
  return PNG.sync.write(png);
}
