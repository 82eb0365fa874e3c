/** A loss value with its gradient with respect to the first argument of the loss. */
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
