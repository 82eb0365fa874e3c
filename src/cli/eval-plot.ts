/**
 * `lovasz eval --plot DIR`: a confusion-matrix heatmap and a per-class IoU bar chart, as PNG,
 * drawn by vega-lite, rendered to SVG by vega and rasterised by resvg (the demo's stack).
 * Imported only with --plot, so that eval without it needs none of these packages.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as vegaLite from 'vega-lite';
import { PLOT_FONT, specPng } from '../demo/spec-png.js';
import { writeFileAtomic } from '../demo/write-atomic.js';
import { classLabels, type EvalResults } from './eval-output.js';

/** The file names written in the --plot directory. */
export const PLOT_FILES = { confusion: 'confusion-matrix.png', iou: 'class-iou.png' } as const;

/**
 * The confusion matrix as a heatmap: cell (label y, prediction p) coloured by the share of
 * label y's valid pixels predicted p (row-normalised, so rare classes show as clearly as
 * common ones), with the pixel count in the tooltip-free text of small matrices.
 */
export function confusionSpec(results: EvalResults): vegaLite.TopLevelSpec {
  const labels = classLabels(results);
  const { counts } = results.confusionMatrix;
  const values = counts.flatMap((row, i) => {
    const total =
      row.reduce((s, v) => s + v, 0) + (results.confusionMatrix.predictedIgnore?.[i] ?? 0);
    return row.map((count, j) => ({
      label: labels[i],
      pred: labels[j],
      share: total === 0 ? 0 : count / total,
      count,
    }));
  });
  const side = Math.min(720, Math.max(160, 24 * labels.length));
  const layers: vegaLite.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Confusion matrix (${results.images} images; rows: ground truth, share of its pixels)`,
    width: side,
    height: side,
    background: 'white',
    data: { values },
    encoding: {
      x: { field: 'pred', type: 'ordinal', title: 'prediction', sort: labels },
      y: { field: 'label', type: 'ordinal', title: 'ground truth', sort: labels },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'share',
            type: 'quantitative',
            title: 'share of row',
            scale: { domain: [0, 1], scheme: 'blues' },
          },
        },
      },
      ...(labels.length <= 24
        ? [
            {
              mark: { type: 'text' as const, fontSize: 9 },
              encoding: {
                text: { field: 'share', type: 'quantitative' as const, format: '.2f' },
                color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
              },
            },
          ]
        : []),
    ],
    config: { font: PLOT_FONT },
  };
  return layers;
}

/** Per-class IoU as bars (absent classes have none), with the mIoU as a rule. */
export function classIouSpec(results: EvalResults): vegaLite.TopLevelSpec {
  const labels = classLabels(results);
  const values = labels.map((label, k) => ({
    label,
    iou: Number.isNaN(results.iou[k]) ? null : results.iou[k],
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `IoU per class (mIoU ${results.mIoU.toFixed(2)}%)`,
    width: Math.min(960, Math.max(240, 22 * labels.length)),
    height: 280,
    background: 'white',
    layer: [
      {
        data: { values },
        mark: 'bar',
        encoding: {
          x: { field: 'label', type: 'ordinal', title: 'class', sort: labels },
          y: { field: 'iou', type: 'quantitative', title: 'IoU (%)', scale: { domain: [0, 100] } },
        },
      },
      {
        data: { values: [{ mIoU: results.mIoU }] },
        mark: { type: 'rule', color: 'firebrick', strokeDash: [4, 3] },
        encoding: { y: { field: 'mIoU', type: 'quantitative' } },
      },
    ],
    config: { font: PLOT_FONT },
  };
}

/** Writes both plots into `dir` (created if missing); returns the paths written. */
export async function writePlots(dir: string, results: EvalResults): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const confusion = join(dir, PLOT_FILES.confusion);
  const iou = join(dir, PLOT_FILES.iou);
  writeFileAtomic(confusion, await specPng(confusionSpec(results)));
  writeFileAtomic(iou, await specPng(classIouSpec(results)));
  return [confusion, iou];
}
