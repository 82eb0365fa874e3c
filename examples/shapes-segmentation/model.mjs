// A small fully convolutional encoder-decoder (a tiny U-Net) written with TensorFlow.js ops on
// plain variables, so that its parameters can be saved and restored for the fine-tuning fork
// and its cost stays obvious. Input [B, H, W, 1], output logits [B, H, W, C]; H and W must be
// multiples of 4.
import * as tf from '@tensorflow/tfjs';

/** He-normal initialised 3x3 (or k x k) kernel, seeded. */
function kernel(k, cin, cout, seed) {
  return tf.variable(
    tf.randomNormal([k, k, cin, cout], 0, Math.sqrt(2 / (k * k * cin)), 'float32', seed),
  );
}

/**
 * A k x k convolution with zero padding k >> 1 and stride 1 or 2 (on even sizes): x [B, H, W,
 * Cin], kernel [k, k, Cin, Cout] -> [B, H / stride, W / stride, Cout]. The forward pass is
 * tf.conv2d; the gradient is custom because the cpu backend's filter gradient
 * (Conv2DBackpropFilter) is a slow generic loop, about 60x slower than the forward pass, which
 * made a training step take seconds (and the wasm backend has none). The filter gradient is
 * itself a convolution, dW[i, j, ci, co] = sum over b, y, x of
 * xpad[b, s*y + i, s*x + j, ci] * dy[b, y, x, co]: the padded input with its batch and channel
 * axes swapped, convolved (dilation s) with dy as the kernel, which runs at forward speed.
 */
export const conv2d = (x, kernel, stride = 1) => {
  const k = kernel.shape[0];
  if (k === 1 && stride === 1) {
    // A 1x1 convolution is a matMul over the pixels, whose gradients are matMuls too.
    const [b, h, w, cin] = x.shape;
    const cout = kernel.shape[3];
    const y = tf.matMul(tf.reshape(x, [b * h * w, cin]), tf.reshape(kernel, [cin, cout]));
    return tf.reshape(y, [b, h, w, cout]);
  }
  const p = k >> 1;
  const f = tf.customGrad((x, kernel, save) => {
    save([x, kernel]);
    return {
      value: tf.conv2d(x, kernel, stride, p),
      gradFunc: (dy, [x, kernel]) => {
        const dx = tf.conv2dTranspose(dy, kernel, x.shape, stride, p);
        const xpad = tf.pad(x, [
          [0, 0],
          [p, p],
          [p, p],
          [0, 0],
        ]);
        const xt = tf.transpose(xpad, [3, 1, 2, 0]); // [Cin, H + 2p, W + 2p, B]
        const dyt = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, B, Cout]
        let dw = tf.conv2d(xt, dyt, 1, 'valid', 'NHWC', stride); // [Cin, >= k, >= k, Cout]
        dw = tf.slice(dw, [0, 0, 0, 0], [-1, k, k, -1]);
        return [dx, tf.transpose(dw, [1, 2, 0, 3])];
      },
    };
  });
  return f(x, kernel);
};

/**
 * The parameters and forward pass of the network, with `width` (w) channels in the first
 * stage. It works at half resolution and upsamples its logits, because on the pure-JS cpu
 * backend every full-resolution layer costs as much as all the others together:
 * conv 3x3 stride 2 (1 -> w) | conv 3x3 stride 2 (w -> 2w) | conv 3x3 stride 2 (2w -> 2w) |
 * conv 3x3 (2w -> 2w) | up x2, + enc2 | conv 3x3 (2w -> w) | up x2, + enc1 | conv 3x3 (w -> w)
 * | conv 1x1 (w -> C) | bilinear up x2. Instance normalisation (with `norm`, the default) and
 * ReLU after every 3x3 conv: without the normalisation, training on this data was unstable
 * (Adam at 1e-3 could not even fit two images) and stuck predicting background for hundreds of
 * steps. Receptive field about 70 pixels (the whole image).
 * @example
 *   const model = createModel({ classes: 5, width: 8, seed: 1 });
 *   const logits = model.apply(images); // [B, 64, 64, 1] -> [B, 64, 64, 5]
 */
export function createModel({ classes, width = 8, seed = 0, norm = true }) {
  const w = width;
  const specs = [
    ['enc1', 3, 1, w],
    ['enc2', 3, w, 2 * w],
    ['enc3', 3, 2 * w, 2 * w],
    ['mid', 3, 2 * w, 2 * w],
    ['dec2', 3, 2 * w, w],
    ['dec1', 3, w, w],
    ['head', 1, w, classes],
  ];
  const params = {};
  specs.forEach(([name, k, cin, cout], i) => {
    params[`${name}/kernel`] = kernel(k, cin, cout, seed * 101 + i);
    // A small head: initial logits near 0, i.e. uniform class probabilities, rather than
    // He-scaled ones whose large, random confidences the first steps would have to undo.
    if (name === 'head') params[`${name}/kernel`].assign(tf.mul(params[`${name}/kernel`], 0.1));
    params[`${name}/bias`] = tf.variable(tf.zeros([cout]));
  });
  const conv = (x, name, stride = 1, relu = true) => {
    let y = conv2d(x, params[`${name}/kernel`], stride);
    if (relu && norm) {
      // Instance normalisation: each image's channels to zero mean and unit variance.
      const { mean, variance } = tf.moments(y, [1, 2], true);
      y = tf.mul(tf.sub(y, mean), tf.rsqrt(tf.add(variance, 1e-5)));
    }
    y = tf.add(y, params[`${name}/bias`]);
    return relu ? tf.relu(y) : y;
  };
  const up = (x) => {
    const [, h, wd] = x.shape;
    return tf.image.resizeNearestNeighbor(x, [2 * h, 2 * wd]);
  };
  /** Logits [B, H, W, C] of images [B, H, W, 1]. */
  const apply = (images) => {
    const [, h, wd] = images.shape;
    // Images are in about [0, 1] around 0.5: centre and scale them to about unit variance.
    const e1 = conv(tf.mul(tf.sub(images, 0.5), 4), 'enc1', 2); // H/2
    const e2 = conv(e1, 'enc2', 2); // H/4
    const e3 = conv(e2, 'enc3', 2); // H/8
    const m = conv(e3, 'mid'); // H/8
    // Additive skips (as in LinkNet), not concatenation: the gradient of concat is SplitV,
    // another slow generic loop on the cpu backend.
    const d2 = conv(tf.add(up(m), e2), 'dec2'); // H/4
    const d1 = conv(tf.add(up(d2), e1), 'dec1'); // H/2
    return tf.image.resizeBilinear(conv(d1, 'head', 1, false), [h, wd], false, true);
  };
  return { params, apply, variables: Object.values(params) };
}
