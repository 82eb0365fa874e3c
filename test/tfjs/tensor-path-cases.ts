/**
 * The cases of the tensor path (the lovasz/tfjs losses with path 'tensor', which hand their
 * resolved options to src/tfjs/tensor-path) against the core, option by
 * option: random shapes, options and values drawn from a seed, plus the edge cases (all void,
 * a fully void image with perImage, one pixel, one valid pixel). {@link compareCase} runs the
 * tensor-path function and its gradient (tf.grad, with dy) and the core function on the same
 * data, and reports reads back, leaked tensors and the differences. No vitest import: the
 * browser test page runs the same cases on webgl and webgpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import { binaryXloss as coreBinaryXloss } from '../../src/core/binary-xloss.js';
import { lovaszHinge as coreHinge } from '../../src/core/hinge.js';
import type { LossResult } from '../../src/core/loss-result.js';
import { lovaszMultilabel as coreMultilabel } from '../../src/core/multilabel.js';
import type { ClassSelection } from '../../src/core/options/common-options.js';
import type { Reduction } from '../../src/core/reduction.js';
import { lovaszSoftmax as coreSoftmax } from '../../src/core/softmax.js';
import { xloss as coreXloss } from '../../src/core/xloss.js';
import * as L from '../../src/tfjs/index.js';
import { lovaszSoftmaxOnDevice, softmaxItemClasses } from '../../src/tfjs/tensor-path/index.js';
import { maxAbsDiff, relErr } from '../compare.js';
import { rng } from '../rng.js';

export const LOSS_TOL = 1e-4;
export const GRAD_TOL = 1e-5;
const VOID = 255;

/** One comparison: the tensor path's call and the core's, on the same data. */
export interface OptionCase {
  /** What the case is, for failure messages. */
  name: string;
  x: Float32Array;
  xShape: number[];
  y: Int32Array;
  yShape: number[];
  /** The tensor-path call. */
  device(x: tf.Tensor, y: tf.Tensor): tf.Tensor;
  /** The core call, and the items its value corresponds to. */
  core(): { value: number[]; grad: Float32Array };
  /** The upstream gradient: one per item of the value ('none'), or a scalar. */
  dy: number[];
}

/** The methods that read a tensor's values into main memory. */
const TENSOR_READS = ['dataSync', 'data', 'arraySync', 'array', 'bufferSync', 'buffer'] as const;

/**
 * Counts the reads back while `f` runs: every call of a tensor's dataSync, data, arraySync,
 * array, bufferSync or buffer, and on webgl and webgpu every backend read (readSync, read) of
 * data that is not already in main memory, which also catches a kernel handing its work to
 * the CPU. (A small tensor made with tf.tensor keeps its values in main memory, and the GPU
 * backends read those for tiny CPU-side ops: no download. On cpu and wasm the kernels read
 * their inputs from the backend as a matter of course: only the tensor-level reads count.)
 */
export function countReads<T>(f: () => T): { result: T; reads: number } {
  const backend = tf.backend() as unknown as Record<string, unknown>;
  const gpu = tf.getBackend() === 'webgl' || tf.getBackend() === 'webgpu';
  const store = (backend.tensorMap ?? backend.texData) as
    | { get(id: unknown): { values?: unknown } | undefined }
    | undefined;
  let reads = 0;
  const restore: (() => void)[] = [];
  const wrap = (
    target: Record<string, unknown>,
    key: string,
    counts: (a: unknown[]) => boolean,
  ) => {
    const original = target[key] as (...a: unknown[]) => unknown;
    target[key] = function (this: unknown, ...args: unknown[]) {
      if (counts(args)) reads++;
      return original.apply(this, args);
    };
    restore.push(() => {
      target[key] = original;
    });
  };
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  for (const key of TENSOR_READS) wrap(proto, key, () => true);
  if (gpu) {
    for (const key of ['readSync', 'read'])
      wrap(backend, key, (a) => store?.get(a[0])?.values == null);
  }
  try {
    return { result: f(), reads };
  } finally {
    for (const r of restore) r();
  }
}

