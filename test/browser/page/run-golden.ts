/**
 * Runs the golden cases through lovasz/tfjs on the active backend (browser side of the browser
 * tests; test/golden.ts reads its file with node:fs, so the comparisons are repeated here).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as L from '../../../src/tfjs/index.js';
import { autoPath } from '../../../src/tfjs/path.js';

interface GoldenArray {
  shape: number[];
  data: number[];
}

interface GoldenCase {
  name: string;
  fn: string;
  options?: Record<string, unknown>;
  inputs: Record<string, GoldenArray> & { layout?: 'NCHW' | 'BHW' };
  expected: { loss?: number; value?: number | number[]; grad?: GoldenArray };
  ties?: boolean;
}

/** One case on one backend, in one layout. */
export interface GoldenResult {
  name: string;
  fn: string;
  layout: string;
  /** The path lovasz/tfjs took: 'tensor' or 'core' (the non-Lovász functions: 'core'). */
  path: 'tensor' | 'core';
  ties: boolean;
  /** Largest relative error of the loss (or values), against the golden file. */
  lossRelErr: number;
  /** Largest absolute gradient error; null when the case has no gradient or has ties. */
  gradMaxAbs: number | null;
  /** Tensors left behind by the case. */
  leaked: number;
  error?: string;
}

export interface GoldenReport {
  backend: string;
  /** e.g. the WebGL renderer; '' elsewhere. */
  renderer: string;
  results: GoldenResult[];
  ms: number;
}

function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function nchwToNhwc(data: ArrayLike<number>, [B, C, H, W]: number[]): Float32Array {
  const out = new Float32Array(B * C * H * W);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < H * W; i++) out[(b * H * W + i) * C + c] = data[(b * C + c) * H * W + i];
  return out;
}

type Out = { value: number | number[]; grad?: ArrayLike<number> };

// Reads are awaited (data(), not dataSync()): webgpu's synchronous read goes through an
// OffscreenCanvas, which fails on Chromium's SwiftShader adapter and loses the device.
async function lossWithGrad(
  x: tf.Tensor,
  f: (x: tf.Tensor) => tf.Scalar,
  back?: (g: tf.Tensor) => tf.Tensor,
): Promise<Out> {
  const { value, grad } = tf.valueAndGrad(f)(x);
  const g = back ? back(grad) : grad;
  const out = { value: (await value.data())[0], grad: Float32Array.from(await g.data()) };
  tf.dispose([value, grad, g, x]);
  return out;
}

async function run(c: GoldenCase, layout: 'NHWC' | 'NCHW'): Promise<Out> {
  const o = (c.options ?? {}) as Record<string, never>;
  const i = c.inputs;
  const labels = tf.tensor(i.labels?.data ?? [], i.labels?.shape ?? [0], 'int32');
  try {
    switch (c.fn) {
      case 'lovaszGrad': {
        const t = tf.tensor1d(i.gtSorted.data);
        const g = L.lovaszGrad(t);
        const out = { value: 0, grad: Float32Array.from(await g.data()) };
        tf.dispose([t, g]);
        return out;
      }
      case 'lovaszHinge':
      case 'binaryXloss': {
        const f = c.fn === 'lovaszHinge' ? L.lovaszHinge : L.binaryXloss;
        return await lossWithGrad(tf.tensor(i.logits.data, i.logits.shape), (x) => f(x, labels, o));
      }
      case 'lovaszSoftmax':
      case 'xloss': {
        const a = c.fn === 'xloss' ? i.logits : i.probas;
        const f = c.fn === 'xloss' ? L.xloss : L.lovaszSoftmax;
        if (i.layout !== 'NCHW' || layout === 'NCHW') {
          const opts = i.layout === 'NCHW' ? { ...o, layout: 'NCHW' as const } : o;
          return await lossWithGrad(tf.tensor(a.data, a.shape), (x) => f(x, labels, opts));
        }
        const [B, C, H, W] = a.shape;
        return await lossWithGrad(
          tf.tensor(nchwToNhwc(a.data, a.shape), [B, H, W, C]),
          (x) => f(x, labels, o),
          (g) => tf.transpose(g, [0, 3, 1, 2]),
        );
      }
      default: {
        const p = tf.tensor(i.preds.data, i.preds.shape, 'int32');
        const { numClasses, ...rest } = o as unknown as { numClasses: number };
        const value =
          c.fn === 'iou' ? L.iou(p, labels, numClasses, rest) : L.iouBinary(p, labels, o);
        p.dispose();
        return { value };
      }
    }
  } finally {
    labels.dispose();
  }
}

function renderer(backend: string): string {
  if (backend === 'webgpu') {
    const info = (tf.backend() as unknown as { adapterInfo?: Record<string, string> }).adapterInfo;
    return info ? `${info.vendor} / ${info.architecture}` : 'no webgpu adapter info';
  }
  if (backend !== 'webgl') return '';
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return 'no webgl2 context';
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

/**
 * Every golden case on the active backend: Lovász softmax cases in both layouts (NCHW as in the
 * file, and transposed to NHWC, the TensorFlow.js layout), the others in their own.
 */
export async function runGolden(cases: GoldenCase[], backend: string): Promise<GoldenReport> {
  const start = performance.now();
  const results: GoldenResult[] = [];
  for (const c of cases) {
    const layouts: ('NHWC' | 'NCHW')[] =
      c.fn === 'lovaszSoftmax' && c.inputs.layout === 'NCHW' ? ['NCHW', 'NHWC'] : ['NCHW'];
    for (const layout of layouts) {
      const lovasz = c.fn === 'lovaszHinge' || c.fn === 'lovaszSoftmax';
      const result: GoldenResult = {
        name: c.name,
        fn: c.fn,
        layout: c.inputs.layout === 'NCHW' ? layout : (c.inputs.layout ?? 'BHW'),
        path: lovasz ? autoPath() : 'core',
        ties: c.ties === true,
        lossRelErr: 0,
        gradMaxAbs: null,
        leaked: 0,
      };
      const before = tf.memory().numTensors;
      try {
        const { value, grad } = await run(c, layout);
        const expected = c.expected.loss ?? c.expected.value;
        if (Array.isArray(expected)) {
          const v = value as number[];
          result.lossRelErr =
            v.length === expected.length
              ? Math.max(0, ...v.map((x, k) => relErr(x, expected[k])))
              : Number.POSITIVE_INFINITY;
        } else if (expected !== undefined && c.fn !== 'lovaszGrad') {
          result.lossRelErr = relErr(value as number, expected);
        }
        if (c.expected.grad && !c.ties && grad) {
          result.gradMaxAbs = maxAbsDiff(grad, c.expected.grad.data);
        }
      } catch (e) {
        result.error = String((e as Error).stack ?? e);
      }
      result.leaked = tf.memory().numTensors - before;
      results.push(result);
    }
  }
  return { backend, renderer: renderer(backend), results, ms: performance.now() - start };
}
