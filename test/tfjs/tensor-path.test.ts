/**
 * The tensor path of lovaszHinge and lovaszSoftmax (path: 'tensor'), in Node on cpu and wasm:
 * it must reproduce the golden vectors and the core path, check its options like the core,
 * leak nothing, and never be what 'auto' picks on these backends.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import * as L from '../../src/tfjs/index.js';
import { autoPath } from '../../src/tfjs/path.js';
import { type GoldenCase, golden, maxAbsDiff, nchwToNhwc, relErr } from '../golden.js';
import { describeEachBackend } from './backends.js';
import { rng } from './helpers.js';

const LOSS_TOL = 1e-6;
const GRAD_TOL = 1e-6;
const RANDOM_LOSS_TOL = 1e-5;

type Options = Record<string, unknown>;

/** Loss and gradient through tf.valueAndGrad; disposes everything it made. */
function valueAndGrad(
  x: tf.Tensor,
  f: (x: tf.Tensor) => tf.Scalar,
  back?: (g: tf.Tensor) => tf.Tensor,
): { loss: number; grad: Float32Array } {
  const { value, grad } = tf.valueAndGrad(f)(x);
  const g = back ? back(grad) : grad;
  const out = { loss: value.dataSync()[0], grad: Float32Array.from(g.dataSync()) };
  tf.dispose([value, grad, g]);
  return out;
}

/** A golden case of a Lovász loss on the given path, in the golden layout or transposed. */
function runCase(c: GoldenCase, layout: 'NHWC' | 'NCHW', path: 'tensor' | 'core') {
  const o = { ...(c.options ?? {}), path } as Options;
  const i = c.inputs;
  const y = tf.tensor(i.labels.data, i.labels.shape, 'int32');
  let x: tf.Tensor;
  let out: { loss: number; grad: Float32Array };
  if (c.fn === 'lovaszHinge') {
    x = tf.tensor(i.logits.data, i.logits.shape);
    out = valueAndGrad(x, (t) => L.lovaszHinge(t, y, o));
  } else if (i.layout !== 'NCHW' || layout === 'NCHW') {
    const opts = i.layout === 'NCHW' ? { ...o, layout: 'NCHW' } : o;
    x = tf.tensor(i.probas.data, i.probas.shape);
    out = valueAndGrad(x, (t) => L.lovaszSoftmax(t, y, opts));
  } else {
    const [B, C, H, W] = i.probas.shape;
    x = tf.tensor(nchwToNhwc(i.probas.data, i.probas.shape), [B, H, W, C]);
    out = valueAndGrad(
      x,
      (t) => L.lovaszSoftmax(t, y, o),
      (g) => tf.transpose(g, [0, 3, 1, 2]),
    );
  }
  tf.dispose([x, y]);
  return out;
}

const lovaszCases = golden.filter((c) => c.fn === 'lovaszHinge' || c.fn === 'lovaszSoftmax');

/** Random inputs of one Lovász loss: shapes, options and values drawn from a seed. */
interface RandomCase {
  fn: 'lovaszHinge' | 'lovaszSoftmax';
  x: Float32Array;
  xShape: number[];
  y: Int32Array;
  yShape: number[];
  options: Options;
}

