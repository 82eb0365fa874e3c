import type { Layout } from '../geometry.js';
import type { Reduction } from '../reduction.js';
import { ignoreOption, layoutOption, outOption, reductionOption } from './common-options.js';
import type { OptionTable, ResolvedOptions } from './option-spec.js';

/**
 * Options of `xloss` (and of the `lovasz/tfjs` xloss).
 *
 * @example
 * ```ts
 * import { xloss } from 'lovasz';
 *
 * xloss(logits, labels, [B, C, H, W], { layout: 'NCHW', ignore: 255 });
 * ```
 */
export interface XlossOptions {
  /**
   * Label value of void pixels; null: none (as every loss of this library; pass 255 for
   * PyTorch's ignore_index convention of the original code).
   * @default null
   */
  ignore?: number | null;
  /**
   * 'NHWC' (`[B, ...spatial, C]`) or 'NCHW' (`[B, C, ...spatial]`).
   * @default 'NHWC'
   */
  layout?: Layout;
  /**
   * 'mean' over valid pixels, 'sum', or 'none' (one loss per pixel `[B, ...spatial]`, 0 where
   * void).
   * @default 'mean'
   */
  reduction?: Reduction;
}

/**
 * Options of `binaryXloss`.
 *
 * @example
 * ```ts
 * import { binaryXloss } from 'lovasz';
 *
 * binaryXloss(logits, labels, { ignore: 255, reduction: 'sum' });
 * ```
 */
export interface BinaryXlossOptions {
  /**
   * Label value of void pixels; null: none.
   * @default null
   */
  ignore?: number | null;
  /**
   * 'mean' over valid pixels, 'sum', or 'none' (one loss per pixel, 0 where void).
   * @default 'mean'
   */
  reduction?: Reduction;
}

/** The options of `xloss`. */
export const XLOSS_OPTIONS = {
  ignore: ignoreOption(null),
  layout: layoutOption,
  reduction: reductionOption,
  out: outOption,
} as const satisfies OptionTable;

/** The options of `binaryXloss`. */
export const BINARY_XLOSS_OPTIONS = {
  ignore: ignoreOption(null),
  reduction: reductionOption,
  out: outOption,
} as const satisfies OptionTable;

/** Resolved options of `xloss`. */
export type XlossResolved = ResolvedOptions<typeof XLOSS_OPTIONS>;
/** Resolved options of `binaryXloss`. */
export type BinaryXlossResolved = ResolvedOptions<typeof BINARY_XLOSS_OPTIONS>;
