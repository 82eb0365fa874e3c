/**
 * N-D tensors in lovasz/tfjs: a prediction with any number of spatial axes gives, bit for bit,
 * what the same data gives flattened to `[B, P]` images and what the core gives; labels
 * `[B, ...spatial, 1]` are the labels `[B, ...spatial]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import * as core from '../../src/index.js';
import * as L from '../../src/tfjs/index.js';
import { channelShape, flatChannelShape, type NdCase, ndCaseArb } from '../nd-cases.js';
import { describeEachBackend } from './backends.js';

type Loss = (x: tf.Tensor, y: tf.Tensor) => tf.Scalar;

/** Loss and gradient bits of `loss` at x (shape `xs`) with labels y (shape `ys`). */
function run(
  loss: Loss,
  x: ArrayLike<number>,
  xs: number[],
  y: ArrayLike<number>,
  ys: number[],
): { loss: number; grad: Float32Array } {
  const xt = tf.tensor(Float32Array.from(x), xs);
  const yt = tf.tensor(Int32Array.from(y), ys, 'int32');
  const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => loss(t, yt))(xt);
  const out = { loss: value.dataSync()[0], grad: Float32Array.from(grad.dataSync()) };
  tf.dispose([xt, yt, value, grad]);
  return out;
}

function expectSame(a: { loss: number; grad: Float32Array }, b: typeof a): void {
  expect(Object.is(a.loss, b.loss)).toBe(true);
  expect(a.grad).toEqual(b.grad);
}

const pixels = (c: NdCase) => [c.B, ...c.spatial];
const RUNS = { numRuns: 40 };

