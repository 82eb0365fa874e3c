/**
 * The shape of results.json, written by `lovasz demo` (the keys the issue fixes, plus a few
 * more: final b, run times, and what was run).
 */

/** Names of the binary demo's runs, in report order. */
export const BINARY_RUNS = ['hinge', 'sigmoid', 'bce'] as const;
export type BinaryRunName = (typeof BINARY_RUNS)[number];

/** Names of the multiclass demo's runs, in report order. */
export const MULTICLASS_RUNS = ['lovasz', 'xent'] as const;
export type MulticlassRunName = (typeof MULTICLASS_RUNS)[number];

/** Binary IoUs in percent: mean of per-image IoUs, and one IoU over the batch. */
export interface BinaryMetrics {
  imageIoU: number;
  batchIoU: number;
}

/** One training run of the binary demo. */
export interface BinaryRun {
  /** IoUs after the last step, and the learned bias b. */
  final: BinaryMetrics & { b: number };
  /** Loss at each step (before its update). */
  loss: number[];
  /** Image-IoU at each step (before its update). */
  iou: number[];
  /** Wall-clock time of the run. */
  seconds: number;
}

/** The binary demo's results. */
export interface BinaryResults {
  /** IoUs at b = 0. */
  initial: BinaryMetrics;
  runs: Record<BinaryRunName, BinaryRun>;
  /**
   * The best image-IoU any bias b reaches on this data (percent), and such a b: the ceiling of
   * the model logits = x + b, whatever the loss.
   */
  best: { imageIoU: number; b: number };
  /** [B, H, W] of the data. */
  shape: number[];
  steps: number;
}

/** Per-class IoUs in percent (classes 0, 1, 2) and their mean. */
export interface MulticlassMetrics {
  iou: number[];
  mIoU: number;
}

/** One training run of the multiclass demo. */
export interface MulticlassRun {
  final: MulticlassMetrics;
  /** Loss at each step (before its update). */
  loss: number[];
  /** mIoU at each step (before its update). */
  mIoU: number[];
  seconds: number;
}

/** The multiclass demo's results. */
export interface MulticlassResults {
  /** IoUs at the initial weights, shared by both runs. */
  initial: MulticlassMetrics;
  runs: Record<MulticlassRunName, MulticlassRun>;
  /** [B, H, W, C] of the features. */
  shape: number[];
  steps: number;
}

/** All of results.json; a demo that was not run is absent. */
export interface DemoResults {
  binary?: BinaryResults;
  multiclass?: MulticlassResults;
  seed: number;
  backend: string;
  /** Wall-clock time of the whole command, including plots and report. */
  seconds: number;
  /** CPU time (user + system) of the same: the wall-clock time on an otherwise idle core. */
  cpuSeconds: number;
}
