/** A loss value with its gradient with respect to the first argument of the loss. */
export interface LossResult {
  /** The scalar loss, accumulated in float64. */
  loss: number;
  /** d loss / d input, same length and layout as the input (row-major). */
  grad: Float32Array;
}
