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
   * as a fraction (1 = 100%). The original code's convention (EMPTY = 1) rewards an image
   * without foreground predicted as all background with a perfect score: on a set where most
   * images have no foreground, an all-background prediction then scores high (62.5 when 5 of
   * 8 images are empty). Pass 0 to score such images 0, or perImage false for one IoU over
   * the batch, which has no such trap.
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
