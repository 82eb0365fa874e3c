import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe } from 'vitest';

/** The backends every tfjs test runs on in Node. */
export const BACKENDS = ['cpu', 'wasm'] as const;

/** Runs `body` once per backend, with that backend active (the wasm backend outranks cpu). */
export function describeEachBackend(name: string, body: (backend: string) => void): void {
  for (const backend of BACKENDS) {
    describe(`${name} [${backend}]`, () => {
      beforeAll(async () => {
        await tf.setBackend(backend);
        await tf.ready();
        if (tf.getBackend() !== backend)
          throw new Error(`could not activate the ${backend} backend`);
      });
      body(backend);
    });
  }
}
