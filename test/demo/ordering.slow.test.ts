import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/demo/backend.js';
import { runBinaryDemo } from '../../src/demo/binary.js';
import { runMulticlassDemo } from '../../src/demo/multiclass.js';

// The full demos take minutes per seed: opt in with LOVASZ_SLOW=1.
const SLOW = process.env.LOVASZ_SLOW === '1';
const SEEDS = [0, 1, 2];

describe.skipIf(!SLOW)('the demos at their defaults (LOVASZ_SLOW=1)', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: the Lovász hinge and Lovász-Sigmoid beat BCE on image-IoU`, async () => {
      await useBackend('cpu');
      const { results } = await runBinaryDemo({ seed });
      const iou = (run: 'hinge' | 'sigmoid' | 'bce') => results.runs[run].final.imageIoU;
      expect(iou('hinge')).toBeGreaterThan(iou('bce'));
      expect(iou('sigmoid')).toBeGreaterThan(iou('bce'));
    }, 600_000);

    it(`seed ${seed}: Lovász-Softmax beats cross-entropy on mIoU`, async () => {
      await useBackend('cpu');
      const { results } = await runMulticlassDemo({ seed });
      expect(results.runs.lovasz.final.mIoU).toBeGreaterThan(results.runs.xent.final.mIoU);
      expect(results.runs.xent.final.mIoU).toBeGreaterThan(results.initial.mIoU);
    }, 600_000);
  }
});
