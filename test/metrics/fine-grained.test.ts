import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfusionMatrix,
  type FineGrainedMetrics,
  type WorstCaseMetrics,
} from '../../src/index.js';
import { worstCount } from '../../src/metrics/fine-grained.js';
import { ignoreModeArb, labelsArb } from '../arbitraries.js';

type Triple = { acc: number; iou: number; dice: number };

/**
 * A plain implementation of the NeurIPS 2023 metrics, straight from their definitions: per
 * image (with a valid pixel) and class (not `ignore`) count TP, FP, FN over valid pixels; a
 * class is present in an image when its labels contain it. Means as fractions, times 100.
 */
function plain(
  preds: ArrayLike<number>,
  labels: ArrayLike<number>,
  [B, H, W]: readonly number[],
  C: number,
  ignore: number | null,
  q?: number,
): Omit<FineGrainedMetrics, 'Acc'> & { Acc: number } {
  const per = H * W;
  const classes = [...Array(C).keys()].filter((c) => c !== ignore);
  const images: Map<number, Triple>[] = [];
  const T = new Map<number, { tp: number; fp: number; fn: number }>();
  for (const c of classes) T.set(c, { tp: 0, fp: 0, fn: 0 });
  let valid = 0;
  let right = 0;
  for (let b = 0; b < B; b++) {
    let any = false;
    const scores = new Map<number, Triple>();
    for (const c of classes) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (let i = b * per; i < (b + 1) * per; i++) {
        if (labels[i] === ignore) continue;
        if (labels[i] === c && preds[i] === c) tp++;
        else if (labels[i] === c) fn++;
        else if (preds[i] === c) fp++;
      }
      const t = T.get(c) as { tp: number; fp: number; fn: number };
      t.tp += tp;
      t.fp += fp;
      t.fn += fn;
      if (tp + fn > 0) {
        scores.set(c, {
          acc: tp / (tp + fn),
          iou: tp / (tp + fp + fn),
          dice: (2 * tp) / (2 * tp + fp + fn),
        });
      }
    }
    for (let i = b * per; i < (b + 1) * per; i++) {
      if (labels[i] === ignore) continue;
      any = true;
      valid++;
      if (preds[i] === labels[i]) right++;
    }
    if (any) images.push(scores);
  }
  const avg = (xs: number[]) =>
    xs.length === 0 ? Number.NaN : xs.reduce((s, x) => s + x, 0) / xs.length;
  const lowest = (xs: number[], k: number) => [...xs].sort((a, b) => a - b).slice(0, k);
  const out: Record<string, number> = { Acc: (100 * right) / valid };
  const D = [...T.values()];
  out.mAccD = 100 * avg(D.filter((t) => t.tp + t.fn > 0).map((t) => t.tp / (t.tp + t.fn)));
  const nonEmpty = D.filter((t) => t.tp + t.fp + t.fn > 0);
  out.mIoUD = 100 * avg(nonEmpty.map((t) => t.tp / (t.tp + t.fp + t.fn)));
  out.mDiceD = 100 * avg(nonEmpty.map((t) => (2 * t.tp) / (2 * t.tp + t.fp + t.fn)));
  for (const key of ['acc', 'iou', 'dice'] as const) {
    const name = { acc: 'Acc', iou: 'IoU', dice: 'Dice' }[key];
    const perImage = images.map((m) => avg([...m.values()].map((s) => s[key])));
    const k =
      q === undefined ? perImage.length : Math.max(1, Math.floor((q / 100) * perImage.length));
    out[`m${name}I`] = 100 * avg(lowest(perImage, k));
    const perClass: number[] = [];
    for (const c of classes) {
      const xs = images.filter((m) => m.has(c)).map((m) => (m.get(c) as Triple)[key]);
      if (xs.length === 0) continue;
      const kc = q === undefined ? xs.length : Math.max(1, Math.floor((q / 100) * xs.length));
      perClass.push(avg(lowest(xs, kc)));
    }
    out[`m${name}C`] = 100 * avg(perClass);
  }
  return out as unknown as FineGrainedMetrics;
}

