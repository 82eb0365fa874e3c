import type { BinaryRunName, MulticlassRunName } from './results.js';

/**
 * Names of the files `lovasz demo` writes into its output directory (report.html links
 * them relatively, so the directory can be moved or archived whole).
 * @example
 *   join(out, OUTPUT_FILES.binaryPrediction('hinge')) // <out>/binary-pred-hinge.png
 */
export const OUTPUT_FILES = {
  results: 'results.json',
  report: 'report.html',
  binaryLoss: 'binary-loss.png',
  binaryIou: 'binary-iou.png',
  binaryLabels: 'binary-labels.png',
  binaryPrediction: (run: BinaryRunName) => `binary-pred-${run}.png`,
  multiclassLoss: 'multiclass-loss.png',
  multiclassIou: 'multiclass-miou.png',
  multiclassLabels: 'multiclass-labels.png',
  multiclassPrediction: (run: MulticlassRunName) => `multiclass-pred-${run}.png`,
} as const;