/** Runs a case on the tensor path; returns value, gradient, reads and leaked tensors. */
export async function runOnDevice(c: OptionCase) {
  const x = tf.tensor(c.x, c.xShape, 'float32');
  const y = tf.tensor(c.y, c.yShape, 'int32');
  // Inputs made on the device (an op's output), as a model's output would be.
  const [xd, yd] = tf.tidy(() => [tf.add(x, tf.scalar(0)), tf.add(y, tf.scalar(0, 'int32'))]);
  const dy = c.dy.length === 1 && c.dy[0] === 1 ? undefined : tf.tensor(c.dy);
  const before = tf.memory().numTensors;
  const { result, reads } = countReads(() => {
    const value = c.device(xd, yd);
    const dyT = dy ? tf.reshape(dy, value.shape) : undefined;
    const grad = tf.grad((t: tf.Tensor) => c.device(t, yd))(xd, dyT);
    return { value, grad, dyT };
  });
  // data(), not dataSync(): webgpu in Node has no synchronous read (it needs OffscreenCanvas).
  const value = Array.from(await result.value.data());
  const grad = Float32Array.from(await result.grad.data());
  const shapes = { value: result.value.shape, grad: result.grad.shape };
  tf.dispose([result.value, result.grad, result.dyT as tf.Tensor]);
  const leaked = tf.memory().numTensors - before;
  tf.dispose([x, y, xd, yd, dy as tf.Tensor]);
  return { value, grad, reads, leaked, shapes };
}

/** Fixed dimensions of a case (else drawn from the seed). */
export interface Dims {
  B: number;
  H: number;
  W: number;
  C: number;
}

