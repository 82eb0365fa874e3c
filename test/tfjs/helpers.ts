/**
 * Shared fixtures of the lovasz/tfjs tests: seeded inputs, one spec per loss (the tfjs call and
 * the core call it must agree with), bit-level comparisons, and differentiable activations
 * written with tf.customGrad, because with only @tensorflow/tfjs-core loaded no kernel gradient
 * (Multiply, Softmax, Sigmoid, ...) is registered.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import * as core from '../../src/index.js';
import * as L from '../../src/tfjs/index.js';

/** Kernels whose gradients tfjs-core registers only through the union package (@tensorflow/tfjs). */
export const KERNELS_WITHOUT_GRADIENT = [
  'Multiply',
  'Add',
  'Sub',
  'Softmax',
  'Sigmoid',
  'Transpose',
];

import { rng } from '../rng.js';

export { rng };

/** The raw bits of float32 values: equal bits means equal values, sign of zero included. */
export function bits(values: ArrayLike<number>): number[] {
  return Array.from(new Uint32Array(Float32Array.from(values).buffer));
}

/** A copy of a tensor's values (dataSync may return the backend's own storage). */
export function snapshot(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** Inputs of one loss call, as plain arrays. */
export interface Sample {
  x: Float32Array;
  xShape: number[];
  y: Int32Array;
  yShape: number[];
}

export interface Dims {
  B: number;
  H: number;
  W: number;
  C: number;
}

export const DEFAULT_DIMS: Dims = { B: 2, H: 3, W: 4, C: 3 };

/** One public loss of lovasz/tfjs with fixed options, and the core function it wraps. */
export interface LossSpec {
  /** Shown in test names, e.g. "lovaszSoftmax (NCHW)". */
  title: string;
  /** The name the error messages use. */
  fn: string;
  loss: (x: tf.Tensor, y: tf.Tensor) => tf.Scalar;
  core: (x: ArrayLike<number>, y: ArrayLike<number>, xShape: number[]) => core.LossResult;
  sample: (seed: number, dims?: Dims) => Sample;
  /**
   * Maps unconstrained logits (of the shape of x) to the loss input, differentiably with only
   * tfjs-core; absent when the loss takes logits.
   */
  activation?: (logits: tf.Tensor) => tf.Tensor;
  /** Draws logits whose activation is a valid input, for training from scratch. */
  logits?: (seed: number, dims?: Dims) => Float32Array;
}

function uniform(r: () => number, n: number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** Labels in [0, classes), about one in eight replaced by `ignore` when given. */
function labels(r: () => number, n: number, classes: number, ignore: number | null): Int32Array {
  return Int32Array.from({ length: n }, () =>
    ignore !== null && r() < 0.125 ? ignore : Math.floor(r() * classes),
  );
}

/** Softmax over `axis` of float32 logits, in float64, rounded to float32 (all in [0, 1]). */
function softmaxArray(x: Float32Array, shape: number[], axis: number): Float32Array {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const C = shape[axis];
  const outer = x.length / (C * inner);
  const out = new Float32Array(x.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const at = (c: number) => (o * C + c) * inner + i;
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < C; c++) max = Math.max(max, x[at(c)]);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(x[at(c)] - max);
      for (let c = 0; c < C; c++) out[at(c)] = Math.exp(x[at(c)] - max) / sum;
    }
  return out;
}

/** Softmax over `axis` as a customGrad op: dx = p * (dy - sum(dy * p, axis)). */
export function softmaxOp(axis: number): (x: tf.Tensor) => tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const e = tf.exp(tf.sub(x, tf.max(x, axis, true)));
    const p = tf.div(e, tf.sum(e, axis, true));
    save([p]);
    return {
      value: p,
      gradFunc: (dy: tf.Tensor, [q]: tf.Tensor[]) =>
        tf.mul(q, tf.sub(dy, tf.sum(tf.mul(dy, q), axis, true))),
    };
  });
  return (x) => op(x);
}

/** Sigmoid as a customGrad op: dx = dy * p * (1 - p). */
export function sigmoidOp(x: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const p = tf.sigmoid(args[0] as tf.Tensor);
    (args[1] as tf.GradSaveFunc)([p]);
    return {
      value: p,
      gradFunc: (dy: tf.Tensor, [q]: tf.Tensor[]) => tf.mul(dy, tf.mul(q, tf.sub(1, q))),
    };
  });
  return op(x);
}

/** k * x as a customGrad op (Multiply has no registered gradient here): dx = k * dy. */
export function scaleOp(k: number): (x: tf.Tensor) => tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.mul(args[0] as tf.Tensor, k),
    gradFunc: (dy: tf.Tensor) => tf.mul(dy, k),
  }));
  return (x) => op(x);
}

const IGNORE = 255;

function probasSample(layout: 'NHWC' | 'NCHW') {
  return (seed: number, { B, H, W, C }: Dims = DEFAULT_DIMS): Sample => {
    const r = rng(seed);
    const xShape = layout === 'NHWC' ? [B, H, W, C] : [B, C, H, W];
    const x = softmaxArray(uniform(r, B * H * W * C, -3, 3), xShape, layout === 'NHWC' ? 3 : 1);
    return { x, xShape, y: labels(r, B * H * W, C, IGNORE), yShape: [B, H, W] };
  };
}

function logitsSample(withClasses: boolean, layout: 'NHWC' | 'NCHW' = 'NHWC') {
  return (seed: number, { B, H, W, C }: Dims = DEFAULT_DIMS): Sample => {
    const r = rng(seed);
    const xShape = !withClasses ? [B, H, W] : layout === 'NHWC' ? [B, H, W, C] : [B, C, H, W];
    const n = xShape.reduce((a, b) => a * b, 1);
    // A quarter-step grid makes ties between errors likely: their order must be deterministic.
    const x = uniform(r, n, -2, 2).map((v, i) => (i % 3 === 0 ? Math.round(v * 4) / 4 : v));
    return { x, xShape, y: labels(r, B * H * W, withClasses ? C : 2, IGNORE), yShape: [B, H, W] };
  };
}

