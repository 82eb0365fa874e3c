import { describe, expect, it } from 'vitest';
import { iou, iouBinary, lovaszHinge, lovaszSoftmax, xloss } from '../../src/index.js';

// The argument checks shared by every public function (src/core/check.ts), seen through the
// functions that use them.
describe('options', () => {
  it('an explicit null is checked like any wrong value, not replaced by the default', () => {
    const probas = [0.9, 0.1, 0.3, 0.7];
    expect(() => lovaszHinge([1, -1], [1, 0], [1, 1, 2], { perImage: null as never })).toThrow(
      /^lovaszHinge: 'perImage' must be true or false, got null$/,
    );
    expect(() => lovaszSoftmax(probas, [0, 1], [1, 1, 2, 2], { layout: null as never })).toThrow(
      /^lovaszSoftmax: 'layout' must be 'NHWC' or 'NCHW', got null$/,
    );
    expect(() => lovaszSoftmax(probas, [0, 1], [1, 1, 2, 2], { classes: null as never })).toThrow(
      /^lovaszSoftmax: 'classes' must be 'present', 'all' or an array of class indices, got null$/,
    );
    expect(() => xloss([1, 2, 3, 4], [0, 1], [1, 1, 2, 2], { layout: null as never })).toThrow(
      /^xloss: 'layout' must be 'NHWC' or 'NCHW', got null$/,
    );
    expect(() => iouBinary([1, 0], [1, 0], [1, 1, 2], { empty: null as never })).toThrow(
      /^iouBinary: 'empty' must be a finite number, got null$/,
    );
    expect(() => iou([1, 0], [1, 0], [1, 1, 2], 2, { perImage: null as never })).toThrow(
      /^iou: 'perImage' must be true or false, got null$/,
    );
  });

  it('lovaszSoftmax rejects an empty class list (a mean over no class)', () => {
    expect(() =>
      lovaszSoftmax([0.9, 0.1, 0.3, 0.7], [0, 1], [1, 1, 2, 2], { classes: [] }),
    ).toThrow(/^lovaszSoftmax: 'classes' must list at least one class, got \[\]$/);
  });

  it('an absent option takes its default', () => {
    const explicit = lovaszHinge([1, -1], [1, 0], [1, 1, 2], { perImage: true, ignore: null });
    expect(lovaszHinge([1, -1], [1, 0], [1, 1, 2], { perImage: undefined })).toEqual(explicit);
  });
});

describe('iouBinary and the ignore label', () => {
  it('skips pixels labelled with the ignore value even when it is 1', () => {
    // With ignore = 1 no pixel is foreground: every union is empty and scores `empty`.
    expect(iouBinary([1, 1, 0, 0], [1, 1, 0, 0], [1, 2, 2], { ignore: 1, empty: 0.25 })).toBe(25);
  });
});
