// The figure: validation mIoU (dataset and per-image) against epochs, one panel per seed: the
// cross-entropy phase up to its checkpoint, then the three recipes from it (vega-lite -> SVG ->
// PNG by resvg, as ../shapes-segmentation/plots.mjs).
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

const FONT = 'DejaVu Sans';

/** The PNG of the mIoU-vs-epoch plot of `results` (see report.mjs for its fields). */
export async function miouPlotPng(results) {
  const values = [];
  const phase1 = 'cross-entropy (early-stopped phase)';
  for (const run of results.runs) {
    for (const p of run.phase1) {
      for (const [metric, v] of [
        ['dataset', p.mIoU],
        ['per-image', p.perImage],
      ]) {
        values.push({ seed: `seed ${run.seed}`, epoch: p.epoch, mIoU: v, recipe: phase1, metric });
      }
    }
    const checkpoint = run.phase1[run.bestEpoch - 1];
    for (const { key, name } of results.recipes) {
      const b = run.branches.find((x) => x.recipe === key);
      // Each recipe's line starts at the checkpoint it forks from.
      for (const p of [{ ...checkpoint, epoch: run.bestEpoch }, ...b.curve]) {
        for (const [metric, v] of [
          ['dataset', p.mIoU],
          ['per-image', p.perImage],
        ]) {
          values.push({ seed: `seed ${run.seed}`, epoch: p.epoch, mIoU: v, recipe: name, metric });
        }
      }
    }
  }
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Validation mIoU (exact, iouCallback) per epoch',
    background: 'white',
    data: { values },
    facet: {
      row: { field: 'metric', type: 'nominal', title: 'mIoU', sort: ['dataset', 'per-image'] },
      column: { field: 'seed', type: 'nominal', title: null },
    },
    spec: {
      width: 260,
      height: 180,
      mark: { type: 'line', point: { size: 12 }, strokeWidth: 1.5 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd' } },
        y: { field: 'mIoU', type: 'quantitative', title: 'mIoU (%)', scale: { zero: false } },
        color: {
          field: 'recipe',
          type: 'nominal',
          sort: [phase1, ...results.recipes.map((r) => r.name)],
          legend: { orient: 'bottom', columns: 2, labelLimit: 400 },
        },
      },
    },
    resolve: { scale: { y: 'independent' } },
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
