import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { checkLayout, option } from '../core/check.js';
import { lovaszSoftmax as coreSoftmax, type LovaszSoftmaxOptions } from '../core/softmax.js';
import { lossOp } from './loss-op.js';
import { checkRank, checkShapeIs, checkTensor, valuesOf } from './tensor-input.js';

/** The [B, H, W] shape the labels of a probability tensor must have. */
export function labelShapeOf(shape: readonly number[], layout: unknown): number[] {
  if (shape.length === 3) return [...shape];
  return layout === 'NCHW' ? [shape[0], shape[2], shape[3]] : [shape[0], shape[1], shape[2]];
}

/**
 * Lovász-Softmax loss (and Lovász-Sigmoid) from probabilities, as a differentiable tf.Scalar.
 *
 * For each class c considered, fg = (label == c), e = |fg - p_c|, and the class loss is
 * sum_i e_pi(i) * d_i (pi orders e decreasingly, d is the Lovász gradient of fg in that order);
 * the loss is the mean over the classes considered (and over images with perImage).
 * Differentiable w.r.t. `probas`.
 *
 * Shapes: probas [B, H, W, C] (layout 'NHWC', default), [B, C, H, W] (layout 'NCHW'), or
 * [B, H, W] sigmoid probabilities (Lovász-Sigmoid: pass classes [1]); labels [B, H, W].
 * Defaults: classes 'present', perImage false, ignore null, layout 'NHWC'.
 * @example
 *   const loss = lovaszSoftmax(tf.softmax(logits), labels, { ignore: 255 });
 */
export function lovaszSoftmax(
  probas: Tensor,
  labels: Tensor,
  options: LovaszSoftmaxOptions = {},
): Scalar {
  const fn = 'lovaszSoftmax';
  checkTensor(fn, 'probas', probas);
  checkTensor(fn, 'labels', labels);
  checkRank(fn, 'probas', probas, [3, 4], '[B, H, W, C], [B, C, H, W] or [B, H, W]');
  const layout = checkLayout(fn, option(options?.layout, 'NHWC'));
  checkShapeIs(
    fn,
    'labels',
    labels,
    labelShapeOf(probas.shape, layout),
    `[B, H, W] of 'probas' (${probas.rank === 3 ? 'sigmoid' : layout})`,
  );
  const y = valuesOf(labels);
  return lossOp(probas, (x) => coreSoftmax(x, y, probas.shape, options));
}
