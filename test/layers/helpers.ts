// Shared fixtures of the lovasz/layers tests: the full @tensorflow/tfjs bundle (tfjs-layers
// needs the gradients it registers) on the cpu backend, seeded data and small models.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { rng } from '../rng.js';

export { rng } from '../rng.js';

/** Integer labels [B, H, W] in [0, C), seeded, with a structure a small model can learn. */
export function segmentationData(B: number, H: number, W: number, C: number, seed: number) {
  const r = rng(seed);
  const labels = new Int32Array(B * H * W);
  const images = new Float32Array(B * H * W);
  for (let b = 0; b < B; b++) {
    const x0 = Math.floor(r() * (W - 3));
    const y0 = Math.floor(r() * (H - 3));
    const cls = 1 + (b % (C - 1));
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = (b * H + y) * W + x;
        const inside = x >= x0 && x < x0 + 3 && y >= y0 && y < y0 + 3;
        labels[i] = inside ? cls : 0;
        images[i] = (inside ? cls / C : 0) + 0.2 * (r() - 0.5);
      }
    }
  }
  return {
    x: tf.tensor4d(images, [B, H, W, 1]),
    labels: tf.tensor3d(labels, [B, H, W], 'int32'),
    labelValues: labels,
  };
}

/** A two-layer fully convolutional model: [B, H, W, 1] -> softmax [B, H, W, C], seeded. */
export function smallModel(H: number, W: number, C: number, seed = 1): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [H, W, 1],
        filters: 6,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.conv2d({
        filters: C,
        kernelSize: 1,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
}

type ErrorClass = new (...args: never[]) => Error;

/** Expects `call` to throw `type` with every fragment in its message. */
export function expectThrows(call: () => unknown, type: ErrorClass, fragments: string[]): void {
  let error: unknown;
  try {
    call();
  } catch (e) {
    error = e;
  }
  expect(error, 'the call should have thrown').toBeInstanceOf(type);
  for (const f of fragments) expect((error as Error).message).toContain(f);
}

/** Expects the promise to reject with `type` and every fragment in its message. */
export async function expectRejects(
  promise: Promise<unknown>,
  type: ErrorClass,
  fragments: string[],
): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, 'the promise should have rejected').toBeInstanceOf(type);
  for (const f of fragments) expect((error as Error).message).toContain(f);
}