describeEachBackend('N-D tensors in lovasz/tfjs', () => {
  it('lovaszHinge, lovaszSigmoid and binaryXloss of [B, ...spatial] equal the flat [B, P] losses and the core', () => {
    fc.assert(
      fc.property(ndCaseArb, fc.boolean(), (c, perImage) => {
        const n = c.B * c.P;
        fc.pre(n > 0);
        const logits = c.logits.subarray(0, n);
        const o = { ignore: 255, perImage };
        const losses: [Loss, (x: ArrayLike<number>, s: number[]) => core.LossResult][] = [
          [(x, y) => L.lovaszHinge(x, y, o), (x, s) => core.lovaszHinge(x, c.binary, s, o)],
          [(x, y) => L.lovaszSigmoid(x, y, o), (x, s) => core.lovaszSigmoid(x, c.binary, s, o)],
          [
            (x, y) => L.binaryXloss(x, y, { ignore: 255 }),
            (x) => core.binaryXloss(x, c.binary, { ignore: 255 }),
          ],
        ];
        for (const [loss, ref] of losses) {
          const nd = run(loss, logits, pixels(c), c.binary, pixels(c));
          expectSame(nd, run(loss, logits, [c.B, c.P], c.binary, [c.B, c.P]));
          // Labels with a trailing 1, as image decoders produce them.
          if (loss !== losses[2][0]) {
            expectSame(nd, run(loss, logits, pixels(c), c.binary, [...pixels(c), 1]));
          }
          const r = ref(logits, pixels(c));
          expect(Object.is(nd.loss, Math.fround(r.loss))).toBe(true);
          expect(nd.grad).toEqual(r.grad);
        }
      }),
      RUNS,
    );
  });

  it('lovaszSoftmax, lovaszMultilabel and xloss of N-D inputs equal the flat losses and the core, in both layouts', () => {
    fc.assert(
      fc.property(ndCaseArb, fc.boolean(), (c, perImage) => {
        fc.pre(c.B * c.P > 0 && c.C > 1);
        const layout = c.layout;
        const softmax: Loss = (x, y) => L.lovaszSoftmax(x, y, { ignore: 255, perImage, layout });
        const nd = run(softmax, c.probas, channelShape(c), c.labels, pixels(c));
        expectSame(nd, run(softmax, c.probas, flatChannelShape(c), c.labels, [c.B, c.P]));
        expectSame(nd, run(softmax, c.probas, channelShape(c), c.labels, [...pixels(c), 1]));
        const r = core.lovaszSoftmax(c.probas, c.labels, channelShape(c), {
          ignore: 255,
          perImage,
          layout,
        });
        expect(Object.is(nd.loss, Math.fround(r.loss))).toBe(true);
        expect(nd.grad).toEqual(r.grad);

        const ml: Loss = (x, y) => L.lovaszMultilabel(x, y, { ignore: 255, perImage, layout });
        const a = run(ml, c.probas, channelShape(c), c.targets, channelShape(c));
        expectSame(a, run(ml, c.probas, flatChannelShape(c), c.targets, flatChannelShape(c)));

        const xe: Loss = (x, y) => L.xloss(x, y, { ignore: 255, layout });
        const b = run(xe, c.logits, channelShape(c), c.labels, pixels(c));
        expectSame(b, run(xe, c.logits, flatChannelShape(c), c.labels, [c.B, c.P]));
        expectSame(b, run(xe, c.logits, channelShape(c), c.labels, [...pixels(c), 1]));
      }),
      RUNS,
    );
  });

  it('iou, iouBinary and TensorConfusionMatrix of [B, ...spatial] masks equal the core and the flat masks', () => {
    fc.assert(
      fc.property(ndCaseArb, (c) => {
        const C = Math.max(c.C, 2);
        const preds = c.labels.map((y, i) => (y === 255 ? i % C : y));
        const p = tf.tensor(Int32Array.from(preds), pixels(c), 'int32');
        const y = tf.tensor(Int32Array.from(c.labels), [...pixels(c), 1], 'int32');
        const o = { ignore: 255, perImage: true };
        expect(L.iou(p, y, C, o)).toEqual(core.iou(preds, c.labels, pixels(c), C, o));
        const binaryPreds = c.binary.map((v) => (v === 255 ? 0 : v));
        const bp = tf.tensor(Int32Array.from(binaryPreds), pixels(c), 'int32');
        const by = tf.tensor(Int32Array.from(c.binary), pixels(c), 'int32');
        expect(L.iouBinary(bp, by, { ignore: 255 })).toBe(
          core.iouBinary(binaryPreds, c.binary, [c.B, c.P], { ignore: 255 }),
        );
        const cm = new L.TensorConfusionMatrix(C, o).update(p, y);
        const flat = new core.ConfusionMatrix(C, o).update(preds, c.labels, [c.B, c.P]);
        expect(cm.iou()).toEqual(flat.iou());
        expect(Object.is(cm.perImageMeanIoU(), flat.perImageMeanIoU())).toBe(true);
        tf.dispose([p, y, bp, by]);
      }),
      RUNS,
    );
  });

  it('kerasLovaszSoftmax takes [B, ...spatial, C] outputs and suggests tf.oneHot for integer labels', () => {
    const yPred = tf.fill([1, 2, 2, 2, 3], 1 / 3);
    const labels = tf.tensor(Int32Array.from([0, 1, 2, 255, 0, 1, 2, 0]), [1, 2, 2, 2], 'int32');
    const loss = L.kerasLovaszSoftmax();
    expect(() => loss(labels, yPred)).toThrow(
      /^kerasLovaszSoftmax: 'yTrue' must have shape \[1, 2, 2, 2, 3\] .*pass tf\.oneHot\(labels, 3\) \(a label outside \[0, 3\), such as 255, becomes an all-zero row, which marks a void pixel\)$/,
    );
    const yTrue = tf.oneHot(tf.reshape(labels, [8]), 3);
    const value = loss(tf.reshape(yTrue, [1, 2, 2, 2, 3]), yPred);
    const flat = core.lovaszSoftmax(
      new Float32Array(24).fill(1 / 3),
      [0, 1, 2, 255, 0, 1, 2, 0],
      [1, 8, 3],
      { ignore: 255 },
    );
    expect(value.dataSync()[0]).toBe(Math.fround(flat.loss));
    tf.dispose([yPred, labels, yTrue, value]);
  });
});
