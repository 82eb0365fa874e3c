import type { Scalar, Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { checkLayout, option } from '../core/check.js';
import {
  lovaszMultilabel as coreMultilabel,
  type LovaszMultilabelOptions,
} from '../core/multilabel.js';
import { rejectOut } from './core-only.js';
import { lossOp, perClassItems, perImageItems } from './loss-op.js';
import { checkRank, checkShapeIs, checkTensor, valuesOf } from './tensor-input.js';

/**
 * Multilabel Lovász loss, as a differentiable tf.Scalar: one Lovász-Sigmoid loss per channel
 * (fg = target == 1, e = |fg - p_c|), then the mean over the channels considered.
 *
 * Shapes: probas (or logits with fromLogits) and targets [B, H, W, C] ('NHWC', default) or
 * [B, C, H, W] ('NCHW'), targets 0, 1 or `ignore`. Defaults: classes 'present', perImage
 * false, ignore null, layout 'NHWC', fromLogits false, classWeights null, reduction 'mean'.
 * @example
 * ```ts
 * const loss = lovaszMultilabel(logits, targets, { fromLogits: true });
 * ```
 */
export function lovaszMultilabel(
  probas: Tensor,
  targets: Tensor,
  options?: LovaszMultilabelOptions & { reduction?: 'mean' | 'sum' },
): Scalar;
export function lovaszMultilabel(
  probas: Tensor,
  targets: Tensor,
  options: LovaszMultilabelOptions & { reduction: 'none' },
): Tensor1D;
export function lovaszMultilabel(
  probas: Tensor,
  targets: Tensor,
  options: LovaszMultilabelOptions = {},
): Tensor {
  const fn = 'lovaszMultilabel';
  rejectOut(fn, options);
  checkTensor(fn, 'probas', probas);
  checkTensor(fn, 'targets', targets);
  checkRank(fn, 'probas', probas, [4], '[B, H, W, C] or [B, C, H, W]');
  checkShapeIs(fn, 'targets', targets, probas.shape, "the shape of 'probas'");
  const layout = checkLayout(fn, option(options?.layout, 'NHWC'));
  const y = valuesOf(targets);
  const axis = layout === 'NCHW' ? 1 : 3;
  const items =
    options?.reduction !== 'none'
      ? undefined
      : options.perImage
        ? perImageItems(4)
        : perClassItems(4, axis, probas.shape[axis] as number);
  return lossOp(probas, (x) => coreMultilabel(x, y, probas.shape, options), items);
}
