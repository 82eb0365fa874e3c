import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

/** The TensorFlow.js backends the demo can run on in Node. */
export const BACKENDS = ['cpu', 'wasm'] as const;

/** One of {@link BACKENDS}. */
export type BackendName = (typeof BACKENDS)[number];

/**
 * Activates a tfjs backend (always through tf.setBackend: the wasm backend registers with a
 * higher priority than cpu, so it would otherwise win) and silences tfjs' console advice.
 * @example
 *   await useBackend('cpu');
 */
export async function useBackend(name: BackendName): Promise<void> {
  // Production mode: no "install tfjs-node" banner on stderr, which would garble the bars.
  tf.env().set('PROD', true);
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`could not start the ${name} backend`);
}
