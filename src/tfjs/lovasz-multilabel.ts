import type { Scalar, Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { channelInput } from '../core/geometry.js';
import { multilabelResolved } from '../core/multilabel.js';
import { resolveOptions } from '../core/options/option-spec.js';
import type { LovaszMultilabelOptions } from '../core/options/softmax-options.js';
import { lossOp, lovaszItems } from './loss-op.js';
import { rejectOut } from './reject-out.js';
import { checkShapeIs, checkTensor, valuesOf } from './tensor-input.js';
import { TFJS_MULTILABEL_OPTIONS } from './tfjs-options.js';

/**
 * Multilabel Lovász loss, as a differentiable tf.Scalar: one Lovász-Sigmoid loss per channel
 * (fg = target == 1, e = |fg - p_c|), then the mean over the channels considered.
 *
 * Shapes: probas (or logits with fromLogits) and targets `[B, ...spatial, C]` ('NHWC',
 * default) or `[B, C, ...spatial]` ('NCHW'), any number of spatial axes (at least one),
 * targets 0, 1 or `ignore`. Options: {@link LovaszMultilabelOptions}.
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
  const opts = resolveOptions(fn, TFJS_MULTILABEL_OPTIONS, options);
  const geo = channelInput(fn, 'probas', 'probas', probas.shape, opts.layout);
  checkShapeIs(fn, 'targets', targets, probas.shape, "the shape of 'probas'");
  const y = valuesOf(targets);
  const resolved = { ...opts, out: null };
  const items = lovaszItems(probas, geo, opts);
  return lossOp(probas, (x) => multilabelResolved(fn, x, y, geo, resolved), items);
}
