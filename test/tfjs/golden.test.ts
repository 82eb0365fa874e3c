import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import * as L from '../../src/tfjs/index.js';
import { type GoldenCase, golden, maxAbsDiff, nchwToNhwc, relErr } from '../golden.js';
import { describeEachBackend } from './backends.js';

const LOSS_TOL = 1e-6;
const GRAD_TOL = 1e-6;

type Out = { value: number | number[]; grad?: ArrayLike<number> };

/** Runs a case through lovasz/tfjs with tf.valueAndGrad, in the golden layout or transposed. */
function run(c: GoldenCase, layout: 'NHWC' | 'NCHW'): Out {
  const o = (c.options ?? {}) as Record<string, never>;
  const i = c.inputs;
  const labelsOf = (a: { shape: number[]; data: number[] }) => tf.tensor(a.data, a.shape, 'int32');
  const lossWithGrad = (
    x: tf.Tensor,
    f: (x: tf.Tensor) => tf.Scalar,
    back?: (g: tf.Tensor) => tf.Tensor,
  ): Out => {
    const { value, grad } = tf.valueAndGrad(f)(x);
    const g = back ? back(grad) : grad;
    const out = { value: value.dataSync()[0], grad: g.dataSync() };
    tf.dispose([value, grad, g, x]);
    return out;
  };
  switch (c.fn) {
    case 'lovaszGrad': {
      const t = tf.tensor1d(i.gtSorted.data);
      const g = L.lovaszGrad(t);
      const out = { value: 0, grad: g.dataSync() };
      tf.dispose([t, g]);
      return out;
    }
    case 'lovaszHinge':
    case 'binaryXloss': {
      const y = labelsOf(i.labels);
      const f = c.fn === 'lovaszHinge' ? L.lovaszHinge : L.binaryXloss;
      const out = lossWithGrad(tf.tensor(i.logits.data, i.logits.shape), (x) => f(x, y, o));
      y.dispose();
      return out;
    }
    case 'lovaszSoftmax':
    case 'xloss': {
      const a = c.fn === 'xloss' ? i.logits : i.probas;
      const f = c.fn === 'xloss' ? L.xloss : L.lovaszSoftmax;
      const y = labelsOf(i.labels);
      let out: Out;
      if (i.layout !== 'NCHW' || layout === 'NCHW') {
        const opts = i.layout === 'NCHW' ? { ...o, layout: 'NCHW' as const } : o;
        out = lossWithGrad(tf.tensor(a.data, a.shape), (x) => f(x, y, opts));
      } else {
        const [B, C, H, W] = a.shape;
        out = lossWithGrad(
          tf.tensor(nchwToNhwc(a.data, a.shape), [B, H, W, C]),
          (x) => f(x, y, o),
          (g) => tf.transpose(g, [0, 3, 1, 2]),
        );
      }
      y.dispose();
      return out;
    }
    case 'iouBinary':
    case 'iou': {
      const p = tf.tensor(i.preds.data, i.preds.shape, 'int32');
      const y = labelsOf(i.labels);
      const { numClasses, ...rest } = o as unknown as { numClasses: number };
      const value = c.fn === 'iou' ? L.iou(p, y, numClasses, rest) : L.iouBinary(p, y, o);
      tf.dispose([p, y]);
      return { value };
    }
  }
}

describeEachBackend('golden vectors (lovasz/tfjs)', () => {
  for (const layout of ['NHWC', 'NCHW'] as const) {
    for (const c of golden) {
      it(`${c.name} (${layout}) matches the golden ${c.fn} and leaks no tensor`, () => {
        const before = tf.memory().numTensors;
        const { value, grad } = run(c, layout);
        expect(tf.memory().numTensors).toBe(before);
        const expected = c.expected.loss ?? c.expected.value;
        if (Array.isArray(expected)) {
          const v = value as number[];
          expect(v).toHaveLength(expected.length);
          for (const [k, x] of v.entries())
            expect(relErr(x, expected[k])).toBeLessThanOrEqual(LOSS_TOL);
        } else if (expected !== undefined && c.fn !== 'lovaszGrad') {
          expect(relErr(value as number, expected)).toBeLessThanOrEqual(LOSS_TOL);
        }
        if (c.expected.grad && !c.ties) {
          expect(maxAbsDiff(grad!, c.expected.grad.data)).toBeLessThanOrEqual(GRAD_TOL);
        }
      });
    }
  }
});
