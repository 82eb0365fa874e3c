import {
  checkArray,
  checkLabels,
  checkLength,
  checkNumClasses,
  type NumericArray,
} from '../core/check.js';
import { formatShape, pixelGeometry } from '../core/geometry.js';
import { IOU_OPTIONS, type IouOptions } from '../core/options/iou-options.js';
import { resolveOptions } from '../core/options/option-spec.js';

/**
 * Per-class intersection-over-union of label masks, in percent.
 *
 * For each class c in [0, numClasses) other than `ignore`: intersection = #(label == c and
 * pred == c), union = #(label == c or (pred == c and label is not `ignore`)); IoU =
 * intersection / union, or `empty` when the union is empty. Counts are exact integers. With
 * perImage each entry is the mean over images (a batch of zero images scores `empty`).
 * The mean IoU is the mean of the returned entries.
 *
 * Shapes: preds and labels `[B, ...spatial]` (`shape`; any number of spatial axes, at least
 * one), integers in [0, numClasses) or `ignore` (a model may predict the void label; it then
 * counts as no class). Returns number[] with one entry per class other than `ignore`, in class
 * order. Options: {@link IouOptions}.
 * @example
 * ```ts
 * iou([0, 1, 1, 0], [0, 1, 0, 0], [1, 2, 2], 2) // [66.66..., 50]
 * ```
 */
export function iou(
  preds: NumericArray,
  labels: NumericArray,
  shape: readonly number[],
  numClasses: number,
  options: IouOptions = {},
): number[] {
  const fn = 'iou';
  const { empty, ignore, perImage } = resolveOptions(fn, IOU_OPTIONS, options);
  const C = checkNumClasses(fn, numClasses);
  checkArray(fn, 'preds', preds);
  checkArray(fn, 'labels', labels);
  const { batch: B, pixels } = pixelGeometry(fn, 'shape', shape);
  checkLength(fn, 'preds', preds, B * pixels, `shape ${formatShape(shape)}`);
  checkLength(fn, 'labels', labels, B * pixels, `shape ${formatShape(shape)}`);
  checkLabels(fn, 'preds', preds, C, ignore);
  checkLabels(fn, 'labels', labels, C, ignore);
  const classes: number[] = [];
  for (let c = 0; c < C; c++) if (c !== ignore) classes.push(c);
  const groups = perImage ? B : 1;
  if (groups === 0) return classes.map(() => 100 * empty);
  const per = (B * pixels) / groups;
  const inter = new Float64Array(C);
  const labelCount = new Float64Array(C);
  const predCount = new Float64Array(C);
  const sums = new Float64Array(C);
  for (let g = 0; g < groups; g++) {
    inter.fill(0);
    labelCount.fill(0);
    predCount.fill(0);
    for (let i = g * per; i < (g + 1) * per; i++) {
      const y = labels[i];
      if (y === ignore) continue;
      const p = preds[i];
      labelCount[y]++;
      // A prediction of the void label belongs to no class.
      if (p !== ignore) predCount[p]++;
      if (p === y) inter[y]++;
    }
    for (const c of classes) {
      const union = labelCount[c] + predCount[c] - inter[c];
      sums[c] += union === 0 ? empty : inter[c] / union;
    }
  }
  return classes.map((c) => (100 * sums[c]) / groups);
}
