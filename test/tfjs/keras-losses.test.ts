// The full @tensorflow/tfjs registers every gradient: tfjs-layers' model.fit needs them for its
// own layers (our losses do not).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { lovaszHinge, lovaszSigmoid, lovaszSoftmax } from '../../src/index.js';
import { kerasLovaszHinge, kerasLovaszSigmoid, kerasLovaszSoftmax } from '../../src/tfjs/index.js';
import { countReads } from './tensor-path-cases.js';

/** Seeded [B, H, W] labels in [0, C) with some void pixels (255). */
function labelsOf(B: number, H: number, W: number, C: number, seed: number): Int32Array {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Int32Array.from({ length: B * H * W }, () =>
    next() < 0.1 ? 255 : Math.floor(next() * C),
  );
}

/** One-hot [B, H, W, C] with all-zero rows where the label is void. */
function oneHot(labels: Int32Array, C: number): Float32Array {
  const out = new Float32Array(labels.length * C);
  labels.forEach((y, i) => {
    if (y < C) out[i * C + y] = 1;
  });
  return out;
}

for (const backend of ['cpu', 'wasm']) {
  describe(`Keras-style losses [${backend}]`, () => {
    beforeAll(async () => {
      await tf.setBackend(backend);
      await tf.ready();
      expect(tf.getBackend()).toBe(backend);
    });

    it("the Keras losses on path 'tensor' read nothing back and agree with path 'core' (1e-5)", () => {
      const [B, H, W, C] = [2, 3, 4, 3];
      const labels = labelsOf(B, H, W, C, 7);
      const yTrue = tf.tensor(oneHot(labels, C), [B, H, W, C]);
      const yPred = tf.softmax(tf.randomNormal([B, H, W, C], 0, 1, 'float32', 3));
      const binary = tf.tensor(
        Int32Array.from(labels, (y) => (y === 255 ? 255 : y % 2)),
        [B, H, W, 1],
        'int32',
      );
      const logits = tf.randomNormal([B, H, W, 1], 0, 2, 'float32', 4);
      const cases: [string, (path: 'core' | 'tensor') => tf.Scalar, tf.Tensor][] = [
        ['softmax', (path) => kerasLovaszSoftmax({ path, perImage: true })(yTrue, yPred), yPred],
        ['hinge', (path) => kerasLovaszHinge({ path, ignore: 255 })(binary, logits), logits],
        [
          'sigmoid',
          (path) => kerasLovaszSigmoid({ path, ignore: 255, fromLogits: true })(binary, logits),
          logits,
        ],
      ];
      for (const [name, loss, x] of cases) {
        const grad = (path: 'core' | 'tensor') => tf.valueAndGrad(() => loss(path))(x as never);
        const before = tf.memory().numTensors;
        const { result, reads } = countReads(() => grad('tensor'));
        expect({ name, reads }).toEqual({ name, reads: 0 });
        const viaCore = grad('core');
        expect(Math.abs(result.value.dataSync()[0] - viaCore.value.dataSync()[0])).toBeLessThan(
          1e-5,
        );
        const a = result.grad.dataSync();
        const b = viaCore.grad.dataSync();
        for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
        tf.dispose([result.value, result.grad, viaCore.value, viaCore.grad]);
        expect(tf.memory().numTensors).toBe(before);
      }
      tf.dispose([yTrue, yPred, binary, logits]);
    });

    it('kerasLovaszSoftmax equals lovaszSoftmax with all-zero one-hot rows ignored', () => {
      const [B, H, W, C] = [2, 4, 5, 3];
      const labels = labelsOf(B, H, W, C, 1);
      const probas = tf.softmax(tf.randomNormal([B, H, W, C], 0, 1, 'float32', 3));
      const yTrue = tf.tensor(oneHot(labels, C), [B, H, W, C]);
      const loss = kerasLovaszSoftmax()(yTrue, probas);
      const p = probas.dataSync();
      const expected = lovaszSoftmax(p, labels, [B, H, W, C], { ignore: 255 });
      expect(loss.dataSync()[0]).toBeCloseTo(expected.loss, 6);
      const g = tf.grad((x: tf.Tensor) => kerasLovaszSoftmax()(yTrue, x))(probas);
      expect(Array.from(g.dataSync())).toEqual(Array.from(expected.grad));
      tf.dispose([probas, yTrue, loss, g]);
    });

    it('kerasLovaszSoftmax rejects targets that are not one-hot, naming the pixel', () => {
      const yTrue = tf.tensor([1, 1, 0, 0, 0, 1], [1, 1, 2, 3]);
      const yPred = tf.fill([1, 1, 2, 3], 1 / 3);
      expect(() => kerasLovaszSoftmax()(yTrue, yPred)).toThrow(
        /^kerasLovaszSoftmax: 'yTrue' rows must be one-hot \(or all zero for a void pixel\), got \[1, 1, 0\] at pixel 0$/,
      );
      tf.dispose([yTrue, yPred]);
    });

    it('kerasLovaszHinge and kerasLovaszSigmoid equal the core on [B, H, W, 1] tensors', () => {
      const [B, H, W] = [2, 3, 4];
      const labels = labelsOf(B, H, W, 2, 5).map((y) => (y === 255 ? 0 : y));
      const logits = tf.randomNormal([B, H, W, 1], 0, 2, 'float32', 9);
      const yTrue = tf.tensor(labels, [B, H, W, 1], 'float32');
      const z = logits.dataSync();
      const hinge = kerasLovaszHinge()(yTrue, logits);
      expect(hinge.dataSync()[0]).toBeCloseTo(lovaszHinge(z, labels, [B, H, W]).loss, 6);
      const sig = kerasLovaszSigmoid({ fromLogits: true })(yTrue, logits);
      expect(sig.dataSync()[0]).toBeCloseTo(lovaszSigmoid(z, labels, [B, H, W]).loss, 6);
      tf.dispose([logits, yTrue, hinge, sig]);
    });

    it('model.fit trains a tiny per-pixel net with kerasLovaszSoftmax (the loss falls)', async () => {
      const [B, H, W, C] = [4, 8, 8, 3];
      const labels = labelsOf(B, H, W, C, 11);
      // Inputs carry the label (plus noise), so a 1x1 conv can learn the task.
      const noise = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 2);
      const x = tf.add(tf.tensor(oneHot(labels, C), [B, H, W, C]), noise);
      const y = tf.tensor(oneHot(labels, C), [B, H, W, C]);
      const model = tf.sequential();
      const kernelInitializer = tf.initializers.glorotUniform({ seed: 1 });
      // The wasm backend has no Conv2DBackpropFilter kernel, so there the per-pixel layer is a
      // dense layer on the channel axis (a 1x1 convolution); cpu trains a real 3x3 conv.
      model.add(
        backend === 'wasm'
          ? tf.layers.dense({
              inputShape: [H, W, C],
              units: C,
              activation: 'softmax',
              kernelInitializer,
            })
          : tf.layers.conv2d({
              inputShape: [H, W, C],
              filters: C,
              kernelSize: 3,
              padding: 'same',
              activation: 'softmax',
              kernelInitializer,
            }),
      );
      model.compile({ optimizer: tf.train.adam(0.05), loss: kerasLovaszSoftmax() });
      const before = tf.memory().numTensors;
      const history = await model.fit(x, y, { epochs: 40, batchSize: B, verbose: 0 });
      const losses = history.history.loss as number[];
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);
      // model.fit leaks nothing per epoch (optimizer slots are created on the first step).
      expect(tf.memory().numTensors - before).toBeLessThan(20);
      model.dispose();
      tf.dispose([noise, x, y]);
    });
  });
}
