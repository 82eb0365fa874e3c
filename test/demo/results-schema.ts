import { expect } from 'vitest';
import type { DemoResults } from '../../src/demo/results.js';

const percent = expect.any(Number);

function expectCurve(values: unknown, steps: number): void {
  expect(Array.isArray(values)).toBe(true);
  const xs = values as number[];
  expect(xs.length).toBe(steps);
  expect(xs.every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
}

/**
 * Checks that results.json has the shape the issue fixes, for the demos that ran (with their
 * number of steps) and no others.
 */
export function expectResultsSchema(
  json: unknown,
  steps: { binary?: number; multiclass?: number },
): void {
  const r = json as DemoResults;
  if (steps.binary === undefined) expect(r.binary).toBeUndefined();
  else {
    if (!r.binary) throw new Error('no binary results');
    expect(r.binary.initial).toEqual({ imageIoU: percent, batchIoU: percent });
    expect(Object.keys(r.binary.runs)).toEqual(['hinge', 'sigmoid', 'bce']);
    for (const run of Object.values(r.binary.runs)) {
      expect(run.final).toEqual({ imageIoU: percent, batchIoU: percent, b: expect.any(Number) });
      expectCurve(run.loss, steps.binary);
      expectCurve(run.iou, steps.binary);
    }
  }
  if (steps.multiclass === undefined) expect(r.multiclass).toBeUndefined();
  else {
    if (!r.multiclass) throw new Error('no multiclass results');
    expect(r.multiclass.initial).toEqual({ iou: [percent, percent, percent], mIoU: percent });
    expect(Object.keys(r.multiclass.runs)).toEqual(['lovasz', 'xent']);
    for (const run of Object.values(r.multiclass.runs)) {
      expect(run.final).toEqual({ iou: [percent, percent, percent], mIoU: percent });
      expectCurve(run.loss, steps.multiclass);
      expectCurve(run.mIoU, steps.multiclass);
    }
  }
}
