/**
 * Determinism across backends: the losses compute on the CPU from the input's float32 values,
 * so cpu and wasm must give the same loss and gradient bits (the backend only stores the
 * core's gradient; with dy = 1 nothing multiplies it). Same-backend repeatability is part of the per-loss contract.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './backends.js';
import { ALL_SPECS, bits, lossAndGrad } from './helpers.js';

async function use(backend: string): Promise<void> {
  await tf.setBackend(backend);
  await tf.ready();
  if (tf.getBackend() !== backend) throw new Error(`could not activate the ${backend} backend`);
}

describe('determinism across backends (cpu and wasm)', () => {
  let previous: string;
  beforeAll(() => {
    previous = tf.getBackend();
  });
  afterAll(async () => {
    if (previous) await use(previous);
  });

  for (const spec of ALL_SPECS) {
    it(`${spec.title} gives bit-identical loss and gradient on ${BACKENDS.join(' and ')}`, async () => {
      const samples = [31, 32, 33].map((seed) => spec.sample(seed));
      const results: { loss: number; grad: Float32Array }[][] = [];
      for (const backend of BACKENDS) {
        await use(backend);
        results.push(samples.map((s) => lossAndGrad(spec, s)));
      }
      const [first, ...others] = results;
      for (const other of others)
        for (const [k, r] of other.entries()) {
          expect(bits([r.loss])).toEqual(bits([first[k].loss]));
          expect(bits(r.grad)).toEqual(bits(first[k].grad));
        }
    });
  }
});
