import * as tf from '@tensorflow/tfjs-core';

/** true where the label is not `ignore` (everywhere when ignore is null); bool, y's shape. */
export function validMask(y: tf.Tensor, ignore: number | null): tf.Tensor {
  return ignore === null ? tf.cast(tf.onesLike(y), 'bool') : tf.notEqual(y, tf.scalar(ignore));
}