function sigmoidSample(seed: number, dims: Dims = DEFAULT_DIMS): Sample {
  const s = logitsSample(false)(seed, dims);
  return { ...s, x: s.x.map((v) => 1 / (1 + Math.exp(-v))) };
}

const logitsOnly = (withClasses: boolean, layout: 'NHWC' | 'NCHW' = 'NHWC') => {
  const f = logitsSample(withClasses, layout);
  return (seed: number, dims?: Dims) => f(seed, dims).x;
};

export const hingeSpec: LossSpec = {
  title: 'lovaszHinge',
  fn: 'lovaszHinge',
  loss: (x, y) => L.lovaszHinge(x, y, { ignore: IGNORE }),
  core: (x, y, s) => core.lovaszHinge(x, y, s, { ignore: IGNORE }),
  sample: logitsSample(false),
};

export const softmaxNhwcSpec: LossSpec = {
  title: 'lovaszSoftmax (NHWC)',
  fn: 'lovaszSoftmax',
  loss: (x, y) => L.lovaszSoftmax(x, y, { ignore: IGNORE }),
  core: (x, y, s) => core.lovaszSoftmax(x, y, s, { ignore: IGNORE }),
  sample: probasSample('NHWC'),
  activation: softmaxOp(3),
  logits: logitsOnly(true),
};

export const softmaxNchwSpec: LossSpec = {
  title: 'lovaszSoftmax (NCHW, perImage)',
  fn: 'lovaszSoftmax',
  loss: (x, y) => L.lovaszSoftmax(x, y, { ignore: IGNORE, layout: 'NCHW', perImage: true }),
  core: (x, y, s) =>
    core.lovaszSoftmax(x, y, s, { ignore: IGNORE, layout: 'NCHW', perImage: true }),
  sample: probasSample('NCHW'),
  activation: softmaxOp(1),
  logits: logitsOnly(true, 'NCHW'),
};

export const sigmoidSpec: LossSpec = {
  title: 'lovaszSoftmax (Lovász-Sigmoid, rank 3)',
  fn: 'lovaszSoftmax',
  loss: (x, y) => L.lovaszSoftmax(x, y, { classes: [1], ignore: IGNORE }),
  core: (x, y, s) => core.lovaszSoftmax(x, y, s, { classes: [1], ignore: IGNORE }),
  sample: sigmoidSample,
  activation: sigmoidOp,
  logits: logitsOnly(false),
};

export const binaryXlossSpec: LossSpec = {
  title: 'binaryXloss',
  fn: 'binaryXloss',
  loss: (x, y) => L.binaryXloss(x, y, { ignore: IGNORE }),
  core: (x, y) => core.binaryXloss(x, y, { ignore: IGNORE }),
  sample: logitsSample(false),
};

export const xlossNhwcSpec: LossSpec = {
  title: 'xloss (NHWC)',
  fn: 'xloss',
  // The samples mark void pixels with 255.
  loss: (x, y) => L.xloss(x, y, { ignore: 255 }),
  core: (x, y, s) => core.xloss(x, y, s, { ignore: 255 }),
  sample: logitsSample(true),
};

export const xlossNchwSpec: LossSpec = {
  title: 'xloss (NCHW)',
  fn: 'xloss',
  loss: (x, y) => L.xloss(x, y, { layout: 'NCHW', ignore: 255 }),
  core: (x, y, s) => core.xloss(x, y, s, { layout: 'NCHW', ignore: 255 }),
  sample: logitsSample(true, 'NCHW'),
};

export const ALL_SPECS: LossSpec[] = [
  hingeSpec,
  softmaxNhwcSpec,
  softmaxNchwSpec,
  sigmoidSpec,
  binaryXlossSpec,
  xlossNhwcSpec,
  xlossNchwSpec,
];

/** The sample as tensors: x float32, y int32 (or float32 when asked). */
export function tensorsOf(s: Sample, labelDtype: 'int32' | 'float32' = 'int32') {
  return {
    x: tf.tensor(s.x, s.xShape, 'float32'),
    y: tf.tensor(Array.from(s.y), s.yShape, labelDtype),
  };
}

/** Loss value and gradient of a spec on a sample, through tf.valueAndGrad; disposes all. */
export function lossAndGrad(spec: LossSpec, s: Sample): { loss: number; grad: Float32Array } {
  const { x, y } = tensorsOf(s);
  const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => spec.loss(t, y))(x);
  const out = { loss: value.dataSync()[0], grad: Float32Array.from(grad.dataSync()) };
  tf.dispose([x, y, value, grad]);
  return out;
}

type ErrorClass = typeof TypeError | typeof RangeError;

/**
 * Asserts that `call` throws an error of class `type` whose message holds every fragment, and
 * that the failing call leaves no tensor behind.
 */
export function expectRejected(call: () => unknown, type: ErrorClass, fragments: string[]): void {
  const before = tf.memory().numTensors;
  let error: unknown;
  let result: unknown;
  try {
    result = call();
  } catch (e) {
    error = e;
  }
  if (result instanceof tf.Tensor) result.dispose();
  expect(error, 'the call should have thrown').toBeInstanceOf(type);
  const message = (error as Error).message;
  for (const f of fragments) expect(message).toContain(f);
  expect(tf.memory().numTensors, 'tensors left behind by the failing call').toBe(before);
}
