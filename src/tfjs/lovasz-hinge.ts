import type { Scalar, Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { lovaszHinge as coreHinge, type LovaszHingeOptions } from '../core/hinge.js';
import { coreOnly, rejectOut } from './core-only.js';
import { lossOp, perImageItems } from './loss-op.js';
import { choosePath, type PathOption } from './path.js';
import { checkRank, checkShapeIs, checkTensor, valuesOf } from './tensor-input.js';
import { lovaszHingeTensor } from './tensor-path/hinge.js';

/** Options the tensor path does not compute (their plain values are fine). */
const HINGE_CORE_ONLY = { variant: 'relu', symmetric: false, reduction: 'mean', kernel: 'auto' };

/**
 * Lovász hinge loss for binary segmentation, from logits, as a differentiable tf.Scalar.
 *
 * With s = 2y - 1 and errors e = 1 - s * logit, the loss is sum_i relu(e_pi(i)) * d_i, pi
 * ordering the errors decreasingly and d the Lovász gradient of the Jaccard loss (see the core
 * `lovaszHinge`); d loss / d logit = -s * d * [e > 0]. Differentiable w.r.t. `logits` with
 * tf.grad, tf.valueAndGrad and optimizer.minimize.
 *
 * Shapes: logits [B, H, W] (float32), labels [B, H, W] (int32 or integer float32) with values
 * 0, 1 or `ignore`. Returns a tf.Scalar, or with reduction 'none' a tf.Tensor1D of one loss
 * per image ([B] with perImage, else [1]). Defaults: perImage true, ignore null, variant
 * 'relu', symmetric false, reduction 'mean', kernel 'auto', path 'auto' (variant, symmetric,
 * a reduction other than 'mean' and a kernel other than 'auto' are computed on the core path
 * only; kernel picks the core's WebAssembly or JavaScript implementation).
 *
 * `path` chooses where it runs: 'core' downloads the tensors once per call and runs the exact
 * typed-array core; 'tensor' stays on the backend (tf.topk, tf.cumsum, tf.scatterND; see
 * `lovaszHingeTensor`: it checks the options and shapes but does not scan the values); 'auto'
 * takes 'tensor' on webgl and webgpu, else 'core'.
 * @example
 * ```ts
 * const loss = lovaszHinge(logits, labels, { ignore: 255 });
 * const onGpu = lovaszHinge(logits, labels, { ignore: 255, path: 'tensor' });
 * ```
 */
export function lovaszHinge(
  logits: Tensor,
  labels: Tensor,
  options?: LovaszHingeOptions & PathOption & { reduction?: 'mean' | 'sum' },
): Scalar;
export function lovaszHinge(
  logits: Tensor,
  labels: Tensor,
  options: LovaszHingeOptions & PathOption & { reduction: 'none' },
): Tensor1D;
export function lovaszHinge(
  logits: Tensor,
  labels: Tensor,
  options: LovaszHingeOptions & PathOption = {},
): Tensor {
  const fn = 'lovaszHinge';
  checkTensor(fn, 'logits', logits);
  checkTensor(fn, 'labels', labels);
  checkRank(fn, 'logits', logits, [3], '[B, H, W]');
  checkShapeIs(fn, 'labels', labels, logits.shape, "the shape of 'logits'");
  rejectOut(fn, options);
  const chosen = choosePath<LovaszHingeOptions>(fn, options);
  const rest = chosen.options;
  // The core checks the options' values on an empty batch (nothing read) before coreOnly
  // judges which path they allow, so a wrong value gets the core's message on either path.
  if (chosen.path === 'tensor')
    coreHinge(new Float32Array(0), [], [0, ...logits.shape.slice(1)], rest);
  const path = coreOnly(fn, chosen.path, options?.path === 'tensor', { ...rest }, HINGE_CORE_ONLY);
  // An empty input has nothing to download: the core handles it.
  if (path === 'tensor' && logits.size > 0) return lovaszHingeTensor(logits, labels, rest);
  const y = valuesOf(labels);
  const items = rest?.reduction === 'none' ? perImageItems(3) : undefined;
  return lossOp(logits, (x) => coreHinge(x, y, logits.shape, rest), items);
}
