/**
 * readValues: the values of tensors for the core, views of the wasm backend's heap where they
 * can be had and dataSync's arrays otherwise, always the tensors' exact values.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, it } from 'vitest';
import { readValues as readAll } from '../../src/tfjs/read-values.js';
import { describeEachBackend } from './backends.js';
import { bits, rng } from './helpers.js';

function floats(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

/** Replaces typedArrayFromHeap on the active backend instance until the test ends. */
let restore: (() => void) | null = null;
function replaceHeapView(impl: unknown): void {
  const backend = tf.backend() as unknown as Record<string, unknown>;
  const own = Object.hasOwn(backend, 'typedArrayFromHeap');
  const before = backend.typedArrayFromHeap;
  backend.typedArrayFromHeap = impl;
  restore = () => {
    if (own) backend.typedArrayFromHeap = before;
    else delete backend.typedArrayFromHeap;
  };
}
/** One tensor's values. */
const readValues = (t: tf.Tensor) => readAll([t])[0];

afterEach(() => {
  restore?.();
  restore = null;
});

describeEachBackend('readValues', (backend) => {
  it('returns the exact values of float32 and int32 tensors, and of an empty one', () => {
    const v = floats(60, 1);
    v[3] = -0;
    v[7] = Number.NaN;
    const x = tf.tensor(v, [3, 4, 5], 'float32');
    expect(bits(readValues(x))).toEqual(bits(v));
    const labels = Int32Array.from({ length: 12 }, (_, i) => (i * 7) % 5);
    const y = tf.tensor(labels, [3, 4], 'int32');
    expect(Array.from(readValues(y))).toEqual(Array.from(labels));
    const empty = tf.tensor([], [0, 3], 'float32');
    expect(readValues(empty).length).toBe(0);
    tf.dispose([x, y, empty]);
  });

  it('reads the output of a kernel and a reshaped tensor (same data, new shape)', () => {
    const v = floats(24, 2);
    const x = tf.tensor(v, [2, 3, 4]);
    const doubled = tf.add(x, x);
    const flat = tf.reshape(doubled, [24]);
    const expected = Float32Array.from(v, (a) => a + a);
    expect(bits(readValues(doubled))).toEqual(bits(expected));
    expect(bits(readValues(flat))).toEqual(bits(expected));
    tf.dispose([x, doubled, flat]);
  });

  it(`${backend === 'wasm' ? 'is a view of the heap, not a copy (two reads share memory)' : 'is what dataSync returns'}`, () => {
    const x = tf.tensor(floats(100, 3), [10, 10]);
    const a = readValues(x) as Float32Array;
    const b = readValues(x) as Float32Array;
    if (backend === 'wasm') {
      expect(a.buffer).toBe(b.buffer);
      expect(a.byteOffset).toBe(b.byteOffset);
      expect(a.buffer).not.toBe((x.dataSync() as Float32Array).buffer);
    } else {
      expect(bits(a)).toEqual(bits(x.dataSync()));
    }
    x.dispose();
  });

  it('falls back to dataSync when the backend has no typedArrayFromHeap, when it throws, or when its view does not fit', () => {
    const v = floats(30, 4);
    const x = tf.tensor(v, [5, 6]);
    const fallbacks: unknown[] = [
      undefined,
      () => {
        throw new Error('no such tensor');
      },
      () => new Float32Array(29),
      () => new Int32Array(30),
      () => Array.from(v),
    ];
    for (const impl of fallbacks) {
      replaceHeapView(impl);
      const values = readValues(x) as Float32Array;
      expect(bits(values)).toEqual(bits(v));
      // A fresh copy each time (dataSync), not a shared view.
      if (backend === 'wasm')
        expect(values.buffer).not.toBe((readValues(x) as Float32Array).buffer);
      restore?.();
      restore = null;
    }
    x.dispose();
  });

  it('reads a bool tensor with dataSync, as 0 and 1', () => {
    const t = tf.tensor([true, false, true], [3], 'bool');
    expect(Array.from(readValues(t))).toEqual([1, 0, 1]);
    t.dispose();
  });

  it('reads several tensors in the order given', () => {
    const v = floats(20, 6);
    const labels = Int32Array.from({ length: 5 }, (_, i) => i % 3);
    const x = tf.tensor(v, [5, 4]);
    const y = tf.tensor(labels, [5], 'int32');
    const [a, b] = readAll([x, y]);
    expect(bits(a)).toEqual(bits(v));
    expect(Array.from(b)).toEqual(Array.from(labels));
    expect(readAll([])).toEqual([]);
    tf.dispose([x, y]);
  });

  it('takes again a view that a later read detached (moving a tensor in can grow the heap)', () => {
    const v = floats(16, 7);
    const x = tf.tensor(v, [4, 4]);
    const y = tf.tensor([1, 2, 3], [3], 'int32');
    // A view of x over memory that the read of y then detaches, as a heap that grows does.
    const memory = new ArrayBuffer(v.byteLength);
    new Float32Array(memory).set(v);
    const seen: unknown[] = [];
    replaceHeapView((info: { dataId: object; dtype: string }) => {
      seen.push(info.dataId);
      if (seen.length === 1) return new Float32Array(memory);
      if (seen.length === 2) structuredClone(memory, { transfer: [memory] });
      return info.dtype === 'int32' ? Int32Array.from([1, 2, 3]) : Float32Array.from(v);
    });
    const [a, b] = readAll([x, y]);
    expect(bits(a)).toEqual(bits(v));
    expect(Array.from(b)).toEqual([1, 2, 3]);
    // On wasm: x, y, then x again; elsewhere the views are never asked for.
    expect(seen).toEqual(backend === 'wasm' ? [x.dataId, y.dataId, x.dataId] : []);
    tf.dispose([x, y]);
  });

  it('reads a tensor made while the other backend was active', async () => {
    const other = backend === 'wasm' ? 'cpu' : 'wasm';
    const v = floats(40, 5);
    await tf.setBackend(other);
    const x = tf.tensor(v, [4, 10]);
    await tf.setBackend(backend);
    expect(bits(readValues(x))).toEqual(bits(v));
    expect(bits(x.dataSync())).toEqual(bits(v));
    x.dispose();
  });
});
