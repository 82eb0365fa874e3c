/**
 * A loss value with its gradient with respect to the first argument of the loss, as every
 * loss of `lovasz` returns it.
 *
 * @example
 * ```ts
 * import { lovaszHinge } from 'lovasz';
 *
 * const { loss, grad } = lovaszHinge(logits, labels, [B, H, W]);
 * // one step of gradient descent on the logits
 * for (let i = 0; i < grad.length; i++) logits[i] -= 0.1 * grad[i];
 * ```
 */
export interface LossResult {
  /**
   * The scalar loss, accumulated in float64. With reduction 'none', the sum of `losses`
   * (the quantity `grad` is the gradient of).
   */
  loss: number;
  /** d loss / d input, same length and layout as the input (row-major). */
  grad: Float32Array;
  /**
   * With reduction 'none' only: one loss per item (per image with perImage, else per class
   * considered, in increasing class order; per pixel for the cross-entropies).
   */
  losses?: Float64Array;
  /** With reduction 'none' and one loss per class: the class of each entry of `losses`. */
  classes?: number[];
}

/**
 * The option every typed-array loss but the flat ones takes beside its own (the lovasz/tfjs
 * losses do not: their tensors would share the array).
 *
 * @example
 * ```ts
 * import { lovaszHinge } from 'lovasz';
 *
 * const out = new Float32Array(logits.length);
 * for (const step of steps) {
 *   const { grad } = lovaszHinge(logits, labels, [B, H, W], { out }); // grad === out
 * }
 * ```
 */
export interface OutOption {
  /**
   * A Float32Array of the input's length to write the gradient into, returned as `grad`,
   * instead of a new array each call: with it, a call allocates nothing proportional to the
   * input after the first. It must not share memory with the inputs. Default: a new array.
   */
  out?: Float32Array;
}
