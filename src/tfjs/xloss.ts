import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { spatialShape } from '../core/geometry.js';
import { resolveOptions } from '../core/options/option-spec.js';
import type { XlossOptions } from '../core/options/xloss-options.js';
import { xlossResolved } from '../core/xloss.js';
import { lossOp, perPixelItems } from './loss-op.js';
import { choosePath, type PathOption } from './path.js';
import { rejectOut } from './reject-out.js';
import { channelTensors } from './tensor-geometry.js';
import { checkTensor } from './tensor-input.js';
import { xlossOnDevice } from './tensor-path/xloss.js';
import { TFJS_XLOSS_OPTIONS } from './tfjs-options.js';

/**
 * Softmax cross-entropy from logits, mean over valid pixels, as a differentiable tf.Scalar:
 * logsumexp(x) - x_y per pixel; gradient (softmax(x) - onehot(y)) / n.
 *
 * Shapes: logits `[B, ...spatial, C]` (layout 'NHWC', default) or `[B, C, ...spatial]`
 * ('NCHW'), any number of spatial axes (at least one); labels `[B, ...spatial]` (or with a
 * trailing 1), integers in [0, C) or `ignore`. Returns a tf.Scalar, or with reduction 'none'
 * the per-pixel losses in the labels' shape (0 where void). Options: {@link XlossOptions},
 * {@link PathOption}
 * (ignore null: pass 255 for the original code's ignore_index).
 * @example
 * ```ts
 * import { xloss } from 'lovasz/tfjs';
 *
 * const loss = xloss(logits, labels, { ignore: 255 });
 * ```
 */
export function xloss(
  logits: Tensor,
  labels: Tensor,
  options?: XlossOptions & PathOption & { reduction?: 'mean' | 'sum' },
): Scalar;
export function xloss(
  logits: Tensor,
  labels: Tensor,
  options: XlossOptions & PathOption & { reduction: 'none' },
): Tensor;
// A reduction known only at run time: a scalar, or the 'none' losses.
export function xloss(logits: Tensor, labels: Tensor, options?: XlossOptions & PathOption): Tensor;
export function xloss(
  logits: Tensor,
  labels: Tensor,
  options: XlossOptions & PathOption = {},
): Tensor {
  const fn = 'xloss';
  rejectOut(fn, options);
  checkTensor(fn, 'logits', logits);
  checkTensor(fn, 'labels', labels);
  const opts = resolveOptions(fn, TFJS_XLOSS_OPTIONS, options);
  const geo = channelTensors(fn, 'logits', logits, labels, opts.layout);
  const { path: _, ...resolved } = opts;
  if (choosePath(fn, opts.path) === 'tensor' && logits.size > 0) {
    return xlossOnDevice(logits, labels, { ...resolved, geo });
  }
  const core = { ...resolved, out: null };
  const items =
    opts.reduction === 'none'
      ? perPixelItems(
          labels.shape,
          spatialShape(logits.shape, geo, false),
          geo.nchw ? 1 : logits.rank - 1,
        )
      : undefined;
  return lossOp(
    logits,
    labels,
    (x, y, out) => xlossResolved(fn, x, y, geo, { ...core, out }),
    items,
  );
}
