/**
 * The contract every lovasz/tfjs loss keeps, as tests registered inside a describeEachBackend
 * body: the differentiability the losses promise with only tfjs-core loaded, exact agreement
 * with the core (the adapters must add no arithmetic of their own beyond float32 rounding), no
 * leaked tensor, no mutated input, and deterministic results.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  bits,
  KERNELS_WITHOUT_GRADIENT,
  type LossSpec,
  lossAndGrad,
  type Sample,
  scaleOp,
  snapshot,
  tensorsOf,
} from './helpers.js';

/** Asserts the premise of the differentiability tests: no kernel gradient is registered. */
export function onlyTfjsCoreLoaded(): void {
  it('runs with only tfjs-core and a backend: no kernel gradient is registered', () => {
    for (const kernel of KERNELS_WITHOUT_GRADIENT) expect(tf.getGradient(kernel)).toBeUndefined();
  });
}

/**
 * A variable to train: the input itself for losses of logits, else logits (the activation of
 * the spec maps them to probabilities, so that training keeps the input in [0, 1]).
 */
function trainable(spec: LossSpec, s: Sample, x: tf.Tensor): tf.Variable {
  // tidy disposes the initial value; the variable keeps its own reference to the data.
  return tf.tidy(() => tf.variable(spec.logits ? tf.tensor(spec.logits(1), s.xShape) : x));
}

