import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import * as core from '../../src/index.js';
import { lovaszSoftmax } from '../../src/tfjs/index.js';
import { describeEachBackend } from './backends.js';
import { lossContract, onlyTfjsCoreLoaded } from './contract.js';
import { bits, lossAndGrad, sigmoidSpec, softmaxNchwSpec, softmaxNhwcSpec } from './helpers.js';

describeEachBackend('lovaszSoftmax', () => {
  onlyTfjsCoreLoaded();
  lossContract(softmaxNhwcSpec);
  lossContract(softmaxNchwSpec);
  lossContract(sigmoidSpec);

  it('lovaszSoftmax on NCHW probas gives the NHWC loss and the transposed NHWC gradient', () => {
    const s = softmaxNhwcSpec.sample(3);
    const opts = { ignore: 255 };
    const nhwc = tf.tensor(s.x, s.xShape);
    const nchw = tf.transpose(nhwc, [0, 3, 1, 2]);
    const y = tf.tensor(s.y, s.yShape, 'int32');
    const a = tf.valueAndGrad((t: tf.Tensor) => lovaszSoftmax(t, y, opts))(nhwc);
    const b = tf.valueAndGrad((t: tf.Tensor) => lovaszSoftmax(t, y, { ...opts, layout: 'NCHW' }))(
      nchw,
    );
    const back = tf.transpose(b.grad, [0, 2, 3, 1]);
    expect(bits(b.value.dataSync())).toEqual(bits(a.value.dataSync()));
    expect(bits(back.dataSync())).toEqual(bits(a.grad.dataSync()));
    tf.dispose([nhwc, nchw, y, a.value, a.grad, b.value, b.grad, back]);
  });

  it("lovaszSoftmax passes classes through: 'all' and a class list equal the core", () => {
    const s = softmaxNhwcSpec.sample(4);
    for (const classes of ['all', [0, 2]] as const) {
      const spec = {
        ...softmaxNhwcSpec,
        loss: (x: tf.Tensor, y: tf.Tensor) => lovaszSoftmax(x, y, { classes, ignore: 255 }),
      };
      const e = core.lovaszSoftmax(s.x, s.y, s.xShape, { classes, ignore: 255 });
      const got = lossAndGrad(spec, s);
      expect(bits([got.loss])).toEqual(bits([e.loss]));
      expect(bits(got.grad)).toEqual(bits(e.grad));
    }
  });

  it('lovaszSoftmax accepts probabilities that overshoot [0, 1] by a float32 ulp', () => {
    // float32 softmax outputs can exceed 1 by an ulp; the core allows 1e-6 of slack.
    const x = tf.tensor([[[[1 + 2 ** -23, 0]]]]);
    const y = tf.tensor([[[0]]], undefined, 'int32');
    const loss = lovaszSoftmax(x, y);
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    tf.dispose([x, y, loss]);
  });

  it('lovaszSoftmax of images with no pixel ([1, 0, 2, 3]) is 0 with an empty gradient of the same shape', () => {
    const x = tf.zeros([1, 0, 2, 3]);
    const y = tf.zeros([1, 0, 2], 'int32');
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => lovaszSoftmax(t, y))(x);
    expect(value.dataSync()[0]).toBe(0);
    expect(grad.shape).toEqual([1, 0, 2, 3]);
    tf.dispose([x, y, value, grad]);
  });
});
