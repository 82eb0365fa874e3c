import { checkArray, checkLabels, checkLength, type NumericArray } from '../core/check.js';
import { formatShape, pixelGeometry } from '../core/geometry.js';
import { IOU_BINARY_OPTIONS, type IouBinaryOptions } from '../core/options/iou-options.js';
import { resolveOptions } from '../core/options/option-spec.js';

/**
 * Foreground intersection-over-union of binary masks, in percent.
 *
 * intersection = #(label == 1 and pred == 1), union = #(label == 1 or (pred == 1 and label is
 * not `ignore`)); IoU = intersection / union, or `empty` when the union is empty. Counts are
 * exact integers. With perImage the result is the mean of the per-image IoUs (a batch of zero
 * images scores `empty`).
 *
 * Shapes: preds `[B, ...spatial]` of 0 and 1, labels of the same shape with 0, 1 or `ignore`;
 * `shape` is that shape (any number of spatial axes, at least one). Options:
 * {@link IouBinaryOptions}; mind its `empty` with perImage on images without foreground.
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
  const { empty, ignore, perImage } = resolveOptions(fn, IOU_BINARY_OPTIONS, options);
  checkArray(fn, 'preds', preds);
  checkArray(fn, 'labels', labels);
  const { batch: B, pixels } = pixelGeometry(fn, 'shape', shape);
  checkLength(fn, 'preds', preds, B * pixels, `shape ${formatShape(shape)}`);
  checkLength(fn, 'labels', labels, B * pixels, `shape ${formatShape(shape)}`);
  checkLabels(fn, 'preds', preds, 2, null, '0 or 1', false);
  checkLabels(fn, 'labels', labels, 2, ignore, '0 or 1');
  const groups = perImage ? B : 1;
  if (groups === 0) return 100 * empty;
  const per = (B * pixels) / groups;
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
