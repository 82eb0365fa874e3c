/**
 * N-D inputs: the pixels of an image are all its spatial positions, so a prediction with any
 * number of spatial axes gives, bit for bit, what the same data gives as flat `[B, P]` images
 * (and as the 2-D images `[B, P, 1]` every other test uses): loss, gradient, per-item losses
 * and metrics, perImage per volume, in both layouts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfusionMatrix,
  iou,
  iouBinary,
  type LossResult,
  lovaszHinge,
  lovaszMultilabel,
  lovaszSigmoid,
  lovaszSoftmax,
  xloss,
} from '../../src/index.js';
import {
  channelShape,
  flatChannelShape,
  imageChannelShape,
  type NdCase,
  ndCaseArb,
} from '../nd-cases.js';

/** Two results are the same bits: loss, gradient and 'none' losses. */
function expectSameBits(a: LossResult, b: LossResult): void {
  expect(Object.is(a.loss, b.loss)).toBe(true);
  expect(a.grad).toEqual(b.grad);
  expect(a.losses).toEqual(b.losses);
  expect(a.classes).toEqual(b.classes);
}

/** The shapes of one case that must agree: N-D, flat and 2-D image. */
function pixelShapes(c: NdCase): number[][] {
  return [
    [c.B, ...c.spatial],
    [c.B, c.P],
    [c.B, c.P, 1],
  ];
}

function channelShapes(c: NdCase): number[][] {
  return [channelShape(c), flatChannelShape(c), imageChannelShape(c)];
}

const RUNS = { numRuns: 150 };

describe('N-D shapes in lovasz (typed arrays)', () => {
  it('lovaszHinge of [B, ...spatial] equals the flat [B, P] and image [B, P, 1] losses', () => {
    fc.assert(
      fc.property(ndCaseArb, fc.boolean(), fc.constantFrom('mean', 'none'), (c, perImage, r) => {
        const o = { ignore: 255, perImage, reduction: r } as const;
        const [nd, ...others] = pixelShapes(c).map((s) =>
          lovaszHinge(c.logits.subarray(0, c.B * c.P), c.binary, s, o),
        );
        for (const other of others) expectSameBits(nd, other);
      }),
      RUNS,
    );
  });

  it('lovaszSoftmax of [B, ...spatial, C] / [B, C, ...spatial] equals the flat and image losses', () => {
    fc.assert(
      fc.property(
        ndCaseArb,
        fc.boolean(),
        fc.constantFrom('present', 'all' as const),
        fc.constantFrom('mean', 'none'),
        (c, perImage, classes, reduction) => {
          // One channel is the sigmoid case, tested below.
          fc.pre(c.C > 1);
          const o = { ignore: 255, perImage, classes, reduction, layout: c.layout } as const;
          const [nd, ...others] = channelShapes(c).map((s) =>
            lovaszSoftmax(c.probas, c.labels, s, o),
          );
          for (const other of others) expectSameBits(nd, other);
          const fused = channelShapes(c).map((s) =>
            lovaszSoftmax(c.logits, c.labels, s, { ...o, fromLogits: true }),
          );
          for (const other of fused.slice(1)) expectSameBits(fused[0], other);
        },
      ),
      RUNS,
    );
  });

  it('the Lovász-Sigmoid of [B, ...spatial] (lovaszSoftmax with classes [1], lovaszSigmoid) equals the flat loss', () => {
    fc.assert(
      fc.property(ndCaseArb, fc.boolean(), (c, perImage) => {
        const n = c.B * c.P;
        const o = { ignore: 255, perImage, classes: [1] };
        const probas = c.probas.subarray(0, n);
        const logits = c.logits.subarray(0, n);
        const [a, ...others] = pixelShapes(c).map((s) => lovaszSoftmax(probas, c.binary, s, o));
        for (const other of others) expectSameBits(a, other);
        const [b, ...more] = pixelShapes(c).map((s) => lovaszSigmoid(logits, c.binary, s, o));
        for (const other of more) expectSameBits(b, other);
      }),
      RUNS,
    );
  });

  it('lovaszMultilabel and xloss of N-D inputs equal the flat and image losses', () => {
    fc.assert(
      fc.property(ndCaseArb, fc.boolean(), (c, perImage) => {
        const o = { ignore: 255, perImage, layout: c.layout };
        const ml = channelShapes(c).map((s) => lovaszMultilabel(c.probas, c.targets, s, o));
        for (const other of ml.slice(1)) expectSameBits(ml[0], other);
        const xo = { ignore: 255, layout: c.layout, reduction: 'none' } as const;
        const xe = channelShapes(c).map((s) => xloss(c.logits, c.labels, s, xo));
        for (const other of xe.slice(1)) expectSameBits(xe[0], other);
      }),
      RUNS,
    );
  });

  it('iou, iouBinary and ConfusionMatrix of [B, ...spatial] masks equal the flat ones, per image too', () => {
    fc.assert(
      fc.property(ndCaseArb, fc.boolean(), (c, perImage) => {
        const C = Math.max(c.C, 2);
        const preds = c.labels.map((y, i) => (y === 255 ? i % C : (y + (i % 3 === 0 ? 1 : 0)) % C));
        const binaryPreds = c.binary.map((y, i) => (y === 255 ? i % 2 : i % 5 === 0 ? 1 - y : y));
        const shapes = pixelShapes(c);
        const ious = shapes.map((s) => iou(preds, c.labels, s, C, { ignore: 255, perImage }));
        for (const other of ious.slice(1)) expect(other).toEqual(ious[0]);
        const bin = shapes.map((s) =>
          iouBinary(binaryPreds, c.binary, s, { ignore: 255, perImage }),
        );
        for (const other of bin.slice(1)) expect(Object.is(other, bin[0])).toBe(true);
        const cms = shapes.map((s) =>
          new ConfusionMatrix(C, { ignore: 255, perImage: true }).update(preds, c.labels, s),
        );
        for (const other of cms.slice(1)) {
          expect(other.iou()).toEqual(cms[0].iou());
          expect(Object.is(other.meanIoU(), cms[0].meanIoU())).toBe(true);
          expect(Object.is(other.perImageMeanIoU(), cms[0].perImageMeanIoU())).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('a [B, D, H, W, C] volume with perImage scores each volume as one image', () => {
    // Two volumes of 2 x 1 x 2 voxels, 2 classes; the first volume is right, the second wrong.
    const probas = Float32Array.from([1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0]);
    const labels = [0, 1, 0, 1, 0, 1, 0, 1];
    const volume = lovaszSoftmax(probas, labels, [2, 2, 1, 2, 2], {
      perImage: true,
      reduction: 'none',
    });
    expect(Array.from(volume.losses ?? [])).toEqual([0, 1]);
    const images = lovaszSoftmax(probas, labels, [4, 1, 2, 2], {
      perImage: true,
      reduction: 'none',
    });
    expect(images.losses?.length).toBe(4);
  });
});
