import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { checkLayout, option } from '../core/check.js';
import { xloss as coreXloss, type XlossOptions } from '../core/xloss.js';
import { rejectOut } from './core-only.js';
import { lossOp, perPixelItems } from './loss-op.js';
import { labelShapeOf } from './lovasz-softmax.js';
import { checkRank, checkShapeIs, checkTensor, valuesOf } from './tensor-input.js';

/**
 * Softmax cross-entropy from logits, mean over valid pixels, as a differentiable tf.Scalar:
 * logsumexp(x) - x_y per pixel; gradient (softmax(x) - onehot(y)) / n.
 *
 * Shapes: logits [B, H, W, C] (layout 'NHWC', default) or [B, C, H, W] ('NCHW'); labels
 * [B, H, W], integers in [0, C) or `ignore`. Returns a tf.Scalar, or with reduction 'none'
 * the per-pixel losses [B, H, W] (0 where void). Defaults: ignore 255, layout 'NHWC',
 * reduction 'mean'.
 * @example
 * ```ts
 * const loss = xloss(logits, labels);
 * ```
 */
export function xloss(
  logits: Tensor,
  labels: Tensor,
  options?: XlossOptions & { reduction?: 'mean' | 'sum' },
): Scalar;
export function xloss(
  logits: Tensor,
  labels: Tensor,
  options: XlossOptions & { reduction: 'none' },
): Tensor;
export function xloss(logits: Tensor, labels: Tensor, options: XlossOptions = {}): Tensor {
  const fn = 'xloss';
  rejectOut(fn, options);
  checkTensor(fn, 'logits', logits);
  checkTensor(fn, 'labels', labels);
  checkRank(fn, 'logits', logits, [4], '[B, H, W, C] or [B, C, H, W]');
  const layout = checkLayout(fn, option(options?.layout, 'NHWC'));
  checkShapeIs(
    fn,
    'labels',
    labels,
    labelShapeOf(logits.shape, layout),
    `[B, H, W] of 'logits' (${layout})`,
  );
  const y = valuesOf(labels);
  const items =
    options?.reduction === 'none'
      ? perPixelItems(labelShapeOf(logits.shape, layout), layout === 'NCHW' ? 1 : 3)
      : undefined;
  return lossOp(logits, (x) => coreXloss(x, y, logits.shape, options), items);
}
