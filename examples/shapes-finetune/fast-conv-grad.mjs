// A faster cpu kernel for Conv2DBackpropFilter, the gradient of a 2D convolution with respect to
// its filter, which tfjs-layers' conv2d layers need at every training step.
//
// Why: on the pure-JS cpu backend of tfjs 4.22 this one kernel took 89% of a training step of
// this example's network (measured with tf.profile: 2595 of 2914 ms for 8 images of 64x64), while
// the forward Conv2D and the input gradient Conv2DBackpropInput took 50 and 45 ms. The stock
// kernel reads every element through TensorBuffer.get(b, y, x, c), a variadic call that computes
// the offset each time. This kernel computes the same sum with flat indices into the typed
// arrays, visiting x and dy in memory order:
//
//   dW[i, j, ci, co] = sum over b, y, x of xpad[b, s_h * y + i, s_w * x + j, ci] * dy[b, y, x, co]
//
// (xpad: the input with the convolution's top/left padding; positions outside it contribute 0).
// Sums are accumulated in float64, then rounded once to float32; the result equals the stock
// kernel's to float32 rounding (the order of the additions differs), which test
// fast-conv-grad.test.ts checks on random shapes, strides and paddings.
// Only NHWC is handled (tfjs-layers' default); any other layout falls back to the stock kernel.
import * as tf from '@tensorflow/tfjs';

const NAME = 'Conv2DBackpropFilter';

/** The fast kernel function: inputs { x, dy }, attrs as the stock kernel's. */
function makeKernel(stock) {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x, dy } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
    const layout = tf.backend_util.convertConv2DDataFormat(dataFormat);
    if (layout !== 'channelsLast' || x.dtype !== 'float32' || dy.dtype !== 'float32') {
      return stock(args);
    }
    const info = tf.backend_util.computeConv2DInfo(
      x.shape,
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      layout,
    );
    const { batchSize: B, inHeight: H, inWidth: W, inChannels: Ci, outChannels: Co } = info;
    const { outHeight: Ho, outWidth: Wo, filterHeight: kh, filterWidth: kw } = info;
    const { strideHeight: sh, strideWidth: sw } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const xv = backend.data.get(x.dataId).values;
    const dyv = backend.data.get(dy.dataId).values;
    const acc = new Float64Array(kh * kw * Ci * Co);
    for (let b = 0; b < B; b++) {
      for (let oy = 0; oy < Ho; oy++) {
        for (let ox = 0; ox < Wo; ox++) {
          const dyOff = ((b * Ho + oy) * Wo + ox) * Co;
          for (let i = 0; i < kh; i++) {
            const yIn = oy * sh + i - top;
            if (yIn < 0 || yIn >= H) continue;
            for (let j = 0; j < kw; j++) {
              const xIn = ox * sw + j - left;
              if (xIn < 0 || xIn >= W) continue;
              const xOff = ((b * H + yIn) * W + xIn) * Ci;
              const wOff = (i * kw + j) * Ci * Co;
              for (let ci = 0; ci < Ci; ci++) {
                const xval = xv[xOff + ci];
                const row = wOff + ci * Co;
                for (let co = 0; co < Co; co++) acc[row + co] += xval * dyv[dyOff + co];
              }
            }
          }
        }
      }
    }
    return backend.makeTensorInfo(filterShape, 'float32', Float32Array.from(acc));
  };
}

/**
 * Replaces the cpu backend's Conv2DBackpropFilter by the fast kernel above; returns a function
 * that puts the stock kernel back. Call before training (after importing @tensorflow/tfjs).
 * @example
 *   const restore = registerFastConvGrad();
 *   await model.fit(x, y, { epochs: 5 });
 *   restore();
 */
export function registerFastConvGrad() {
  const stock = tf.getKernel(NAME, 'cpu');
  if (!stock) throw new Error(`registerFastConvGrad: no ${NAME} kernel registered for cpu`);
  tf.unregisterKernel(NAME, 'cpu');
  tf.registerKernel({
    kernelName: NAME,
    backendName: 'cpu',
    kernelFunc: makeKernel(stock.kernelFunc),
  });
  return () => {
    tf.unregisterKernel(NAME, 'cpu');
    tf.registerKernel(stock);
  };
}