function randomCase(seed: number): RandomCase {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const B = int(1, 3);
  const H = int(1, 6);
  const W = int(1, 7);
  const ignore = r() < 0.5 ? 255 : null;
  const perImage = r() < 0.5;
  const labelOf = (classes: number) =>
    Int32Array.from({ length: B * H * W }, () =>
      ignore !== null && r() < 0.15 ? ignore : int(0, classes - 1),
    );
  const kind = int(0, 3);
  if (kind === 0) {
    // Continuous logits: ties between errors have probability zero.
    const x = Float32Array.from({ length: B * H * W }, () => (r() - 0.5) * 6);
    return {
      fn: 'lovaszHinge',
      x,
      xShape: [B, H, W],
      y: labelOf(2),
      yShape: [B, H, W],
      options: { perImage, ignore },
    };
  }
  if (kind === 1) {
    const x = Float32Array.from({ length: B * H * W }, () => r());
    const options = { classes: [int(0, 1)], perImage, ignore };
    return { fn: 'lovaszSoftmax', x, xShape: [B, H, W], y: labelOf(2), yShape: [B, H, W], options };
  }
  const C = int(2, 5);
  const layout = kind === 2 ? 'NHWC' : 'NCHW';
  const xShape = layout === 'NHWC' ? [B, H, W, C] : [B, C, H, W];
  const x = Float32Array.from({ length: B * H * W * C }, () => r());
  const pick = int(0, 2);
  const classes =
    pick === 0 ? 'present' : pick === 1 ? 'all' : [...new Set([int(0, C - 1), int(0, C - 1)])];
  return {
    fn: 'lovaszSoftmax',
    x,
    xShape,
    y: labelOf(C),
    yShape: [B, H, W],
    options: { classes, perImage, ignore, layout },
  };
}

/** The loss of a random case, as one call signature (the public functions are overloaded). */
function lossFn(fn: RandomCase['fn']): (x: tf.Tensor, y: tf.Tensor, o: Options) => tf.Scalar {
  return fn === 'lovaszHinge'
    ? (x, y, o) => L.lovaszHinge(x, y, o)
    : (x, y, o) => L.lovaszSoftmax(x, y, o);
}

function runRandom(c: RandomCase, path: 'tensor' | 'core') {
  const x = tf.tensor(c.x, c.xShape, 'float32');
  const y = tf.tensor(c.y, c.yShape, 'int32');
  const o = { ...c.options, path };
  const f = lossFn(c.fn);
  const out = valueAndGrad(x, (t) => f(t, y, o));
  tf.dispose([x, y]);
  return out;
}

