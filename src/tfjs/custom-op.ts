import * as tf from '@tensorflow/tfjs-core';

/** What the forward pass of a {@link customOp} returns. */
export interface CustomOpPass {
  /** The op's output. */
  value: tf.Tensor;
  /** Tensors the backward pass needs, kept alive by tf.customGrad while a tape records. */
  saved?: tf.Tensor[];
  /** dy (the gradient w.r.t. `value`) to the gradient w.r.t. each input, in order. */
  backward(dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor | tf.Tensor[];
}

/**
 * A differentiable op from a forward pass that computes its value and says how its gradient
 * follows, through tf.customGrad: the one place the library calls it. Nothing inside is
 * differentiated by tfjs, so the op needs no registered gradient (tfjs-core alone registers
 * none) and can sort, gather or read data freely.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 *
 * const square = customOp((x: tf.Tensor) => ({
 *   value: tf.mul(x, x),
 *   saved: [x],
 *   backward: (dy, [input]) => tf.mul(dy, tf.mul(input, 2)),
 * }));
 * ```
 */
export function customOp<T extends tf.Tensor[]>(
  forward: (...inputs: T) => CustomOpPass,
): (...inputs: T) => tf.Tensor {
  // customGrad passes the inputs, then the save function, as one rest list.
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const pass = forward(...(args.slice(0, -1) as T));
    if (pass.saved) save(pass.saved);
    return {
      value: pass.value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => pass.backward(dy, saved),
    };
  });
  return (...inputs: T) => op(...inputs);
}
