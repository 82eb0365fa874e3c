import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import * as core from '../../src/index.js';
import * as L from '../../src/tfjs/index.js';
import { describeEachBackend } from './backends.js';

const [B, H, W, C] = [3, 4, 5, 4];
const probs = Float32Array.from({ length: B * H * W * C }, (_, i) => ((i * 37) % 101) / 101);
const labels = Int32Array.from({ length: B * H * W }, (_, i) => (i % 9 === 0 ? 255 : (i * 5) % 3));
const logits = Float32Array.from({ length: B * H * W }, (_, i) => Math.cos(i) * 2);
const binary = Int32Array.from({ length: B * H * W }, (_, i) => (i % 3 === 0 ? 1 : 0));

/** The gradient of sum_k dy_k L_k, with the losses and their gradient from tfjs. */
function weighted(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, dy: tf.Tensor) {
  const losses = f(x);
  const g = tf.grad((t: tf.Tensor) => f(t))(x, dy);
  const out = { losses: Array.from(losses.dataSync()), grad: g.dataSync() };
  tf.dispose([losses, g]);
  return out;
}

describeEachBackend('reduction none in lovasz/tfjs', () => {
  it('lovaszSoftmax with perImage returns one loss per image and spreads dy per image', () => {
    const x = tf.tensor(probs, [B, H, W, C]);
    const y = tf.tensor(labels, [B, H, W], 'int32');
    const dy = tf.tensor1d([1, -2, 0.5]);
    const o = { perImage: true, ignore: 255, reduction: 'none' } as const;
    const { losses, grad } = weighted((t) => L.lovaszSoftmax(t, y, o), x, dy);
    const r = core.lovaszSoftmax(probs, labels, [B, H, W, C], o);
    expect(losses).toEqual(Array.from(Float32Array.from(r.losses!)));
    const d = [1, -2, 0.5];
    for (let i = 0; i < grad.length; i++) {
      expect(grad[i]).toBeCloseTo(r.grad[i] * d[Math.floor(i / (H * W * C))], 6);
    }
    tf.dispose([x, y, dy]);
  });

  it('lovaszSoftmax without perImage returns one loss per candidate class (0 for one the data lacks) and spreads dy per class', () => {
    const x = tf.tensor(probs, [B, H, W, C]);
    const y = tf.tensor(labels, [B, H, W], 'int32');
    const o = { ignore: 255, reduction: 'none' } as const;
    const r = core.lovaszSoftmax(probs, labels, [B, H, W, C], o);
    expect(r.classes).toEqual([0, 1, 2]); // class 3 never occurs
    // The tensor has a fixed shape [C] on every path and backend: class 3 scores 0, and its dy
    // moves nothing.
    const dy = tf.tensor1d([2, 0, -1, 5]);
    const { losses, grad } = weighted((t) => L.lovaszSoftmax(t, y, o), x, dy);
    expect(losses).toEqual([...Array.from(Float32Array.from(r.losses!)), 0]);
    const perClass = [2, 0, -1, 0];
    for (let i = 0; i < grad.length; i++)
      expect(grad[i]).toBeCloseTo(r.grad[i] * perClass[i % C], 6);
    tf.dispose([x, y, dy]);
  });

  it('lovaszHinge, lovaszSigmoid and the cross-entropies return per-item losses', () => {
    const z = tf.tensor(logits, [B, H, W]);
    const y = tf.tensor(binary, [B, H, W], 'int32');
    const hinge = L.lovaszHinge(z, y, { reduction: 'none' });
    expect(hinge.shape).toEqual([B]);
    const sig = L.lovaszSigmoid(z, y, { reduction: 'none', perImage: true });
    expect(Array.from(sig.dataSync())).toEqual(
      Array.from(
        Float32Array.from(
          core.lovaszSigmoid(logits, binary, [B, H, W], { reduction: 'none', perImage: true })
            .losses!,
        ),
      ),
    );
    const bce = L.binaryXloss(z, y, { reduction: 'none' });
    expect(bce.shape).toEqual([B, H, W]);
    const x = tf.tensor(probs, [B, H, W, C]);
    const yl = tf.tensor(labels, [B, H, W], 'int32');
    const xe = L.xloss(x, yl, { reduction: 'none', ignore: 255 });
    expect(xe.shape).toEqual([B, H, W]);
    const dy = tf.randomUniform([B, H, W], 0, 1, 'float32', 4);
    const g = tf.grad((t: tf.Tensor) => L.xloss(t, yl, { reduction: 'none', ignore: 255 }))(x, dy);
    const r = core.xloss(probs, labels, [B, H, W, C], { reduction: 'none', ignore: 255 });
    const d = dy.dataSync();
    const gd = g.dataSync();
    for (let i = 0; i < gd.length; i++)
      expect(gd[i]).toBeCloseTo(r.grad[i] * d[Math.floor(i / C)], 6);
    tf.dispose([z, y, hinge, sig, bce, x, yl, xe, dy, g]);
  });

  it('lovaszMultilabel in tfjs equals the core', () => {
    const targets = Int32Array.from(probs, (p) => (p > 0.5 ? 1 : 0));
    const x = tf.tensor(probs, [B, H, W, C]);
    const t = tf.tensor(targets, [B, H, W, C], 'int32');
    const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => L.lovaszMultilabel(p, t))(x);
    const r = core.lovaszMultilabel(probs, targets, [B, H, W, C]);
    expect(value.dataSync()[0]).toBeCloseTo(r.loss, 6);
    expect(Array.from(grad.dataSync())).toEqual(Array.from(r.grad));
    tf.dispose([x, t, value, grad]);
  });

  it("every option runs on path 'tensor' too; wrong values get the same message on both paths", () => {
    const x = tf.tensor(probs, [B, H, W, C]);
    const y = tf.tensor(labels, [B, H, W], 'int32');
    const fused = { ignore: 255, fromLogits: true, classWeights: [1, 2, 1, 1] };
    const onDevice = L.lovaszSoftmax(x, y, { ...fused, path: 'tensor' });
    const viaCore = core.lovaszSoftmax(probs, labels, [B, H, W, C], fused);
    expect(Math.abs(onDevice.dataSync()[0] - viaCore.loss)).toBeLessThanOrEqual(
      1e-4 * viaCore.loss,
    );
    onDevice.dispose();
    // A wrong value gets the core's message on the tensor path too, not "does not support".
    expect(() => L.lovaszSoftmax(x, y, { reduction: 'bogus' as never, path: 'tensor' })).toThrow(
      /^lovaszSoftmax: 'reduction' must be 'mean', 'sum' or 'none', got 'bogus'$/,
    );
    const z = tf.zeros([1, 2, 2]);
    const zy = tf.zeros([1, 2, 2], 'int32');
    expect(() => L.lovaszHinge(z, zy, { variant: 'elu' as never, path: 'tensor' })).toThrow(
      /^lovaszHinge: 'variant' must be 'relu' or 'elu\+1', got 'elu'$/,
    );
    tf.dispose([z, zy]);
    const auto = L.lovaszSoftmax(x, y, { ignore: 255, classWeights: [1, 2, 1, 1] });
    const r = core.lovaszSoftmax(probs, labels, [B, H, W, C], {
      ignore: 255,
      classWeights: [1, 2, 1, 1],
    });
    expect(auto.dataSync()[0]).toBeCloseTo(r.loss, 6);
    tf.dispose([x, y, auto]);
  });

  it('combinedLoss sums its terms in one differentiable op', () => {
    const x = tf.tensor(probs, [B, H, W, C]);
    const y = tf.tensor(labels, [B, H, W], 'int32');
    const loss = L.combinedLoss([
      { loss: 'xloss', options: { ignore: 255 } },
      { loss: 'lovaszSoftmax', weight: 2, options: { fromLogits: true, ignore: 255 } },
    ]);
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => loss(t, y))(x);
    const r = core.combinedLoss([
      { loss: 'xloss', options: { ignore: 255 } },
      { loss: 'lovaszSoftmax', weight: 2, options: { fromLogits: true, ignore: 255 } },
    ])(probs, labels, [B, H, W, C]);
    expect(value.dataSync()[0]).toBeCloseTo(r.loss, 5);
    expect(Array.from(grad.dataSync())).toEqual(Array.from(r.grad));
    tf.dispose([x, y, value, grad]);
  });
});
