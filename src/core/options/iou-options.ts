import { booleanOption, emptyOption, ignoreOption } from './common-options.js';
import type { OptionTable } from './option-spec.js';

/**
 * Options of `iou` (and of the `lovasz/tfjs` iou).
 *
 * @example
 * ```ts
 * import { iou } from 'lovasz';
 *
 * iou(preds, labels, [B, H, W], 21, { ignore: 255, perImage: true });
 * ```
 */
export interface IouOptions {
  /**
   * Score of a class whose union is empty, as a fraction (1 = 100%).
   * @default 1
   */
  empty?: number;
  /**
   * Label value of void pixels; null: none. It is left out of the result.
   * @default null
   */
  ignore?: number | null;
  /**
   * Mean over images of the per-image IoUs (true), or one IoU over the batch (false).
   * @default false
   */
  perImage?: boolean;
}

/**
 * Options of `iouBinary` (and of the `lovasz/tfjs` iouBinary).
 *
 * @example
 * ```ts
 * import { iouBinary } from 'lovasz';
 *
 * iouBinary(preds, labels, [B, H, W], { perImage: false, empty: 0 });
 * ```
 */
export interface IouBinaryOptions {
  /**
   * Score of an image whose union is empty (no foreground in its labels or its prediction),
   * as a fraction (1 = 100%): the convention of the original per-image code (EMPTY = 1),
   * right for per-image IoU, where such an image is predicted perfectly, but a trap when most
   * images have no foreground. A model that predicts background everywhere scores 100 on each
   * of them and 0 on the others, so on 5 empty images out of 8 its mean is 62.5 though it never
   * finds an object. Report the per-image mean next to `perImage: false` (one IoU over the
   * batch: 0 for that model), or use `empty: 0`, or ConfusionMatrix's fine-grained metrics,
   * which leave a class out of an image that lacks it.
   * @default 1
   */
  empty?: number;
  /**
   * Label value of void pixels; null: none.
   * @default null
   */
  ignore?: number | null;
  /**
   * Mean of per-image IoUs (true) or one IoU over the batch (false).
   * @default true
   */
  perImage?: boolean;
}

/** The options of `iou`. */
export const IOU_OPTIONS = {
  empty: emptyOption(1),
  ignore: ignoreOption(null),
  perImage: booleanOption('perImage', false),
} as const satisfies OptionTable;

/** The options of `iouBinary`. */
export const IOU_BINARY_OPTIONS = {
  empty: emptyOption(1),
  ignore: ignoreOption(null),
  perImage: booleanOption('perImage', true),
} as const satisfies OptionTable;
