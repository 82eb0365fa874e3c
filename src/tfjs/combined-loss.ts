import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { combinedLoss as coreCombined, type LossTerm } from '../core/combined-loss.js';
import { lossOp } from './loss-op.js';
import { checkTensor } from './tensor-input.js';

/**
 * A weighted sum of losses of one input, as one differentiable tf.Scalar: sum_i w_i L_i(x),
 * gradient sum_i w_i dL_i/dx, computed in one customGrad (so it needs no registered gradient
 * for tf.add or tf.mul, which tfjs-core alone lacks).
 *
 * Terms are { loss: 'xloss' | 'lovaszSoftmax' | 'lovaszSigmoid' | 'lovaszHinge' |
 * 'lovaszMultilabel' | 'binaryXloss', weight = 1, options }; all read the same input, so a
 * Lovász-Softmax term beside the cross-entropy takes logits with `fromLogits: true`.
 * Shapes: those of the terms' losses (e.g. logits [B, H, W, C] and labels [B, H, W]).
 * @example
 * ```ts
 * const loss = combinedLoss([
 *   { loss: 'xloss', options: { ignore: 255 } },
 *   { loss: 'lovaszSoftmax', options: { fromLogits: true, ignore: 255 } },
 * ]);
 * optimizer.minimize(() => loss(logits, labels));
 * ```
 */
export function combinedLoss(terms: readonly LossTerm[]): (x: Tensor, labels: Tensor) => Scalar {
  const compute = coreCombined(terms);
  return (x, labels) => {
    checkTensor('combinedLoss', 'x', x);
    checkTensor('combinedLoss', 'labels', labels);
    return lossOp(x, labels, (values, y) => compute(values, y, x.shape)) as Scalar;
  };
}
