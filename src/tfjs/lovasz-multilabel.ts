import type { Scalar, Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { channelInput } from '../core/geometry.js';
import { multilabelResolved } from '../core/multilabel.js';
import { checkClassesFit, checkWeightsFit } from '../core/options/common-options.js';
import { resolveOptions } from '../core/options/option-spec.js';
import type { LovaszMultilabelOptions } from '../core/options/softmax-options.js';
import { lossOp, lovaszItems } from './loss-op.js';
import { choosePath, kernelNeedsCore, type PathOption } from './path.js';
import { rejectOut } from './reject-out.js';
import { checkShapeIs, checkTensor } from './tensor-input.js';
import { lovaszMultilabelOnDevice } from './tensor-path/multilabel.js';
import { TFJS_MULTILABEL_OPTIONS } from './tfjs-options.js';

/**
 * Multilabel Lovász loss, as a differentiable tf.Scalar: one Lovász-Sigmoid loss per channel
 * (fg = target == 1, e = |fg - p_c|), then the mean over the channels considered.
 *
 * Shapes: probas (or logits with fromLogits) and targets `[B, ...spatial, C]` ('NHWC',
 * default) or `[B, C, ...spatial]` ('NCHW'), any number of spatial axes (at least one),
 * targets 0, 1 or `ignore`. Options: {@link LovaszMultilabelOptions} and {@link PathOption}.
 * @example
 * ```ts
 * import { lovaszMultilabel } from 'lovasz/tfjs';
 *
 * const loss = lovaszMultilabel(logits, targets, { fromLogits: true });
 * ```
 */
export function lovaszMultilabel(
  probas: Tensor,
  targets: Tensor,
  options?: LovaszMultilabelOptions & PathOption & { reduction?: 'mean' | 'sum' },
): Scalar;
export function lovaszMultilabel(
  probas: Tensor,
  targets: Tensor,
  options: LovaszMultilabelOptions & PathOption & { reduction: 'none' },
): Tensor1D;
// A reduction known only at run time: a scalar, or the 'none' losses.
export function lovaszMultilabel(
  probas: Tensor,
  targets: Tensor,
  options?: LovaszMultilabelOptions & PathOption,
): Tensor;
export function lovaszMultilabel(
  probas: Tensor,
  targets: Tensor,
  options: LovaszMultilabelOptions & PathOption = {},
): Tensor {
  const fn = 'lovaszMultilabel';
  rejectOut(fn, options);
  checkTensor(fn, 'probas', probas);
  checkTensor(fn, 'targets', targets);
  const opts = resolveOptions(fn, TFJS_MULTILABEL_OPTIONS, options);
  const geo = channelInput(fn, 'probas', 'probas', probas.shape, opts.layout);
  checkShapeIs(fn, 'targets', targets, probas.shape, "the shape of 'probas'");
  const { path: _, kernel, ...resolved } = opts;
  checkClassesFit(fn, opts.classes, geo.channels);
  checkWeightsFit(fn, opts.classWeights, geo.channels);
  if (choosePath(fn, opts.path, kernelNeedsCore(kernel)) === 'tensor' && probas.size > 0) {
    return lovaszMultilabelOnDevice(probas, targets, { ...resolved, geo });
  }
  const core = { ...resolved, kernel, out: null };
  const items = lovaszItems(probas, geo, opts);
  return lossOp(
    probas,
    targets,
    (x, y, out) => multilabelResolved(fn, x, y, geo, { ...core, out }),
    items,
  );
}
