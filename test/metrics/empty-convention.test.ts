import { describe, expect, it } from 'vitest';
import { ConfusionMatrix, iouBinary } from '../../src/index.js';

describe('the empty-class conventions', () => {
  it('a dataset mIoU leaves classes absent from labels and predictions out (NaN), unless `empty` is given', () => {
    // 3-class data scored as 21 classes: classes 3-20 occur nowhere.
    const preds = [0, 1, 2, 2, 1, 0];
    const labels = [0, 1, 2, 1, 1, 0];
    const cm = new ConfusionMatrix(21).update(preds, labels);
    const iou = cm.iou();
    expect(iou.slice(3).every(Number.isNaN)).toBe(true);
    const three = new ConfusionMatrix(3).update(preds, labels);
    expect(cm.meanIoU()).toBe(three.meanIoU()); // (100 + 200/3 + 50) / 3
    expect(cm.meanIoU()).toBeCloseTo((100 + 200 / 3 + 50) / 3, 12);
    // The original convention (EMPTY = 1) scores the 18 absent classes 100 each.
    const old = new ConfusionMatrix(21, { empty: 1 }).update(preds, labels);
    expect(old.meanIoU()).toBeCloseTo((100 + 200 / 3 + 50 + 18 * 100) / 21, 12);
  });

  it('iouBinary per image with empty = 1 scores an all-background model 62.5 on 5 empty images of 8', () => {
    const B = 8;
    const labels = new Array(B * 4).fill(0);
    for (const b of [5, 6, 7]) labels[b * 4] = 1; // foreground in 3 images only
    const preds = new Array(B * 4).fill(0); // never predicts foreground
    expect(iouBinary(preds, labels, [B, 2, 2])).toBe(62.5);
    expect(iouBinary(preds, labels, [B, 2, 2], { perImage: false })).toBe(0);
    expect(iouBinary(preds, labels, [B, 2, 2], { empty: 0 })).toBe(0);
  });
});
