import {
  checkArray,
  checkBoolean,
  checkEmpty,
  checkIgnore,
  checkLabels,
  checkLength,
  checkNumClasses,
  checkOptionKeys,
  checkShape,
  formatShape,
  type NumericArray,
  option,
} from '../core/check.js';

/**
 * Options of {@link iou} (and of the `lovasz/tfjs` iou).
 *
 * @example
 * ```ts
 * iou(preds, labels, [B, H, W], 21, { ignore: 255, perImage: true });
 * ```
 */
export interface IouOptions {
  /** Score of a class whose union is empty, as a fraction (1 = 100%). Default 1. */
  empty?: number;
  /** Label value of void pixels; null (default): none. It is left out of the result. */
  ignore?: number | null;
  /** Mean over images of the per-image IoUs (true), or one IoU over the batch (false, default). */
  perImage?: boolean;
}

/**
 * Per-class intersection-over-union of label masks, in percent.
 *
 * For each class c in [0, numClasses) other than `ignore`: intersection = #(label == c and
 * pred == c), union = #(label == c or (pred == c and label is not `ignore`)); IoU =
 * intersection / union, or `empty` when the union is empty. Counts are exact integers. With
 * perImage each entry is the mean over images (a batch of zero images scores `empty`).
 * The mean IoU is the mean of the returned entries.
 *
 * Shapes: preds and labels [B, H, W] (`shape`), integers in [0, numClasses) or `ignore`
 * (a model may predict the void label; it then counts as no class). Returns number[] with one
 * entry per class other than `ignore`, in class order. Defaults: empty 1, ignore null,
 * perImage false.
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
  checkOptionKeys(fn, options, ['empty', 'ignore', 'perImage']);
  const C = checkNumClasses(fn, numClasses);
  const empty = checkEmpty(fn, option(options?.empty, 1));
  const ignore = checkIgnore(fn, options.ignore ?? null);
  const perImage = checkBoolean(fn, 'perImage', option(options?.perImage, false));
  checkArray(fn, 'preds', preds);
  checkArray(fn, 'labels', labels);
  const [B, H, W] = checkShape(fn, 'shape', shape, [3], '[B, H, W]');
  checkLength(fn, 'preds', preds, B * H * W, `shape ${formatShape(shape)}`);
  checkLength(fn, 'labels', labels, B * H * W, `shape ${formatShape(shape)}`);
  checkLabels(fn, 'preds', preds, C, ignore);
  checkLabels(fn, 'labels', labels, C, ignore);
  const classes: number[] = [];
  for (let c = 0; c < C; c++) if (c !== ignore) classes.push(c);
  const groups = perImage ? B : 1;
  if (groups === 0) return classes.map(() => 100 * empty);
  const per = (B * H * W) / groups;
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
