import type { Reduction } from '../reduction.js';
import {
  booleanOption,
  enumOption,
  ignoreOption,
  type KernelChoice,
  kernelOption,
  outOption,
  reductionOption,
} from './common-options.js';
import type { OptionTable, ResolvedOptions } from './option-spec.js';

/**
 * The function f applied to the sorted errors of `lovaszHinge`: 'relu' is f(e) = max(e, 0)
 * (the paper's hinge), 'elu+1' is f(e) = elu(e) + 1 (e + 1 for e > 0, exp(e) otherwise).
 *
 * @example
 * ```ts
 * import { lovaszHinge } from 'lovasz';
 *
 * lovaszHinge(logits, labels, [B, H, W], { variant: 'elu+1' });
 * ```
 */
export type HingeVariant = 'relu' | 'elu+1';

/**
 * The implementation of `lovaszHinge`: 'auto', 'wasm' or 'js' (see
 * {@link LovaszHingeOptions.kernel}).
 *
 * @example
 * ```ts
 * import { lovaszHinge } from 'lovasz';
 *
 * lovaszHinge(logits, labels, [B, H, W], { kernel: 'js' });
 * ```
 */
export type HingeKernel = KernelChoice;

/**
 * Options of `lovaszHinge` (and of the `lovasz/tfjs` lovaszHinge and kerasLovaszHinge).
 * Every field is optional; the defaults give the paper's per-image Lovász hinge.
 *
 * @example
 * ```ts
 * const options: LovaszHingeOptions = { perImage: false, ignore: 255, variant: 'elu+1' };
 * ```
 */
export interface LovaszHingeOptions {
  /**
   * Average the loss of each image (true; an image with no valid pixel scores 0 and still
   * counts) or compute one loss over the batch (false).
   * @default true
   */
  perImage?: boolean;
  /**
   * Label value of void pixels, which take no part in the loss; null: none.
   * @default null
   */
  ignore?: number | null;
  /**
   * The function of the sorted errors: 'relu' (the paper's hinge, f(e) = max(e, 0)) or
   * 'elu+1' (f(e) = e + 1 for e > 0, exp(e) otherwise: smooth and positive, so every pixel
   * takes part).
   * @default 'relu'
   */
  variant?: HingeVariant;
  /**
   * The symmetric hinge: the mean of the loss and of the loss of the flipped problem
   * (-logits against 1 - labels), which treats background as a class of its own.
   * @default false
   */
  symmetric?: boolean;
  /**
   * 'mean', 'sum', or 'none' (one loss per image with perImage, else one).
   * @default 'mean'
   */
  reduction?: Reduction;
  /**
   * Which implementation computes the default hinge (variant 'relu', not symmetric):
   * 'auto' takes the WebAssembly kernel when WebAssembly is available and the `ignore` label
   * is an int32, else the JavaScript one; 'wasm' requires the WebAssembly kernel and throws
   * when it cannot run; 'js' always takes the JavaScript one. Both return the same bits; the
   * WebAssembly kernel is about 2.5x faster. The other variants always run in JavaScript.
   * @default 'auto'
   */
  kernel?: HingeKernel;
}

/** The options of `lovaszHinge`: the table every entry point resolves them from. */
export const HINGE_OPTIONS = {
  perImage: booleanOption('perImage', true),
  ignore: ignoreOption(null),
  variant: enumOption<HingeVariant>('variant', ['relu', 'elu+1'], 'relu'),
  symmetric: booleanOption('symmetric', false),
  reduction: reductionOption,
  kernel: kernelOption,
  out: outOption,
} as const satisfies OptionTable;

/** Resolved options of `lovaszHinge`. */
export type HingeResolved = ResolvedOptions<typeof HINGE_OPTIONS>;
