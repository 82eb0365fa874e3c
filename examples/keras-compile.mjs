// tfjs-layers: model.compile with the Keras-style Lovász-Softmax, then model.fit.
// The full '@tensorflow/tfjs' package registers the gradients of the layers' ops; the loss
// brings its own. Targets are one-hot [B, H, W, C] of the model's output shape; an all-zero
// row would mark a pixel to ignore.
// Run after `npm run build`: node examples/keras-compile.mjs
import * as tf from '@tensorflow/tfjs';
import { kerasLovaszSoftmax, TensorConfusionMatrix } from 'lovasz/tfjs';

await tf.setBackend('cpu');

// Data: noisy images of squares; the class of a pixel is what its noiseless value says
// (0: background, 1: dim square, 2: bright square). [B, H, W, 1] inputs, [B, H, W] labels.
const [B, H, W, C] = [8, 16, 16, 3];
const labelValues = new Int32Array(B * H * W);
for (let b = 0; b < B; b++) {
  const x0 = (3 * b) % 8;
  const y0 = (5 * b) % 8;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inside = x >= x0 && x < x0 + 7 && y >= y0 && y < y0 + 7;
      labelValues[(b * H + y) * W + x] = inside ? 1 + (b % 2) : 0;
    }
  }
}
const labels = tf.tensor3d(labelValues, [B, H, W], 'int32');
const images = tf.tidy(() =>
  tf
    .add(tf.div(tf.cast(labels, 'float32'), 2), tf.randomNormal([B, H, W], 0, 0.15, 'float32', 7))
    .expandDims(-1),
);
const oneHot = tf.oneHot(labels, C); // [B, H, W, C]

// A small fully convolutional network ending in a softmax over the classes.
const model = tf.sequential({
  layers: [
    tf.layers.conv2d({
      inputShape: [H, W, 1],
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    }),
    tf.layers.conv2d({
      filters: C,
      kernelSize: 1,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
    }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.05), loss: kerasLovaszSoftmax() });

const history = await model.fit(images, oneHot, {
  epochs: 30,
  batchSize: 4,
  shuffle: false,
  verbose: 0,
});
const losses = history.history.loss;
console.log(`epoch 1: loss ${losses[0].toFixed(4)}`);
console.log(`epoch ${losses.length}: loss ${losses.at(-1).toFixed(4)}`);

// Evaluate with the streaming confusion matrix, which takes tensors.
const cm = new TensorConfusionMatrix(C);
const preds = tf.tidy(() => tf.argMax(model.predict(images), -1));
cm.update(preds, labels);
console.log(
  `per-class IoU ${cm
    .iou()
    .map((v) => v.toFixed(1))
    .join(' ')} (percent)`,
);
console.log(`mIoU ${cm.meanIoU().toFixed(1)}%`);

tf.dispose([preds, images, labels, oneHot]);
model.dispose();
