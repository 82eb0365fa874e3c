/**
 * lossOp's traffic with the backend: the input and the labels are read once each (on wasm as
 * views of the heap, with no copy out of it), and the gradient becomes a tensor once, in the backward pass, not
 * saved and cloned by the engine (each clone a copy of the whole gradient on wasm).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeEachBackend } from './backends.js';
import { ALL_SPECS, bits, tensorsOf } from './helpers.js';

/**
 * Counts, while `f` runs, the active backend's writes of tensors of `size` values (tf.tensor,
 * and a kernel's output) and its reads of the data of `tensors` (what dataSync does).
 */
function traffic<T>(size: number, tensors: tf.Tensor[], f: () => T) {
  const ids = new Set<unknown>(tensors.map((t) => t.dataId));
  const backend = tf.backend() as unknown as Record<string, (...a: unknown[]) => unknown>;
  const count = { writes: 0, reads: 0 };
  const original = { write: backend.write, readSync: backend.readSync };
  backend.write = function (this: unknown, ...a: unknown[]) {
    if ((a[1] as number[]).reduce((p, d) => p * d, 1) === size) count.writes++;
    return original.write.apply(this, a);
  };
  backend.readSync = function (this: unknown, ...a: unknown[]) {
    if (ids.has(a[0])) count.reads++;
    return original.readSync.apply(this, a);
  };
  try {
    return { result: f(), ...count };
  } finally {
    // The instance had no own properties of these names: the prototype's methods return.
    delete backend.write;
    delete backend.readSync;
  }
}

describeEachBackend('lossOp', (backend) => {
  const copies = backend === 'wasm' ? 'no copy out of the heap' : 'one read each';
  for (const spec of ALL_SPECS) {
    const s = spec.sample(3);
    it(`${spec.title}: a valueAndGrad step reads input and labels with ${copies} and makes one gradient tensor`, () => {
      const { x, y } = tensorsOf(s);
      const { result, writes, reads } = traffic(x.size, [x, y], () =>
        tf.valueAndGrad((t: tf.Tensor) => spec.loss(t, y))(x),
      );
      expect(writes).toBe(1);
      expect(reads).toBe(backend === 'wasm' ? 0 : 2);
      const e = spec.core(s.x, s.y, s.xShape);
      expect(bits(result.value.dataSync())).toEqual(bits([e.loss]));
      expect(bits(result.grad.dataSync())).toEqual(bits(e.grad));
      tf.dispose([x, y, result.value, result.grad]);
    });

    it(`${spec.title}: steps in a row give each its own gradient, the earlier ones untouched`, () => {
      // On wasm the next step writes into the array the previous gradient was copied from.
      const second = spec.sample(4);
      const a = tensorsOf(s);
      const b = tensorsOf(second);
      const step = (t: { x: tf.Tensor; y: tf.Tensor }) =>
        tf.valueAndGrad((x: tf.Tensor) => spec.loss(x, t.y))(t.x);
      const first = step(a);
      const again = step(b);
      const third = step(a);
      const ea = spec.core(s.x, s.y, s.xShape);
      const eb = spec.core(second.x, second.y, second.xShape);
      expect(bits(first.grad.dataSync())).toEqual(bits(ea.grad));
      expect(bits(again.grad.dataSync())).toEqual(bits(eb.grad));
      expect(bits(third.grad.dataSync())).toEqual(bits(ea.grad));
      tf.dispose([a.x, a.y, b.x, b.y]);
      tf.dispose([first, again, third].flatMap((r) => [r.value, r.grad]));
    });

    it(`${spec.title}: a call outside a tape makes no gradient tensor`, () => {
      const { x, y } = tensorsOf(s);
      const before = tf.memory().numTensors;
      const { result, writes } = traffic(x.size, [x, y], () => spec.loss(x, y));
      expect(writes).toBe(0);
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(bits(result.dataSync())).toEqual(bits([spec.core(s.x, s.y, s.xShape).loss]));
      tf.dispose([x, y, result]);
    });
  }
});
