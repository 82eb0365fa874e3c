import { describe, expect, it } from 'vitest';
import {
  binaryXloss,
  iou,
  iouBinary,
  lovaszGrad,
  lovaszHinge,
  lovaszSoftmax,
  xloss,
} from '../../src/index.js';
import { type GoldenCase, golden, maxAbsDiff, nchwToNhwc, relErr } from '../golden.js';

const LOSS_TOL = 1e-6;
const GRAD_TOL = 1e-6;

function f32(a: ArrayLike<number>): Float32Array {
  return Float32Array.from(a);
}

/** Runs a golden case through the core in the layout given; returns loss/value and grad. */
function run(
  c: GoldenCase,
  layout: 'NHWC' | 'NCHW',
): { value: number | number[]; grad?: ArrayLike<number> } {
  const o = (c.options ?? {}) as Record<string, never>;
  const i = c.inputs;
  switch (c.fn) {
    case 'lovaszGrad':
      return { value: 0, grad: lovaszGrad(i.gtSorted.data) };
    case 'lovaszHinge': {
      const r = lovaszHinge(f32(i.logits.data), i.labels.data, i.logits.shape, o);
      return { value: r.loss, grad: r.grad };
    }
    case 'binaryXloss': {
      const r = binaryXloss(f32(i.logits.data), i.labels.data, o);
      return { value: r.loss, grad: r.grad };
    }
    case 'lovaszSoftmax':
    case 'xloss': {
      const x = c.fn === 'xloss' ? i.logits : i.probas;
      const fn = c.fn === 'xloss' ? xloss : lovaszSoftmax;
      if (i.layout !== 'NCHW' || layout === 'NCHW') {
        const r = fn(f32(x.data), i.labels.data, x.shape, {
          ...o,
          ...(i.layout === 'NCHW' ? { layout: 'NCHW' } : {}),
        });
        return { value: r.loss, grad: r.grad };
      }
      const [B, C, H, W] = x.shape;
      const r = fn(nchwToNhwc(x.data, x.shape), i.labels.data, [B, H, W, C], o);
      // Compare in the golden layout: transpose the gradient back.
      const back = new Float32Array(r.grad.length);
      for (let b = 0; b < B; b++)
        for (let ch = 0; ch < C; ch++)
          for (let p = 0; p < H * W; p++)
            back[(b * C + ch) * H * W + p] = r.grad[(b * H * W + p) * C + ch];
      return { value: r.loss, grad: back };
    }
    case 'iouBinary':
      return { value: iouBinary(i.preds.data, i.labels.data, i.preds.shape, o) };
    case 'iou': {
      const { numClasses, ...rest } = o as unknown as { numClasses: number };
      return { value: iou(i.preds.data, i.labels.data, i.preds.shape, numClasses, rest) };
    }
  }
}

describe('golden vectors (core)', () => {
  for (const layout of ['NHWC', 'NCHW'] as const) {
    describe(layout, () => {
      for (const c of golden) {
        it(`${c.name} matches the golden ${c.fn}`, () => {
          const { value, grad } = run(c, layout);
          const expected = c.expected.loss ?? c.expected.value;
          if (Array.isArray(expected)) {
            expect(maxAbsDiff(value as number[], expected) / 100).toBeLessThanOrEqual(LOSS_TOL);
          } else if (expected !== undefined && c.fn !== 'lovaszGrad') {
            expect(relErr(value as number, expected)).toBeLessThanOrEqual(LOSS_TOL);
          }
          if (c.expected.grad && !c.ties) {
            expect(grad).toBeDefined();
            expect(maxAbsDiff(grad!, c.expected.grad.data)).toBeLessThanOrEqual(GRAD_TOL);
          }
        });
      }
    });
  }
});

describe('golden lovaszHinge vectors on each kernel', () => {
  for (const kernel of ['js', 'wasm'] as const) {
    for (const c of golden.filter((g) => g.fn === 'lovaszHinge')) {
      it(`${c.name} matches the golden loss and gradient with kernel '${kernel}'`, () => {
        const i = c.inputs;
        const options = { ...(c.options ?? {}), kernel };
        // Int32Array labels take the WebAssembly kernel's own label check.
        const labels = Int32Array.from(i.labels.data);
        const r = lovaszHinge(f32(i.logits.data), labels, i.logits.shape, options);
        expect(relErr(r.loss, c.expected.loss as number)).toBeLessThanOrEqual(LOSS_TOL);
        if (c.expected.grad && !c.ties) {
          expect(maxAbsDiff(r.grad, c.expected.grad.data)).toBeLessThanOrEqual(GRAD_TOL);
        }
      });
    }
  }
});
