import type { Scalar, Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { hingeResolved } from '../core/hinge.js';
import type { LovaszHingeOptions } from '../core/options/hinge-options.js';
import { resolveOptions } from '../core/options/option-spec.js';
import { lossOp, perImageItems } from './loss-op.js';
import { choosePath, kernelNeedsCore, type PathOption } from './path.js';
import { rejectOut } from './reject-out.js';
import { pixelTensors } from './tensor-geometry.js';
import { checkTensor } from './tensor-input.js';
import { lovaszHingeOnDevice } from './tensor-path/hinge.js';
import { TFJS_HINGE_OPTIONS } from './tfjs-options.js';

/**
 * Lovász hinge loss for binary segmentation, from logits, as a differentiable tf.Scalar.
 *
 * With s = 2y - 1 and errors e = 1 - s * logit, the loss is sum_i relu(e_pi(i)) * d_i, pi
 * ordering the errors decreasingly and d the Lovász gradient of the Jaccard loss (see the core
 * `lovaszHinge`); d loss / d logit = -s * d * [e > 0]. Differentiable w.r.t. `logits` with
 * tf.grad, tf.valueAndGrad and optimizer.minimize.
 *
 * Shapes: logits `[B, ...spatial]` (float32; any number of spatial axes, at least one), labels
 * of the same shape or with a trailing 1 (int32 or integer float32), values 0, 1 or `ignore`.
 * Returns a tf.Scalar, or with reduction 'none' a tf.Tensor1D of one loss per image ([B] with
 * perImage, else [1]). Options: {@link LovaszHingeOptions} and {@link PathOption} (every
 * option runs on either path; `kernel` picks the core's WebAssembly or JavaScript
 * implementation, so a kernel other than 'auto' takes the core path).
 *
 * `path` chooses where it runs: 'core' downloads the tensors once per call and runs the exact
 * typed-array core; 'tensor' stays on the backend (tf.topk, tf.cumsum, tf.scatterND: the
 * options and shapes are checked, the values are not scanned, which would need a download);
 * 'auto' takes 'tensor' on webgl and webgpu, else 'core'.
 * @example
 * ```ts
 * import { lovaszHinge } from 'lovasz/tfjs';
 *
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
// A reduction known only at run time: a scalar, or the 'none' losses.
export function lovaszHinge(
  logits: Tensor,
  labels: Tensor,
  options?: LovaszHingeOptions & PathOption,
): Tensor;
export function lovaszHinge(
  logits: Tensor,
  labels: Tensor,
  options: LovaszHingeOptions & PathOption = {},
): Tensor {
  const fn = 'lovaszHinge';
  checkTensor(fn, 'logits', logits);
  checkTensor(fn, 'labels', labels);
  rejectOut(fn, options);
  const opts = resolveOptions(fn, TFJS_HINGE_OPTIONS, options);
  const geo = pixelTensors(fn, 'logits', logits, labels);
  const { path: _, kernel, ...resolved } = opts;
  // An empty input has nothing to download: the core handles it.
  if (choosePath(fn, opts.path, kernelNeedsCore(kernel)) === 'tensor' && logits.size > 0) {
    return lovaszHingeOnDevice(logits, labels, { ...resolved, geo });
  }
  const items = opts.reduction === 'none' ? perImageItems(logits.rank) : undefined;
  const core = { ...resolved, kernel, out: null };
  return lossOp(
    logits,
    labels,
    (x, y, out) => hingeResolved(fn, x, y, geo, { ...core, out }),
    items,
  );
}
