/**
 * 'auto' on a GPU backend, simulated in Node: a backend registered under the name 'webgl' (and
 * one under 'webgpu') that runs the cpu kernels. With the real webgl package loaded (for its
 * flags), it checks that 'auto' takes the tensor path there, and that the tensor path lifts the
 * webgl TopK CPU-handoff flags during its sort (so the sort stays on the GPU) and restores them.
 */

import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as L from '../../src/tfjs/index.js';
import { autoPath } from '../../src/tfjs/path.js';

const FLAGS = ['TOPK_LAST_DIM_CPU_HANDOFF_SIZE_THRESHOLD', 'TOPK_K_CPU_HANDOFF_THRESHOLD'];

/** Flag values seen by the TopK kernel of the fake GPU backends, one entry per call. */
const seen: number[][] = [];

function registerFake(name: string): void {
  if (tf.findBackendFactory(name)) tf.removeBackend(name);
  tf.registerBackend(name, () => new MathBackendCPU(), 0);
  for (const k of tf.getKernelsForBackend('cpu')) {
    const kernelFunc =
      k.kernelName === 'TopK'
        ? (args: Parameters<typeof k.kernelFunc>[0]) => {
            seen.push(FLAGS.map((f) => tf.env().getNumber(f)));
            return k.kernelFunc(args);
          }
        : k.kernelFunc;
    // The webgl package registered its own kernels under 'webgl': replace them quietly.
    if (tf.getKernel(k.kernelName, name)) tf.unregisterKernel(k.kernelName, name);
    tf.registerKernel({ ...k, backendName: name, kernelFunc });
  }
}

const x = () => tf.tensor([0.9, 0.1, 0.3, 0.7, 0.4, 0.6, 0.2, 0.8], [1, 2, 2, 2]);
const y = () => tf.tensor([0, 1, 1, 0], [1, 2, 2], 'int32');

function lossAndGrad(options: Record<string, unknown>): number[] {
  const xs = x();
  const ys = y();
  const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => L.lovaszSoftmax(t, ys, options))(xs);
  const out = [value.dataSync()[0], ...grad.dataSync()];
  tf.dispose([xs, ys, value, grad]);
  return out;
}

describe("'auto' on GPU backends (simulated with cpu kernels)", () => {
  beforeAll(() => {
    registerFake('webgl');
    registerFake('webgpu');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const name of ['webgl', 'webgpu']) {
    it(`picks the tensor path on '${name}'`, async () => {
      await tf.setBackend(name);
      expect(tf.getBackend()).toBe(name);
      expect(autoPath()).toBe('tensor');
      const defaults = FLAGS.map((f) => tf.env().getNumber(f));
      seen.length = 0;
      const auto = lossAndGrad({});
      expect(seen.length).toBeGreaterThan(0);
      expect(auto).toEqual(lossAndGrad({ path: 'tensor' }));
      // The core path never sorts with tf.topk.
      seen.length = 0;
      lossAndGrad({ path: 'core' });
      expect(seen).toHaveLength(0);
      expect(FLAGS.map((f) => tf.env().getNumber(f))).toEqual(defaults);
    });
  }

  it('lifts the webgl TopK handoff flags only during its own sort', async () => {
    await tf.setBackend('webgl');
    seen.length = 0;
    lossAndGrad({ path: 'tensor' });
    expect(seen).toEqual([[0, Number.MAX_SAFE_INTEGER]]);
    expect(tf.env().getNumber(FLAGS[0])).toBe(100000);
    expect(tf.env().getNumber(FLAGS[1])).toBe(128);
  });
});
