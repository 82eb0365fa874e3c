// model.fit with lovasz/layers: a loss schedule by epochs (cross-entropy, then a ramp, then the
// Lovász-Softmax), the batch mIoU as a compiled metric, and the exact validation mIoU of every
// epoch written into fit's logs by iouCallback, where earlyStopping reads it.
// Run after `npm run build`: node examples/layers-fit.mjs
import * as tf from '@tensorflow/tfjs';
import { iouCallback, kerasLossSchedule, kerasLovaszSoftmax, kerasMeanIoU } from 'lovasz/layers';

await tf.setBackend('cpu');

// Data: noisy images of one square each; its class (1 or 2) is its brightness. Inputs
// [B, H, W, 1], integer labels [B, H, W]; training targets are one-hot [B, H, W, C].
const [H, W, C] = [16, 16, 3];
function squares(B, seed) {
  const labels = new Int32Array(B * H * W);
  for (let b = 0; b < B; b++) {
    const x0 = (3 * b + seed) % 9;
    const y0 = (5 * b + 2 * seed) % 9;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inside = x >= x0 && x < x0 + 6 && y >= y0 && y < y0 + 6;
        labels[(b * H + y) * W + x] = inside ? 1 + ((b + seed) % 2) : 0;
      }
    }
  }
  const y = tf.tensor3d(labels, [B, H, W], 'int32');
  const x = tf.tidy(() =>
    tf
      .add(tf.div(tf.cast(y, 'float32'), 2), tf.randomNormal([B, H, W], 0, 0.15, 'float32', seed))
      .expandDims(-1),
  );
  return { x, y };
}
const train = squares(16, 1);
const val = squares(8, 2);

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

// Cross-entropy for 4 epochs, a 2-epoch ramp (t = 1/3, 2/3), then the Lovász-Softmax.
const xent = (yTrue, yPred) => tf.mean(tf.metrics.categoricalCrossentropy(yTrue, yPred));
const schedule = kerasLossSchedule([
  { until: 4, loss: xent },
  { until: 6, from: xent, to: kerasLovaszSoftmax() },
  { loss: kerasLovaszSoftmax() },
]);
model.compile({ optimizer: tf.train.adam(0.05), loss: schedule.loss, metrics: [kerasMeanIoU(C)] });

const yTrain = tf.oneHot(train.y, C);
const history = await model.fit(train.x, yTrain, {
  epochs: 12,
  batchSize: 4,
  verbose: 0,
  callbacks: [
    tf.callbacks.earlyStopping({ monitor: 'val_mIoU', mode: 'max', patience: 4 }),
    iouCallback({ x: val.x, y: val.y }, { numClasses: C, perImage: true }),
    schedule.callback,
  ],
});
const h = history.history;
for (const [i, v] of h.val_mIoU.entries()) {
  console.log(
    `epoch ${i + 1}: loss ${h.loss[i].toFixed(4)}  batch mIoU ${h.mIoU[i].toFixed(1)}%  val mIoU ${v.toFixed(1)}%  per-image ${h.val_perImageMIoU[i].toFixed(1)}%`,
  );
}
console.log(`final val mIoU ${h.val_mIoU.at(-1).toFixed(1)}%`);

tf.dispose([train.x, train.y, val.x, val.y, yTrain]);
model.dispose();