describeEachBackend('tensor path (path: tensor)', (backend) => {
  it(`'auto' picks the core path on ${backend}`, () => {
    expect(autoPath()).toBe('core');
    const c = randomCase(7);
    const core1 = runRandom(c, 'core');
    const x = tf.tensor(c.x, c.xShape);
    const y = tf.tensor(c.y, c.yShape, 'int32');
    const f = lossFn(c.fn);
    for (const o of [c.options, { ...c.options, path: 'auto' }]) {
      const auto = valueAndGrad(x, (t) => f(t, y, o));
      expect(auto.loss).toBe(core1.loss);
      expect(Array.from(auto.grad)).toEqual(Array.from(core1.grad));
    }
    tf.dispose([x, y]);
  });

  for (const layout of ['NHWC', 'NCHW'] as const) {
    for (const c of lovaszCases) {
      if (c.fn === 'lovaszHinge' && layout === 'NCHW') continue;
      it(`${c.name} (${c.fn === 'lovaszHinge' ? 'BHW' : layout}) matches the golden values and leaks no tensor`, () => {
        const before = tf.memory().numTensors;
        const { loss, grad } = runCase(c, layout, 'tensor');
        expect(tf.memory().numTensors).toBe(before);
        expect(relErr(loss, c.expected.loss!)).toBeLessThanOrEqual(LOSS_TOL);
        if (c.expected.grad && !c.ties) {
          expect(maxAbsDiff(grad, c.expected.grad.data)).toBeLessThanOrEqual(GRAD_TOL);
        }
        // Ties are ordered by pixel index on both paths, so even there the gradients agree.
        expect(maxAbsDiff(grad, runCase(c, layout, 'core').grad)).toBeLessThanOrEqual(GRAD_TOL);
      });
    }
  }

  it('agrees with the core path on random shapes, options and values', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const c = randomCase(seed);
        const t = runRandom(c, 'tensor');
        const e = runRandom(c, 'core');
        expect(relErr(t.loss, e.loss)).toBeLessThanOrEqual(RANDOM_LOSS_TOL);
        expect(maxAbsDiff(t.grad, e.grad)).toBeLessThanOrEqual(GRAD_TOL);
      }),
      { numRuns: 60 },
    );
  });

  it('gives loss 0 and a zero gradient when every pixel is void, and handles empty inputs', () => {
    const y = tf.fill([2, 3, 4], 255, 'int32');
    const h = valueAndGrad(tf.ones([2, 3, 4]), (t) =>
      L.lovaszHinge(t, y, { ignore: 255, path: 'tensor' }),
    );
    expect(h.loss).toBe(0);
    expect(h.grad.every((v) => v === 0)).toBe(true);
    for (const perImage of [false, true]) {
      const s = valueAndGrad(tf.fill([2, 3, 4, 3], 1 / 3), (t) =>
        L.lovaszSoftmax(t, y, { ignore: 255, perImage, path: 'tensor' }),
      );
      expect(s.loss).toBe(0);
      expect(s.grad.every((v) => v === 0)).toBe(true);
    }
    const empty = tf.zeros([0, 3, 4], 'int32');
    const e = valueAndGrad(tf.zeros([0, 3, 4, 2]), (t) =>
      L.lovaszSoftmax(t, empty, { path: 'tensor' }),
    );
    expect(e.loss).toBe(0);
    expect(e.grad).toHaveLength(0);
    tf.dispose([y, empty]);
  });

  it('scales the gradient by dy and is deterministic', () => {
    const c = randomCase(11);
    const x = tf.tensor(c.x, c.xShape);
    const y = tf.tensor(c.y, c.yShape, 'int32');
    const f = lossFn(c.fn);
    const loss = (t: tf.Tensor) => f(t, y, { ...c.options, path: 'tensor' });
    const g1 = tf.grad(loss)(x);
    const dy = tf.scalar(3);
    const g3 = tf.grad(loss)(x, dy);
    const again = tf.grad(loss)(x);
    expect(Array.from(again.dataSync())).toEqual(Array.from(g1.dataSync()));
    expect(
      maxAbsDiff(
        g3.dataSync(),
        Float32Array.from(g1.dataSync(), (v) => 3 * v),
      ),
    ).toBe(0);
    tf.dispose([x, y, g1, g3, again, dy]);
  });

  it('leaks no tensor: forward call, valueAndGrad step, sgd step, failing call', () => {
    const x = tf.tensor(
      Float32Array.from({ length: 2 * 4 * 5 * 3 }, (_, i) => (i % 7) / 7),
      [2, 4, 5, 3],
    );
    const y = tf.tensor(
      Int32Array.from({ length: 40 }, (_, i) => (i % 9 === 0 ? 255 : i % 3)),
      [2, 4, 5],
      'int32',
    );
    const logits = tf.tensor(
      Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)),
      [2, 4, 5],
    );
    const yb = tf.tensor(
      Int32Array.from({ length: 40 }, (_, i) => i % 2),
      [2, 4, 5],
      'int32',
    );
    const calls: [(t: tf.Tensor) => tf.Scalar, tf.Tensor][] = [
      [(t) => L.lovaszSoftmax(t, y, { ignore: 255, path: 'tensor' }), x],
      [(t) => L.lovaszSoftmax(t, y, { ignore: 255, classes: [2], path: 'tensor' }), x],
      [(t) => L.lovaszHinge(t, yb, { path: 'tensor' }), logits],
    ];
    for (const [f, input] of calls) {
      const base = tf.memory().numTensors;
      f(input).dispose();
      expect(tf.memory().numTensors).toBe(base);
      const { value, grad } = tf.valueAndGrad(f)(input);
      tf.dispose([value, grad]);
      expect(tf.memory().numTensors).toBe(base);
      const v = tf.variable(input);
      const sgd = tf.train.sgd(0.01);
      const withVar = tf.memory().numTensors;
      tf.dispose(sgd.minimize(() => f(v), true)!);
      sgd.minimize(() => f(v));
      expect(tf.memory().numTensors).toBe(withVar);
      sgd.dispose();
      v.dispose();
      expect(tf.memory().numTensors).toBe(base);
    }
    const base = tf.memory().numTensors;
    expect(() => L.lovaszSoftmax(x, y, { classes: [9], path: 'tensor' })).toThrow(RangeError);
    expect(() =>
      tf.grad((t: tf.Tensor) => L.lovaszHinge(t, yb, { path: 'gpu' } as never))(logits),
    ).toThrow(RangeError);
    expect(tf.memory().numTensors).toBe(base);
    tf.dispose([x, y, logits, yb]);
  });

  it("rejects a bad 'path' naming the function, the argument and the value", () => {
    const x = tf.fill([1, 2, 2, 2], 0.5);
    const y = tf.zeros([1, 2, 2], 'int32');
    const logits = tf.zeros([1, 2, 2]);
    expect(() => L.lovaszSoftmax(x, y, { path: 'gpu' } as never)).toThrow(
      new RangeError("lovaszSoftmax: 'path' must be 'auto', 'core' or 'tensor', got 'gpu'"),
    );
    expect(() => L.lovaszHinge(logits, y, { path: 'GPU' } as never)).toThrow(
      new RangeError("lovaszHinge: 'path' must be 'auto', 'core' or 'tensor', got 'GPU'"),
    );
    expect(() => L.lovaszHinge(logits, y, { path: 1 } as never)).toThrow(
      new TypeError("lovaszHinge: 'path' must be 'auto', 'core' or 'tensor', got 1"),
    );
    expect(() => L.lovaszSoftmax(x, y, { path: null } as never)).toThrow(TypeError);
    tf.dispose([x, y, logits]);
  });

  it('rejects bad options, layouts and class lists with the same errors as the core path', () => {
    const x = tf.fill([1, 2, 3, 3], 1 / 3);
    const xs = tf.fill([1, 2, 3], 0.5);
    const y = tf.zeros([1, 2, 3], 'int32');
    const softmaxBad: Options[] = [
      { per_image: true },
      { perImage: 1 },
      { ignore: 'void' },
      { ignore: null, classes: [] },
      { classes: [3] },
      { classes: [0, 0] },
      { classes: 'some' },
      { layout: 'HWC' },
      { perImage: null },
    ];
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    for (const bad of softmaxBad) {
      const viaCore = message(() => L.lovaszSoftmax(x, y, { ...bad, path: 'core' }));
      expect(viaCore).not.toBe('no error');
      expect(message(() => L.lovaszSoftmax(x, y, { ...bad, path: 'tensor' }))).toBe(viaCore);
    }
    for (const bad of [{ classes: 'present' }, { classes: [0, 1] }, { classes: 'all' }]) {
      const viaCore = message(() => L.lovaszSoftmax(xs, y, { ...bad, path: 'core' } as Options));
      expect(viaCore).toMatch(/Lovász-Sigmoid/);
      expect(message(() => L.lovaszSoftmax(xs, y, { ...bad, path: 'tensor' } as Options))).toBe(
        viaCore,
      );
    }
    for (const bad of [{ perImage: 'yes' }, { ignore: 1.5 }, { layout: 'NHWC' }]) {
      const viaCore = message(() => L.lovaszHinge(xs, y, { ...bad, path: 'core' } as Options));
      expect(viaCore).not.toBe('no error');
      expect(message(() => L.lovaszHinge(xs, y, { ...bad, path: 'tensor' } as Options))).toBe(
        viaCore,
      );
    }
    // Rank and shape errors come before the path is chosen.
    const wrong = tf.zeros([1, 3, 2], 'int32');
    for (const path of ['core', 'tensor'] as const) {
      expect(() => L.lovaszSoftmax(x, wrong, { path })).toThrow(/'labels' must have shape/);
      // A [1, 2, 3, 3] volume of logits needs labels of its shape, not [1, 2, 3].
      expect(() => L.lovaszHinge(x, y, { path })).toThrow(
        /'labels' must have shape \[1, 2, 3, 3\]/,
      );
    }
    tf.dispose([x, xs, y, wrong]);
  });
});