/** Relative closeness for sums taken in a different order (1e-12, far below any rounding of percent). */
function expectClose(actual: Record<string, number>, expected: Record<string, number>): void {
  for (const key of Object.keys(expected)) {
    const a = actual[key];
    const e = expected[key];
    if (Number.isNaN(e)) expect(a, key).toBeNaN();
    else
      expect(Math.abs(a - e), `${key}: ${a} vs ${e}`).toBeLessThanOrEqual(
        1e-12 * Math.max(1, Math.abs(e)),
      );
  }
}

const caseArb = fc
  .record({
    dims: fc.tuple(
      fc.integer({ min: 0, max: 6 }),
      fc.integer({ min: 0, max: 5 }),
      fc.integer({ min: 0, max: 5 }),
    ),
    C: fc.integer({ min: 1, max: 5 }),
    mode: ignoreModeArb,
    ignore: fc.constantFrom<number | null>(null, 255, 0),
  })
  .filter(({ C, ignore }) => !(C === 1 && ignore === 0))
  .chain(({ dims, C, mode, ignore }) => {
    const n = dims[0] * dims[1] * dims[2];
    const labelMode = ignore === null ? 'none' : mode;
    return fc.record({
      preds: labelsArb(n, C, ignore ?? 0, labelMode === 'none' ? 'none' : 'some'),
      labels: labelsArb(n, C, ignore ?? 0, labelMode),
      shape: fc.constant(dims),
      C: fc.constant(C),
      ignore: fc.constant(ignore),
    });
  });

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/fine-grained.json', import.meta.url), 'utf8'),
) as {
  numClasses: number;
  ignore: number;
  shape: [number, number, number];
  preds: number[];
  labels: number[];
  fineGrained: FineGrainedMetrics;
  worstCase: WorstCaseMetrics[];
};

