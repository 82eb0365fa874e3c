import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { lovaszHinge as coreHinge, type LovaszHingeOptions } from '../core/hinge.js';
import { lossOp } from './loss-op.js';
import { choosePath, type PathOption } from './path.js';
import { checkRank, checkShapeIs, checkTensor, valuesOf } from './tensor-input.js';
import { lovaszHingeTensor } from './tensor-path/hinge.js';

/**
 * Lovász hinge loss for binary segmentation, from logits, as a differentiable tf.Scalar.
 *
 * With s = 2y - 1 and errors e = 1 - s * logit, the loss is sum_i relu(e_pi(i)) * d_i, pi
 * ordering the errors decreasingly and d the Lovász gradient of the Jaccard loss (see the core
 * `lovaszHinge`); d loss / d logit = -s * d * [e > 0]. Differentiable w.r.t. `logits` with
 * tf.grad, tf.valueAndGrad and optimizer.minimize.
 *
 * Shapes: logits [B, H, W] (float32), labels [B, H, W] (int32 or integer float32) with values
 * 0, 1 or `ignore`. Defaults: perImage true, ignore null, path 'auto'.
 *
 * `path` chooses where it runs: 'core' downloads the tensors once per call and runs the exact
 * typed-array core; 'tensor' stays on the backend (tf.topk, tf.cumsum, tf.scatterND; see
 * `lovaszHingeTensor`: it checks the options and shapes but does not scan the values); 'auto'
 * takes 'tensor' on webgl and webgpu, else 'core'.
 * @example
 *   const loss = lovaszHinge(logits, labels, { ignore: 255 });
 *   const onGpu = lovaszHinge(logits, labels, { ignore: 255, path: 'tensor' });
 */
export function lovaszHinge(
  logits: Tensor,
  labels: Tensor,
  options: LovaszHingeOptions & PathOption = {},
): Scalar {
  const fn = 'lovaszHinge';
  checkTensor(fn, 'logits', logits);
  checkTensor(fn, 'labels', labels);
  checkRank(fn, 'logits', logits, [3], '[B, H, W]');
  checkShapeIs(fn, 'labels', labels, logits.shape, "the shape of 'logits'");
  const { path, options: rest } = choosePath<LovaszHingeOptions>(fn, options);
  // An empty input has nothing to download: the core handles it.
  if (path === 'tensor' && logits.size > 0) return lovaszHingeTensor(logits, labels, rest);
  const y = valuesOf(labels);
  return lossOp(logits, (x) => coreHinge(x, y, logits.shape, rest));
}
