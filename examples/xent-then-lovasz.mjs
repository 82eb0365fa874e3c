// The original authors' advice: train with cross-entropy first, then fine-tune with the
// Lovász-Softmax. lossSchedule picks the loss of each step; combinedLoss is the other option
// (a weighted sum of both, computed in one pass). The Lovász term reads the same logits as the
// cross-entropy, so it takes `fromLogits: true`.
// '@tensorflow/tfjs' registers the gradients of tf.conv2d and tf.add around the losses.
// Run after `npm run build`: node examples/xent-then-lovasz.mjs
import * as tf from '@tensorflow/tfjs';
import { combinedLoss, iou, lossSchedule, lovaszSoftmax, xloss } from 'lovasz/tfjs';

await tf.setBackend('cpu');

// Data: noisy images with a small bright square and a large dim one (the small object is the
// one per-pixel losses neglect). [B, H, W, 1] inputs, [B, H, W] labels in {0, 1, 2}.
const [B, H, W, C] = [4, 20, 20, 3];
const labelValues = new Int32Array(B * H * W);
for (let b = 0; b < B; b++) {
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const small = x >= 2 + b && x < 5 + b && y >= 3 && y < 6;
      const large = x >= 8 && x < 18 && y >= 6 + b && y < 16 + b;
      labelValues[(b * H + y) * W + x] = small ? 2 : large ? 1 : 0;
    }
  }
}
const labels = tf.tensor3d(labelValues, [B, H, W], 'int32');
const images = tf.tidy(() => {
  const clean = tf.gather(tf.tensor1d([0, 0.5, 1]), labels);
  return tf.add(clean, tf.randomNormal([B, H, W], 0, 0.3, 'float32', 3)).expandDims(-1);
});

// A one-layer convolutional model: logits [B, H, W, C] = conv3x3(images) + bias.
const kernel = tf.tidy(() => tf.variable(tf.randomNormal([3, 3, 1, C], 0, 0.1, 'float32', 5)));
const bias = tf.variable(tf.zeros([C]));
const model = () => tf.add(tf.conv2d(images, kernel, 1, 'same'), bias);

const lossAt = lossSchedule([
  { until: 40, loss: (logits, y) => xloss(logits, y) },
  { loss: (logits, y) => lovaszSoftmax(logits, y, { fromLogits: true }) },
]);
const meanIoU = () =>
  tf.tidy(() => {
    const perClass = iou(tf.argMax(model(), -1), labels, C);
    return perClass.reduce((a, v) => a + v, 0) / perClass.length;
  });

const optimizer = tf.train.adam(0.05);
for (let step = 0; step < 80; step++) {
  optimizer.minimize(() => lossAt(step)(model(), labels));
  if (step === 39) console.log(`after cross-entropy (40 steps): mIoU ${meanIoU().toFixed(1)}%`);
}
console.log(`after Lovász-Softmax fine-tuning (40 more steps): mIoU ${meanIoU().toFixed(1)}%`);

// The alternative: one loss, cross-entropy + 0.5 Lovász-Softmax, differentiable as a whole.
const both = combinedLoss([
  { loss: 'xloss' },
  { loss: 'lovaszSoftmax', weight: 0.5, options: { fromLogits: true } },
]);
const value = tf.tidy(() => both(model(), labels).dataSync()[0]);
console.log(`combinedLoss (xloss + 0.5 Lovász-Softmax) at the end: ${value.toFixed(4)}`);

tf.dispose([kernel, bias, images, labels]);
optimizer.dispose();
