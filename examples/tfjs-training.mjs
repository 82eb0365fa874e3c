// A TensorFlow.js training loop with optimizer.minimize and the Lovász-Softmax, using only
// @tensorflow/tfjs-core and the cpu backend. The Lovász losses carry their own (analytic)
// gradient, so nothing else is needed as long as the variables feed the loss directly; with
// `fromLogits: true` the softmax is fused into the loss. A model with other ops around the
// loss (tf.matMul, tf.conv2d, tf.softmax, ...) needs their gradients registered: use the full
// '@tensorflow/tfjs' package for that (see keras-compile.mjs and xent-then-lovasz.mjs).
// Run after `npm run build`: node examples/tfjs-training.mjs
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { iou, lovaszSoftmax } from 'lovasz/tfjs';

await tf.setBackend('cpu');

// The target: 2 images of 24 x 24 pixels, 3 classes (background, a disc, a bar), [B, H, W].
const [B, H, W, C] = [2, 24, 24, 3];
const labelValues = new Int32Array(B * H * W);
for (let b = 0; b < B; b++) {
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inDisc = (x - 8 - 6 * b) ** 2 + (y - 12) ** 2 < 36;
      const inBar = x >= 18 && y >= 4 && y < 20;
      labelValues[(b * H + y) * W + x] = inDisc ? 1 : inBar ? 2 : 0;
    }
  }
}
const labels = tf.tensor3d(labelValues, [B, H, W], 'int32');

// Per-pixel logits [B, H, W, C], trained directly (a model's output would take their place).
// (tf.tidy disposes the initial tensor; the variable is kept.)
const logits = tf.tidy(() => tf.variable(tf.randomNormal([B, H, W, C], 0, 1, 'float32', 42)));
const optimizer = tf.train.adam(0.1);

const meanIoU = () =>
  tf.tidy(() => {
    const perClass = iou(tf.argMax(logits, -1), labels, C);
    return perClass.reduce((a, v) => a + v, 0) / perClass.length;
  });

console.log(`step 0: mIoU ${meanIoU().toFixed(1)}%`);
for (let step = 1; step <= 60; step++) {
  const loss = optimizer.minimize(() => lovaszSoftmax(logits, labels, { fromLogits: true }), true);
  if (step % 20 === 0) console.log(`step ${step}: loss ${loss.dataSync()[0].toFixed(4)}`);
  loss.dispose();
}
const final = meanIoU();
console.log(`final mIoU ${final.toFixed(1)}%`);

optimizer.dispose();
logits.dispose();
labels.dispose();
console.log(`tensors left: ${tf.memory().numTensors}`);
