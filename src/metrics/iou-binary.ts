import {
  checkArray,
  checkBoolean,
  checkEmpty,
  checkIgnore,
  checkLabels,
  checkLength,
  checkOptionKeys,
  checkShape,
  formatShape,
  type NumericArray,
  option,
} from '../core/check.js';

/**
 * Options of {@link iouBinary} (and of the `lovasz/tfjs` iouBinary).
 *
 * @example
 * ```ts
 * iouBinary(preds, labels, [B, H, W], { perImage: false, empty: 0 });
 * ```
 */
export interface IouBinaryOptions {
  /**
   * Score of an image whose union is empty (no foreground in its labels or its prediction),
   * as a fraction (1 = 100%). Default 1, the convention of the original per-image code
   * (EMPTY = 1): right for per-image IoU, where such an image is predicted perfectly, but a
   * trap when most images have no foreground. A model that predicts background everywhere
   * scores 100 on each of them and 0 on the others, so on 5 empty images out of 8 its mean is
   * 62.5 though it never finds an object. Report the per-image mean next to `perImage: false`
   * (one IoU over the batch: 0 for that model), or use `empty: 0`, or ConfusionMatrix's
   * fine-grained metrics, which leave a class out of an image that lacks it.
   */
  empty?: number;
  /** Label value of void pixels; null (default): none. */
  ignore?: number | null;
  /** Mean of per-image IoUs (true, default) or one IoU over the batch (false). */
  perImage?: boolean;
}

/**
 * Foreground intersection-over-union of binary masks, in percent.
 *
 * intersection = #(label == 1 and pred == 1), union = #(label == 1 or (pred == 1 and label is
 * not `ignore`)); IoU = intersection / union, or `empty` when the union is empty. Counts are
 * exact integers. With perImage the result is the mean of the per-image IoUs (a batch of zero
 * images scores `empty`).
 *
 * Shapes: preds [B, H, W] of 0 and 1, labels [B, H, W] of 0, 1 or `ignore`; `shape` = [B, H, W].
 * Defaults: empty 1, ignore null, perImage true.
 * @example
 * ```ts
 * iouBinary([1, 1, 0, 0], [1, 0, 0, 1], [1, 2, 2]) // 33.33... (1 / 3)
 * ```
 */
export function iouBinary(
  preds: NumericArray,
  labels: NumericArray,
  shape: readonly number[],
  options: IouBinaryOptions = {},
): number {
  const fn = 'iouBinary';
  checkOptionKeys(fn, options, ['empty', 'ignore', 'perImage']);
  const empty = checkEmpty(fn, option(options?.empty, 1));
  const ignore = checkIgnore(fn, options.ignore ?? null);
  const perImage = checkBoolean(fn, 'perImage', option(options?.perImage, true));
  checkArray(fn, 'preds', preds);
  checkArray(fn, 'labels', labels);
  const [B, H, W] = checkShape(fn, 'shape', shape, [3], '[B, H, W]');
  checkLength(fn, 'preds', preds, B * H * W, `shape ${formatShape(shape)}`);
  checkLength(fn, 'labels', labels, B * H * W, `shape ${formatShape(shape)}`);
  checkLabels(fn, 'preds', preds, 2, null, '0 or 1');
  checkLabels(fn, 'labels', labels, 2, ignore, '0 or 1');
  const groups = perImage ? B : 1;
  if (groups === 0) return 100 * empty;
  const per = (B * H * W) / groups;
  let sum = 0;
  for (let g = 0; g < groups; g++) {
    let inter = 0;
    let union = 0;
    for (let i = g * per; i < (g + 1) * per; i++) {
      const y = labels[i];
      if (y === ignore) continue;
      const p = preds[i];
      if (y === 1) {
        union++;
        if (p === 1) inter++;
      } else if (p === 1) {
        union++;
      }
    }
    sum += union === 0 ? empty : inter / union;
  }
  return (100 * sum) / groups;
}
