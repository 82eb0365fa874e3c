import { Random } from './random.js';
import { fillTriangle, randomTriangle } from './triangles.js';
import { VOID } from './void.js';

/** The synthetic data of the multiclass demo. */
export interface MulticlassData {
  /** [B, H, W] of the labels. */
  shape: [number, number, number];
  /** Number of classes C (3: background and two shapes). */
  classes: number;
  /** B * H * W labels in {0, 1, 2, 255}. */
  labels: Int32Array;
  /** B * H * W * C features (NHWC): one-hot of the label plus N(0, 2) noise. */
  features: Float32Array;
}

/** Options of {@link multiclassData}. */
export interface MulticlassDataOptions {
  /** Number of images; default 5. */
  count?: number;
  /** Height and width of each image; default 200. */
  size?: number;
}

/**
 * The data of the multiclass demo, as in the original notebook: per image, background 0, then
 * filled triangles of void (255), class 1 and class 2 drawn in that order (each over the
 * previous), vertices uniform over the image. Features: the one-hot encoding of the label
 * (a void pixel takes a uniformly random class) plus N(0, 2) noise (standard deviation 2) on
 * each channel. Deterministic for a seed. Defaults: count 5, size 200; 3 classes.
 * @example
 *   const { shape, classes, features } = multiclassData(0); // [5, 200, 200], 3, 600000 values
 */
export function multiclassData(seed: number, options: MulticlassDataOptions = {}): MulticlassData {
  const B = options.count ?? 5;
  const S = options.size ?? 200;
  const C = 3;
  const rng = Random.derive(seed, 'multiclass-data');
  const labels = new Int32Array(B * S * S);
  for (let b = 0; b < B; b++) {
    for (const value of [VOID, 1, 2]) {
      fillTriangle(labels, S, S, randomTriangle(rng, S, S), value, b * S * S);
    }
  }
  const features = new Float32Array(labels.length * C);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] === VOID ? rng.int(C) : labels[i];
    for (let c = 0; c < C; c++) features[i * C + c] = (c === y ? 1 : 0) + rng.normal(0, 2);
  }
  return { shape: [B, S, S], classes: C, labels, features };
}
