// The network of the fine-tuning experiment, as a tfjs-layers model (so that it trains with
// model.compile / model.fit): a small encoder-decoder with additive skips, the same design as
// ../shapes-segmentation/model.mjs. Input [B, S, S, 1] (S a multiple of 8), output softmax
// probabilities [B, S, S, C].
import * as tf from '@tensorflow/tfjs';

/**
 * Instance normalisation with a learned per-channel bias: each image's channels to zero mean
 * and unit variance over its pixels, plus beta. tfjs-layers has batch and layer normalisation
 * but not this one; the shapes example found that without a per-image normalisation this data
 * trained unstably and got stuck predicting background. No gamma: the ReLU that follows and
 * the next convolution absorb a scale.
 */
class InstanceNorm extends tf.layers.Layer {
  static className = 'LovaszExampleInstanceNorm';

  build(inputShape) {
    this.beta = this.addWeight('beta', [inputShape[3]], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  computeOutputShape(inputShape) {
    return inputShape;
  }

  call(inputs) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const { mean, variance } = tf.moments(x, [1, 2], true);
      return tf.add(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), this.beta.read());
    });
  }
}
tf.serialization.registerClass(InstanceNorm);

/**
 * The model, with `width` (w) channels in the first stage and seeded He-normal kernels:
 * conv 3x3 s2 (1 -> w) | conv 3x3 s2 (w -> 2w) | conv 3x3 s2 (2w -> 2w) | conv 3x3 (2w -> 2w)
 * | up x2, + enc2 | conv 3x3 (2w -> w) | up x2, + enc1 | conv 3x3 (w -> w) | bilinear up x2 |
 * conv 1x1 (w -> C) | softmax. Instance norm and ReLU after every 3x3 conv. The input is
 * centred and scaled first (images are about [0, 1] around 0.5).
 * @example
 *   const model = createModel({ size: 48, classes: 5, width: 8, seed: 1 });
 *   model.predict(images); // [B, 48, 48, 1] -> [B, 48, 48, 5]
 */
export function createModel({ size, classes, width = 8, seed = 1 }) {
  const w = width;
  let n = 0;
  const init = () => tf.initializers.heNormal({ seed: seed * 101 + n++ });
  const conv = (x, filters, strides = 1) => {
    const y = tf.layers
      .conv2d({
        filters,
        kernelSize: 3,
        strides,
        padding: 'same',
        useBias: false,
        kernelInitializer: init(),
      })
      .apply(x);
    return tf.layers.activation({ activation: 'relu' }).apply(new InstanceNorm().apply(y));
  };
  const up = (x, interpolation = 'nearest') =>
    tf.layers.upSampling2d({ size: [2, 2], interpolation }).apply(x);
  const add = (a, b) => tf.layers.add().apply([a, b]);
  const input = tf.input({ shape: [size, size, 1] });
  const scaled = tf.layers.rescaling({ scale: 4, offset: -2 }).apply(input); // 4 * (x - 0.5)
  const e1 = conv(scaled, w, 2); // S/2
  const e2 = conv(e1, 2 * w, 2); // S/4
  const e3 = conv(e2, 2 * w, 2); // S/8
  const m = conv(e3, 2 * w); // S/8
  const d2 = conv(add(up(m), e2), w); // S/4
  const d1 = conv(add(up(d2), e1), w); // S/2
  const output = tf.layers
    .conv2d({
      filters: classes,
      kernelSize: 1,
      activation: 'softmax',
      // A small head: near-uniform initial probabilities (see ../shapes-segmentation/model.mjs).
      kernelInitializer: tf.initializers.randomNormal({
        mean: 0,
        stddev: 0.05,
        seed: seed * 101 + 99,
      }),
    })
    .apply(up(d1, 'bilinear'));
  return tf.model({ inputs: input, outputs: output });
}