type R = () => number;
const int = (r: R, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** Labels in [0, classes) with some void, and optionally a fully void first image. */
function labelsOf(
  r: R,
  B: number,
  P: number,
  classes: number,
  ignore: number | null,
  voidImage: boolean,
) {
  return Int32Array.from({ length: B * P }, (_, i) =>
    ignore !== null && ((voidImage && i < P) || r() < 0.2) ? ignore : int(r, 0, classes - 1),
  );
}

function weightsOf(r: R, n: number): number[] | null {
  if (r() < 0.5) return null;
  return Array.from({ length: n }, () => (r() < 0.2 ? 0 : Math.round(r() * 200) / 100));
}

/** dy of a 'none' reduction: random per item (perImage) or ones (per class, per pixel). */
function dyOf(r: R, reduction: Reduction, items: number, random: boolean): number[] {
  if (reduction !== 'none') return [1];
  return Array.from({ length: items }, () => (random ? Math.round((r() * 4 - 1) * 100) / 100 : 1));
}

/** The core's gradient of sum_b dy_b l_b with per-image items: its per-image grad, scaled. */
function scaleByImage(grad: Float32Array, dy: number[], B: number): Float32Array {
  if (dy.length !== B) return grad;
  const per = grad.length / B;
  return Float32Array.from(grad, (g, i) => g * dy[Math.floor(i / per)]);
}

/** Softmax / sigmoid cases: x [B, H, W, C], [B, C, H, W] or [B, H, W]. */
export function softmaxCase(seed: number, dims?: Dims): OptionCase {
  const r = rng(seed);
  const B = dims?.B ?? int(r, 1, 2);
  const H = dims?.H ?? int(r, 1, 4);
  const W = dims?.W ?? int(r, 1, 4);
  const C = dims?.C ?? pick(r, [1, 2, 3, 4]);
  const P = H * W;
  const sigmoid = C === 1;
  const nchw = !sigmoid && r() < 0.5;
  const fromLogits = r() < 0.5;
  const perImage = r() < 0.5;
  const ignore = r() < 0.6 ? VOID : null;
  const voidImage = ignore !== null && B > 1 && r() < 0.3;
  const reduction = pick(r, ['mean', 'sum', 'none'] as const);
  const numClasses = sigmoid ? 2 : C;
  const classes: ClassSelection = sigmoid
    ? [int(r, 0, 1)]
    : pick(r, ['present', 'all', 'list'] as const) === 'list'
      ? [...new Set([int(r, 0, C - 1), int(r, 0, C - 1)])]
      : pick(r, ['present', 'all'] as const);
  const classWeights = weightsOf(r, numClasses);
  const xShape = sigmoid ? [B, H, W] : nchw ? [B, C, H, W] : [B, H, W, C];
  const x = Float32Array.from({ length: B * P * C }, () => (fromLogits ? (r() - 0.5) * 6 : r()));
  const y = labelsOf(r, B, P, numClasses, ignore, voidImage);
  const options = {
    classes,
    perImage,
    ignore,
    layout: nchw ? 'NCHW' : 'NHWC',
    fromLogits,
    classWeights,
    reduction,
  } as const;
  // The candidate classes, the items of reduction 'none' without perImage.
  const ids = softmaxItemClasses({ geo: { channels: C }, classes });
  const dy = dyOf(r, reduction, perImage ? B : ids.length, perImage);
  return {
    name: `lovaszSoftmax seed ${seed} ${JSON.stringify({ xShape, ...options, voidImage })}`,
    x,
    xShape,
    y,
    yShape: [B, H, W],
    dy,
    device: (t, l) => L.lovaszSoftmax(t, l, { ...options, path: 'tensor' }),
    core: () => classItems(coreSoftmax(x, y, xShape, options), reduction, perImage, ids, dy, B),
  };
}

/** A core result as the tensor path's items: [B], [K] over candidate classes, or a scalar. */
function classItems(
  res: LossResult,
  reduction: Reduction,
  perImage: boolean,
  ids: number[],
  dy: number[],
  B: number,
) {
  if (reduction !== 'none') return { value: [res.loss], grad: res.grad };
  if (perImage) return { value: Array.from(res.losses!), grad: scaleByImage(res.grad, dy, B) };
  const value = ids.map(() => 0);
  res.classes!.forEach((c, k) => {
    value[ids.indexOf(c)] = res.losses![k];
  });
  return { value, grad: res.grad };
}

/** Lovász hinge cases: logits and labels [B, H, W]. */
export function hingeCase(seed: number, dims?: { B: number; H: number; W: number }): OptionCase {
  const r = rng(seed);
  const B = dims?.B ?? int(r, 1, 3);
  const H = dims?.H ?? int(r, 1, 4);
  const W = dims?.W ?? int(r, 1, 5);
  const P = H * W;
  const perImage = r() < 0.5;
  const ignore = r() < 0.6 ? VOID : null;
  const voidImage = ignore !== null && B > 1 && r() < 0.3;
  const variant = pick(r, ['relu', 'elu+1'] as const);
  const symmetric = r() < 0.5;
  const reduction = pick(r, ['mean', 'sum', 'none'] as const);
  const x = Float32Array.from({ length: B * P }, () => (r() - 0.5) * 6);
  const y = labelsOf(r, B, P, 2, ignore, voidImage);
  const options = { perImage, ignore, variant, symmetric, reduction } as const;
  const groups = perImage ? B : 1;
  const dy = dyOf(r, reduction, groups, true);
  return {
    name: `lovaszHinge seed ${seed} ${JSON.stringify({ shape: [B, H, W], ...options, voidImage })}`,
    x,
    xShape: [B, H, W],
    y,
    yShape: [B, H, W],
    dy,
    device: (t, l) => L.lovaszHinge(t, l, { ...options, path: 'tensor' }),
    core: () => {
      const res = coreHinge(x, y, [B, H, W], { ...options, kernel: 'js' });
      if (reduction !== 'none') return { value: [res.loss], grad: res.grad };
      return { value: Array.from(res.losses!), grad: scaleByImage(res.grad, dy, groups) };
    },
  };
}

/** Multilabel cases: probas (or logits) and targets [B, H, W, C] or [B, C, H, W]. */
export function multilabelCase(seed: number, dims?: Dims): OptionCase {
  const r = rng(seed);
  const B = dims?.B ?? int(r, 1, 2);
  const H = dims?.H ?? int(r, 1, 3);
  const W = dims?.W ?? int(r, 1, 4);
  const C = dims?.C ?? int(r, 1, 4);
  const P = H * W;
  const nchw = r() < 0.5;
  const fromLogits = r() < 0.5;
  const perImage = r() < 0.5;
  const ignore = r() < 0.6 ? VOID : null;
  const reduction = pick(r, ['mean', 'sum', 'none'] as const);
  const classes: ClassSelection =
    pick(r, ['present', 'all', 'list'] as const) === 'list'
      ? [...new Set([int(r, 0, C - 1), int(r, 0, C - 1)])]
      : pick(r, ['present', 'all'] as const);
  const classWeights = weightsOf(r, C);
  const xShape = nchw ? [B, C, H, W] : [B, H, W, C];
  const x = Float32Array.from({ length: B * P * C }, () => (fromLogits ? (r() - 0.5) * 6 : r()));
  const y = Int32Array.from({ length: B * P * C }, () =>
    ignore !== null && r() < 0.2 ? ignore : r() < 0.4 ? 1 : 0,
  );
  const options = {
    classes,
    perImage,
    ignore,
    layout: nchw ? 'NCHW' : 'NHWC',
    fromLogits,
    classWeights,
    reduction,
  } as const;
  // The candidate classes, the items of reduction 'none' without perImage.
  const ids = softmaxItemClasses({ geo: { channels: C }, classes });
  const dy = dyOf(r, reduction, perImage ? B : ids.length, perImage);
  return {
    name: `lovaszMultilabel seed ${seed} ${JSON.stringify({ xShape, ...options })}`,
    x,
    xShape,
    y,
    yShape: xShape,
    dy,
    device: (t, l) => L.lovaszMultilabel(t, l, { ...options, path: 'tensor' }),
    core: () => classItems(coreMultilabel(x, y, xShape, options), reduction, perImage, ids, dy, B),
  };
}

/** Softmax cross-entropy cases: logits [B, H, W, C] or [B, C, H, W], labels [B, H, W]. */
export function xlossCase(seed: number, dims?: Dims): OptionCase {
  const r = rng(seed);
  const B = dims?.B ?? int(r, 1, 2);
  const H = dims?.H ?? int(r, 1, 3);
  const W = dims?.W ?? int(r, 1, 4);
  const C = dims?.C ?? int(r, 2, 4);
  const P = H * W;
  const nchw = r() < 0.5;
  const ignore = r() < 0.6 ? VOID : null;
  const reduction = pick(r, ['mean', 'sum', 'none'] as const);
  const xShape = nchw ? [B, C, H, W] : [B, H, W, C];
  const x = Float32Array.from({ length: B * P * C }, () => (r() - 0.5) * 6);
  const y = labelsOf(r, B, P, C, ignore, false);
  const options = { ignore, layout: nchw ? 'NCHW' : 'NHWC', reduction } as const;
  return {
    name: `xloss seed ${seed} ${JSON.stringify({ xShape, ...options })}`,
    x,
    xShape,
    y,
    yShape: [B, H, W],
    dy: dyOf(r, reduction, B * P, false),
    device: (t, l) => L.xloss(t, l, { ...options, path: 'tensor' }),
    core: () => {
      const res = coreXloss(x, y, xShape, options);
      return { value: reduction === 'none' ? Array.from(res.losses!) : [res.loss], grad: res.grad };
    },
  };
}

/** Binary cross-entropy cases: logits and labels [B, H, W]. */
export function binaryXlossCase(seed: number, dims?: Dims): OptionCase {
  const r = rng(seed);
  const shape = dims ? [dims.B, dims.H, dims.W] : [int(r, 1, 2), int(r, 1, 3), int(r, 1, 4)];
  const n = shape[0] * shape[1] * shape[2];
  const ignore = r() < 0.6 ? VOID : null;
  const reduction = pick(r, ['mean', 'sum', 'none'] as const);
  const x = Float32Array.from({ length: n }, () => (r() - 0.5) * 6);
  const y = labelsOf(r, 1, n, 2, ignore, false);
  return {
    name: `binaryXloss seed ${seed} ${JSON.stringify({ shape, ignore, reduction })}`,
    x,
    xShape: shape,
    y,
    yShape: shape,
    dy: dyOf(r, reduction, n, false),
    device: (t, l) => L.binaryXloss(t, l, { ignore, reduction, path: 'tensor' }),
    core: () => {
      const res = coreBinaryXloss(x, y, { ignore, reduction });
      return { value: reduction === 'none' ? Array.from(res.losses!) : [res.loss], grad: res.grad };
    },
  };
}

/** Every case with every pixel void, one pixel, or one valid pixel (a seed picks the rest). */
export function edgeCases(): OptionCase[] {
  const out: OptionCase[] = [];
  const edit = (c: OptionCase, name: string, y: (i: number) => number): OptionCase => {
    c.y.forEach((_, i) => {
      c.y[i] = y(i);
    });
    return { ...c, name: `${name}: ${c.name}` };
  };
  for (let s = 0; s < 6; s++) {
    // Seeds whose draws include ignore 255 (checked by the name), for the void edits.
    const soft = softmaxCase(1000 + s, { B: 2, H: 2, W: 3, C: s % 2 ? 3 : 1 });
    const hinge = hingeCase(2000 + s, { B: 2, H: 2, W: 3 });
    if (soft.name.includes('"ignore":255')) {
      out.push(
        edit(softmaxCase(1000 + s, { B: 2, H: 2, W: 3, C: s % 2 ? 3 : 1 }), 'all void', () => VOID),
      );
      out.push(
        edit(
          softmaxCase(1000 + s, { B: 2, H: 2, W: 3, C: s % 2 ? 3 : 1 }),
          'one valid pixel',
          (i) => (i === 4 ? 0 : VOID),
        ),
      );
    }
    if (hinge.name.includes('"ignore":255')) {
      out.push(edit(hingeCase(2000 + s, { B: 2, H: 2, W: 3 }), 'all void', () => VOID));
      out.push(
        edit(hingeCase(2000 + s, { B: 2, H: 2, W: 3 }), 'one valid pixel', (i) =>
          i === 7 ? 1 : VOID,
        ),
      );
    }
    out.push({
      ...softmaxCase(3000 + s, { B: 1, H: 1, W: 1, C: s % 2 ? 2 : 1 }),
      name: `one pixel: ${softmaxCase(3000 + s, { B: 1, H: 1, W: 1, C: s % 2 ? 2 : 1 }).name}`,
    });
    out.push({
      ...hingeCase(4000 + s, { B: 1, H: 1, W: 1 }),
      name: `one pixel: ${hingeCase(4000 + s, { B: 1, H: 1, W: 1 }).name}`,
    });
  }
  return out;
}

/** The outcome of one case, for the tests to assert. */
export interface CaseResult {
  name: string;
  reads: number;
  leaked: number;
  gradShapeOk: boolean;
  /** Items of the tensor path and of the core. */
  items: [number, number];
  /** The worst relative loss error over the items (0 when both are 0). */
  lossErr: number;
  gradErr: number;
}

/** Runs one case on the tensor path and in the core. */
export async function compareCase(c: OptionCase): Promise<CaseResult> {
  const got = await runOnDevice(c);
  const want = c.core();
  let lossErr = 0;
  got.value.forEach((v, i) => {
    const e = want.value[i] ?? Number.NaN;
    lossErr = Math.max(lossErr, e === 0 && v === 0 ? 0 : relErr(v, e));
  });
  return {
    name: c.name,
    reads: got.reads,
    leaked: got.leaked,
    gradShapeOk: JSON.stringify(got.shapes.grad) === JSON.stringify(c.xShape),
    items: [got.value.length, want.value.length],
    lossErr,
    gradErr: maxAbsDiff(got.grad, want.grad),
  };
}

/** The families of random cases, by title. */
export const FAMILIES: [string, (seed: number) => OptionCase][] = [
  ['lovaszSoftmax / Lovász-Sigmoid', (s) => softmaxCase(s)],
  ['lovaszHinge', (s) => hingeCase(s)],
  ['lovaszMultilabel', (s) => multilabelCase(s)],
  ['xloss', (s) => xlossCase(s)],
  ['binaryXloss', (s) => binaryXlossCase(s)],
];

/**
 * The same families on fixed shapes ([2, 3, 4] pixels; 3 channels, or 1 for every other
 * softmax seed): webgl compiles a shader per op and shape, which on SwiftShader costs about a
 * second each, so the browser runs reuse a few shapes and vary the options only.
 */
export const FIXED_FAMILIES: [string, (seed: number) => OptionCase][] = [
  ['lovaszSoftmax / Lovász-Sigmoid', (s) => softmaxCase(s, { B: 2, H: 3, W: 4, C: s % 2 ? 3 : 1 })],
  ['lovaszHinge', (s) => hingeCase(s, { B: 2, H: 3, W: 4 })],
  ['lovaszMultilabel', (s) => multilabelCase(s, { B: 2, H: 3, W: 4, C: 3 })],
  ['xloss', (s) => xlossCase(s, { B: 2, H: 3, W: 4, C: 3 })],
  ['binaryXloss', (s) => binaryXlossCase(s, { B: 2, H: 3, W: 4, C: 1 })],
];

/**
 * A short training run on the tensor path: `steps` adam steps (learning rate 0.1) on a
 * variable of small logits [2, 6, 6, 3] under the Lovász-Softmax with the softmax fused
 * (fromLogits), perImage, 'present' classes and void pixels. Returns the loss of each step and
 * the reads back counted during each minimize call.
 */
export async function trainOnDevice(steps: number): Promise<{ losses: number[]; reads: number[] }> {
  const r = rng(5);
  const [B, H, W, C] = [2, 6, 6, 3];
  const labels = tf.tensor(
    Int32Array.from({ length: B * H * W }, (_, i) => (i % 11 === 0 ? VOID : Math.floor(r() * C))),
    [B, H, W],
    'int32',
  );
  const v = tf.variable(
    tf.tidy(() => tf.mul(tf.randomNormal([B, H, W, C], 0, 1, 'float32', 3), 0.1)),
  );
  const plan = {
    geo: { batch: B, pixels: H * W, channels: C, nchw: false },
    classes: 'present' as const,
    perImage: true,
    ignore: VOID,
    fromLogits: true,
    classWeights: null,
    reduction: 'mean' as const,
  };
  const opt = tf.train.adam(0.1);
  const losses: number[] = [];
  const reads: number[] = [];
  for (let step = 0; step < steps; step++) {
    const { result: cost, reads: n } = countReads(
      () => opt.minimize(() => lovaszSoftmaxOnDevice(v, labels, plan) as tf.Scalar, true)!,
    );
    reads.push(n);
    losses.push((await cost.data())[0]);
    cost.dispose();
  }
  opt.dispose();
  tf.dispose([v, labels]);
  return { losses, reads };
}

/**
 * Volumes: the same softmax, hinge and multilabel cases with the spatial axes split in two
 * ([B, D, H, W, C] and [B, C, D, H, W] for [B, D * H, W, C] data): the tensor path flattens
 * any number of spatial axes into the plan's pixels, and its gradient keeps the input's shape.
 */
export function volumeCases(): OptionCase[] {
  const split = (c: OptionCase, nchw: boolean, sigmoidOrHinge: boolean): OptionCase => {
    const s = c.xShape;
    // H = 2 split into D = 2 slices of 1 row (the same row-major data): [B, H, W, C] ->
    // [B, 2, 1, W, C]; [B, C, H, W] -> [B, C, 2, 1, W]; [B, H, W] -> [B, 2, 1, W].
    const xShape = sigmoidOrHinge
      ? [s[0], 2, 1, s[2]]
      : nchw
        ? [s[0], s[1], 2, 1, s[3]]
        : [s[0], 2, 1, s[2], s[3]];
    const yShape = c.yShape.length === c.xShape.length ? xShape : [c.yShape[0], 2, 1, c.yShape[2]];
    return { ...c, name: `volume ${JSON.stringify(xShape)}: ${c.name}`, xShape, yShape };
  };
  const out: OptionCase[] = [];
  for (let s = 0; s < 4; s++) {
    const soft = softmaxCase(5000 + s, { B: 2, H: 2, W: 3, C: s % 2 ? 3 : 1 });
    out.push(split(soft, soft.name.includes('"layout":"NCHW"'), soft.xShape.length === 3));
    out.push(split(hingeCase(6000 + s, { B: 2, H: 2, W: 3 }), false, true));
    const ml = multilabelCase(7000 + s, { B: 2, H: 2, W: 3, C: 2 });
    out.push(split(ml, ml.name.includes('"layout":"NCHW"'), false));
  }
  return out;
}