describe('ConfusionMatrix.fineGrained and worstCase (Wang et al., NeurIPS 2023)', () => {
  it('give the reference numbers on the shared fixture (JDTLosses accuracy_metric.py formulas)', () => {
    const { numClasses, ignore, shape, preds, labels } = fixture;
    const cm = new ConfusionMatrix(numClasses, { ignore, perImage: true }).update(
      preds,
      labels,
      shape,
    );
    expectClose({ ...cm.fineGrained() }, { ...fixture.fineGrained });
    for (const expected of fixture.worstCase)
      expectClose({ ...cm.worstCase(expected.q) }, { ...expected });
    // mIoUD is the dataset mIoU, bit for bit.
    expect(cm.fineGrained().mIoUD).toBe(cm.meanIoU());
  });

  it('match a case worked out by hand', () => {
    // Image A: labels 0 0 1 1, preds 0 0 1 0. Image B: labels 0 0 0 0, preds 0 0 0 1.
    const cm = new ConfusionMatrix(2, { perImage: true }).update(
      [0, 0, 1, 0, 0, 0, 0, 1],
      [0, 0, 1, 1, 0, 0, 0, 0],
      [2, 2, 2],
    );
    // Class 1 is in B's predictions only: not present in B, so B's means are over class 0.
    expectClose(
      { ...cm.fineGrained() },
      {
        Acc: 75,
        mAccD: (100 * (5 / 6 + 1 / 2)) / 2,
        mIoUD: (100 * 11) / 21,
        mDiceD: (100 * 2) / 3,
        mAccI: 75,
        mIoUI: (100 * 2) / 3,
        mDiceI: (100 * 167) / 210,
        mAccC: (100 * 11) / 16,
        mIoUC: (100 * 29) / 48,
        mDiceC: (100 * 157) / 210,
      },
    );
    // q = 50 of 2 images: the worse image (A, IoU 7/12); per class the worse of its images.
    expectClose(
      { ...cm.worstCase(50) },
      {
        q: 50,
        mIoUI: (100 * 7) / 12,
        mIoUC: (100 * 7) / 12,
        mAccI: 75,
        mAccC: (100 * (3 / 4 + 1 / 2)) / 2,
      },
    );
  });

  it('equal a plain implementation on random batches (property)', () => {
    fc.assert(
      fc.property(
        caseArb,
        fc.constantFrom(10, 25, 50, 100),
        ({ preds, labels, shape, C, ignore }, q) => {
          const cm = new ConfusionMatrix(C, { ignore, perImage: true }).update(
            preds,
            labels,
            shape,
          );
          expectClose({ ...cm.fineGrained() }, { ...plain(preds, labels, shape, C, ignore) });
          const {
            Acc: _a,
            mAccD: _b,
            mIoUD: _c,
            mDiceD: _d,
            ...worst
          } = plain(preds, labels, shape, C, ignore, q);
          expectClose({ ...cm.worstCase(q) }, { q, ...worst });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('worstCase(100) is the I and C metrics of fineGrained', () => {
    const { numClasses, ignore, shape, preds, labels } = fixture;
    const cm = new ConfusionMatrix(numClasses, { ignore, perImage: true }).update(
      preds,
      labels,
      shape,
    );
    const { Acc: _a, mAccD: _b, mIoUD: _c, mDiceD: _d, ...ic } = cm.fineGrained();
    expect(cm.worstCase(100)).toEqual({ q: 100, ...ic });
  });

  it('count the worst items as the reference floors q / 100 * n (float64 per image, float32 per class)', () => {
    expect(worstCount(10, 500, 'float64')).toBe(50);
    expect(worstCount(10, 5, 'float64')).toBe(1); // at least one
    expect(worstCount(1, 50, 'float32')).toBe(1);
    // 0.29 * 100 is 28.999999999999996 in float64 but rounds to 29 in float32.
    expect(worstCount(29, 100, 'float64')).toBe(28);
    expect(worstCount(29, 100, 'float32')).toBe(29);
  });

  it('are NaN with nothing to average, and I/C are NaN without perImage', () => {
    const none = new ConfusionMatrix(3, { perImage: true });
    for (const v of Object.values(none.fineGrained())) expect(v).toBeNaN();
    const w = none.worstCase(10);
    expect(w.q).toBe(10);
    for (const [k, v] of Object.entries(w)) if (k !== 'q') expect(v).toBeNaN();
    const flat = new ConfusionMatrix(2).update([0, 1], [0, 0]);
    const fg = flat.fineGrained();
    expect(fg.Acc).toBe(50);
    expect(fg.mIoUD).toBe(flat.meanIoU());
    expect(fg.mIoUI).toBeNaN();
    expect(fg.mIoUC).toBeNaN();
  });

  it('a single pixel, and tied images', () => {
    const one = new ConfusionMatrix(3, { perImage: true }).update([2], [2], [1, 1, 1]);
    expect(one.fineGrained()).toEqual({
      Acc: 100,
      mAccD: 100,
      mIoUD: 100,
      mDiceD: 100,
      mAccI: 100,
      mIoUI: 100,
      mDiceI: 100,
      mAccC: 100,
      mIoUC: 100,
      mDiceC: 100,
    });
    // Four identical images: any worst subset has the same mean.
    const tied = new ConfusionMatrix(2, { perImage: true }).update(
      [0, 1, 0, 1, 0, 1, 0, 1],
      [0, 0, 0, 0, 0, 0, 0, 0],
      [4, 1, 2],
    );
    expect(tied.worstCase(25).mIoUI).toBe(tied.fineGrained().mIoUI);
    expect(tied.fineGrained().mIoUI).toBe(50);
  });

  it('rejects worstCase without perImage and q outside (0, 100]', () => {
    expect(() => new ConfusionMatrix(2).worstCase(10)).toThrow(
      /^ConfusionMatrix.worstCase: needs \{ perImage: true \} in the constructor, got perImage false$/,
    );
    const cm = new ConfusionMatrix(2, { perImage: true });
    for (const q of [0, -5, 101, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => cm.worstCase(q)).toThrow(RangeError);
    }
    expect(() => cm.worstCase('10' as unknown as number)).toThrow(
      /^ConfusionMatrix.worstCase: 'q' must be a percentage in \(0, 100\], got 10$/,
    );
  });
});

describe('ConfusionMatrix.toState and merge', () => {
  it('merging one image at a time in order equals one matrix fed everything, bit for bit (property)', () => {
    fc.assert(
      fc.property(caseArb, ({ preds, labels, shape, C, ignore }) => {
        const [B, H, W] = shape;
        const whole = new ConfusionMatrix(C, { ignore, perImage: true }).update(
          preds,
          labels,
          shape,
        );
        const merged = new ConfusionMatrix(C, { ignore, perImage: true });
        const one = new ConfusionMatrix(C, { ignore, perImage: true });
        const per = H * W;
        for (let b = 0; b < B; b++) {
          one
            .reset()
            .update(preds.slice(b * per, (b + 1) * per), labels.slice(b * per, (b + 1) * per), [
              1,
              H,
              W,
            ]);
          // Alternate between a state (as from a worker) and the matrix itself.
          merged.merge(b % 2 === 0 ? one.toState() : one);
        }
        expect(merged.toState()).toEqual(whole.toState());
        expect(merged.fineGrained()).toEqual(whole.fineGrained());
        expect(merged.iou()).toEqual(whole.iou());
        if (whole.imageCount() > 0) expect(merged.perImageMeanIoU()).toBe(whole.perImageMeanIoU());
        expect(merged.worstCase(10)).toEqual(whole.worstCase(10));
      }),
      { numRuns: 200 },
    );
  });

  it('toState is sparse and structured-cloneable', () => {
    const cm = new ConfusionMatrix(3, { ignore: 255, perImage: true }).update(
      [0, 2, 255],
      [0, 1, 1],
      [1, 1, 3],
    );
    const s = cm.toState();
    expect(Array.from(s.cells)).toEqual([0, 1, 5, 1]); // M[0][0] = 1, M[1][2] = 1
    expect(Array.from(s.voidPredictions)).toEqual([0, 1, 0]);
    expect(s.total).toBe(3);
    expect(Array.from(s.records)).toEqual([0, 1, 1, 1, 1, 0, 2, 0, 2, 0, 0, 1]);
    expect(Array.from(s.imageEnds)).toEqual([3]);
    const copy = structuredClone(s);
    expect(
      new ConfusionMatrix(3, { ignore: 255, perImage: true }).merge(copy).fineGrained(),
    ).toEqual(cm.fineGrained());
  });

  it('adds huge counts exactly (float64 integers, far past float32)', () => {
    const big = 2 ** 40 + 1;
    const cm = new ConfusionMatrix(2).merge({
      numClasses: 2,
      ignore: null,
      perImage: false,
      total: 2 * big,
      cells: Float64Array.from([0, big, 3, big - 1, 2, 1]),
      voidPredictions: new Float64Array(2),
      images: 0,
      imageSum: 0,
      records: new Float64Array(0),
      imageEnds: new Float64Array(0),
    });
    expect(cm.count()).toBe(2 * big);
    expect(cm.fineGrained().Acc).toBe((100 * (2 * big - 1)) / (2 * big));
  });

  it('rejects a matrix of other settings and a malformed state, adding nothing', () => {
    const cm = new ConfusionMatrix(3, { perImage: true }).update([0, 1], [0, 1], [1, 1, 2]);
    const before = cm.toState();
    expect(() => cm.merge(new ConfusionMatrix(4, { perImage: true }))).toThrow(
      /^ConfusionMatrix.merge: 'other' has numClasses 4, ignore null, perImage true; this matrix has numClasses 3, ignore null, perImage true$/,
    );
    expect(() => cm.merge(new ConfusionMatrix(3))).toThrow(RangeError);
    expect(() => cm.merge(new ConfusionMatrix(3, { perImage: true, ignore: 255 }))).toThrow(
      RangeError,
    );
    const good = new ConfusionMatrix(3, { perImage: true }).update([2], [2], [1, 1, 1]).toState();
    expect(() => cm.merge({ ...good, total: 5 })).toThrow(
      /^ConfusionMatrix.merge: 'other' 'total' 5 is not the sum of its counts, 1$/,
    );
    expect(() => cm.merge({ ...good, cells: Float64Array.from([9, 1]) })).toThrow(
      /'cells' has entry \[9, 1\]/,
    );
    expect(() => cm.merge({ ...good, cells: [8, 1] as unknown as Float64Array })).toThrow(
      /'cells' must be a Float64Array/,
    );
    expect(() => cm.merge({ ...good, records: Float64Array.from([2, 2, 1, 1]) })).toThrow(
      /'records' has record/,
    );
    expect(() => cm.merge({ ...good, imageEnds: new Float64Array(0) })).toThrow(
      /1 images but 0 image ends/,
    );
    expect(() => cm.merge(null as unknown as ConfusionMatrix)).toThrow(TypeError);
    expect(cm.toState()).toEqual(before);
  });
});