export function lossContract(spec: LossSpec): void {
  const T = spec.title;
  const s = spec.sample(1);
  const expected = () => spec.core(s.x, s.y, s.xShape);

  it(`${T} returns a float32 scalar of shape [] inside tf.tidy, equal to the core loss`, () => {
    const { x, y } = tensorsOf(s);
    const loss = tf.tidy(() => spec.loss(x, y));
    expect(loss.shape).toEqual([]);
    expect(loss.rank).toBe(0);
    expect(loss.dtype).toBe('float32');
    expect(loss.isDisposed).toBe(false);
    expect(bits(loss.dataSync())).toEqual(bits([expected().loss]));
    tf.dispose([x, y, loss]);
  });

  it(`${T} is differentiable with tf.grad with only tfjs-core loaded; the gradient is the core's, bit for bit`, () => {
    const { x, y } = tensorsOf(s);
    const g = tf.grad((t: tf.Tensor) => spec.loss(t, y))(x);
    expect(g.shape).toEqual(s.xShape);
    expect(g.dtype).toBe('float32');
    expect(bits(g.dataSync())).toEqual(bits(expected().grad));
    // The sample must exercise the gradient, not only zeros.
    expect(expected().grad.some((v) => v !== 0)).toBe(true);
    tf.dispose([x, y, g]);
  });

  it(`${T} works with tf.valueAndGrad: value and gradient are the core's`, () => {
    const { x, y } = tensorsOf(s);
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => spec.loss(t, y))(x);
    const e = expected();
    expect(value.shape).toEqual([]);
    expect(bits(value.dataSync())).toEqual(bits([e.loss]));
    expect(bits(grad.dataSync())).toEqual(bits(e.grad));
    tf.dispose([x, y, value, grad]);
  });

  it(`${T}'s gradient scales with dy (dy = 3 passed to tf.grad, and chained through a customGrad x3)`, () => {
    const { x, y } = tensorsOf(s);
    const times3 = bits(Float32Array.from(expected().grad, (v) => 3 * v));
    // dy given explicitly to the function tf.grad returns.
    const dy = tf.scalar(3);
    const g1 = tf.grad((t: tf.Tensor) => spec.loss(t, y))(x, dy);
    expect(bits(g1.dataSync())).toEqual(times3);
    // dy = 3 coming from a downstream op: tf.mul has no registered gradient with tfjs-core
    // alone (see onlyTfjsCoreLoaded), so the x3 is a customGrad op of its own.
    const g2 = tf.grad((t: tf.Tensor) => scaleOp(3)(spec.loss(t, y)))(x);
    expect(bits(g2.dataSync())).toEqual(times3);
    const { value, grad: g3 } = tf.valueAndGrad((t: tf.Tensor) => spec.loss(t, y))(x, dy);
    expect(bits(value.dataSync())).toEqual(bits([expected().loss]));
    expect(bits(g3.dataSync())).toEqual(times3);
    tf.dispose([x, y, dy, g1, g2, g3, value]);
  });

  it(`${T} can be minimized by sgd over a tf.variable: one step moves it by -lr times the core gradient`, () => {
    const { x, y } = tensorsOf(s);
    const v = tf.variable(x);
    const lr = 0.5; // a power of two, so that -lr * g is exact in float32
    const opt = tf.train.sgd(lr);
    const cost = opt.minimize(() => spec.loss(v, y), true);
    expect(cost).not.toBeNull();
    expect(bits(cost!.dataSync())).toEqual(bits([expected().loss]));
    const g = expected().grad;
    expect(bits(v.dataSync())).toEqual(bits(Float32Array.from(s.x, (p, i) => p - lr * g[i])));
    tf.dispose([x, y, v, cost!]);
    opt.dispose();
  });

  it(`${T} can be minimized by adam over a tf.variable${spec.activation ? ' of logits through a customGrad activation' : ''}`, () => {
    const { x, y } = tensorsOf(s);
    const v = trainable(spec, s, x);
    const f = () => spec.loss(spec.activation ? spec.activation(v) : v, y);
    const opt = tf.train.adam(0.05);
    const before = snapshot(v);
    const cost = opt.minimize(f, true);
    expect(cost!.shape).toEqual([]);
    expect(Number.isFinite(cost!.dataSync()[0])).toBe(true);
    expect(snapshot(v)).not.toEqual(before);
    tf.dispose([x, y, v, cost!]);
    opt.dispose();
  });

  it(`${T} leaks no tensor: forward call, valueAndGrad step, optimizer step, failing call`, () => {
    const { x, y } = tensorsOf(s);
    const base = tf.memory().numTensors;
    // (a) a forward call whose output is disposed
    spec.loss(x, y).dispose();
    expect(tf.memory().numTensors).toBe(base);
    // (b) a valueAndGrad step whose outputs are disposed
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => spec.loss(t, y))(x);
    tf.dispose([value, grad]);
    expect(tf.memory().numTensors).toBe(base);
    // (c) optimizer steps: sgd keeps no state; adam creates its moments on the first step
    // only, so the count is taken after a warm-up step. The variable itself is excepted.
    // (sgd keeps its -lr scalar from construction on, so the count is taken after it.)
    // Probabilities are trained through their logits, which keeps them in [0, 1].
    const v = trainable(spec, s, x);
    const f = () => spec.loss(spec.activation ? spec.activation(v) : v, y);
    const sgd = tf.train.sgd(0.01);
    const withVar = tf.memory().numTensors;
    sgd.minimize(f);
    tf.dispose(sgd.minimize(f, true)!);
    expect(tf.memory().numTensors).toBe(withVar);
    const adam = tf.train.adam(0.01);
    adam.minimize(f);
    const warm = tf.memory().numTensors;
    adam.minimize(f);
    tf.dispose(adam.minimize(f, true)!);
    expect(tf.memory().numTensors).toBe(warm);
    adam.dispose();
    sgd.dispose();
    v.dispose();
    expect(tf.memory().numTensors).toBe(base);
    // (d) calls that throw inside the core (a label out of range), plain and under the tape
    const bad = tf.fill(s.yShape, 7, 'int32');
    const withBad = tf.memory().numTensors;
    expect(() => spec.loss(x, bad)).toThrow(RangeError);
    expect(() => tf.valueAndGrad((t: tf.Tensor) => spec.loss(t, bad))(x)).toThrow(RangeError);
    expect(tf.memory().numTensors).toBe(withBad);
    // ... and the engine is still usable for gradients afterwards
    const again = tf.grad((t: tf.Tensor) => spec.loss(t, y))(x);
    expect(bits(again.dataSync())).toEqual(bits(expected().grad));
    tf.dispose([again, bad, x, y]);
  });

  it(`${T} gives identical results for int32 labels and integer-valued float32 labels`, () => {
    const a = lossAndGrad(spec, s);
    const { x, y } = tensorsOf(s, 'float32');
    expect(y.dtype).toBe('float32');
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => spec.loss(t, y))(x);
    expect(bits(value.dataSync())).toEqual(bits([a.loss]));
    expect(bits(grad.dataSync())).toEqual(bits(a.grad));
    tf.dispose([x, y, value, grad]);
  });

  it(`${T} rejects labels that are not integers (RangeError naming 'labels' and the value)`, () => {
    const { x, y } = tensorsOf(s);
    const values = Float32Array.from(s.y);
    values[1] = 0.5;
    const frac = tf.tensor(values, s.yShape, 'float32');
    expect(() => spec.loss(x, frac)).toThrow(RangeError);
    expect(() => spec.loss(x, frac)).toThrow(
      new RegExp(`^${spec.fn}: 'labels' .*0\\.5 at index 1`),
    );
    tf.dispose([x, y, frac]);
  });

  it(`${T} never mutates its inputs (forward, tf.grad, tf.valueAndGrad)`, () => {
    const { x, y } = tensorsOf(s);
    const x0 = snapshot(x);
    const y0 = snapshot(y);
    spec.loss(x, y).dispose();
    tf.grad((t: tf.Tensor) => spec.loss(t, y))(x).dispose();
    const r = tf.valueAndGrad((t: tf.Tensor) => spec.loss(t, y))(x);
    tf.dispose([r.value, r.grad]);
    expect(snapshot(x)).toEqual(x0);
    expect(snapshot(y)).toEqual(y0);
    expect(x0).toEqual(Array.from(s.x));
    tf.dispose([x, y]);
  });

  it(`${T} is deterministic: the same input twice gives the same loss and gradient bits`, () => {
    const a = lossAndGrad(spec, s);
    const b = lossAndGrad(spec, s);
    expect(bits([b.loss])).toEqual(bits([a.loss]));
    expect(bits(b.grad)).toEqual(bits(a.grad));
  });

  it(`${T} equals the core (loss and gradient) on random shapes and values`, () => {
    const dims = fc.record({
      B: fc.integer({ min: 1, max: 3 }),
      H: fc.integer({ min: 1, max: 4 }),
      W: fc.integer({ min: 1, max: 4 }),
      C: fc.integer({ min: 2, max: 4 }),
    });
    fc.assert(
      fc.property(fc.integer(), dims, (seed, d) => {
        const r = spec.sample(seed, d);
        const e = spec.core(r.x, r.y, r.xShape);
        const got = lossAndGrad(spec, r);
        expect(bits([got.loss])).toEqual(bits([e.loss]));
        expect(bits(got.grad)).toEqual(bits(e.grad));
      }),
      { numRuns: 30 },
    );
  });
}
