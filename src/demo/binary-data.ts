import { Random } from './random.js';
import { fillTriangle, randomTriangle } from './triangles.js';
import { VOID } from './void.js';

/** The synthetic data of the binary demo. */
export interface BinaryData {
  /** [B, H, W]. */
  shape: [number, number, number];
  /** B * H * W labels: 0 background, 1 foreground, 255 void. */
  labels: Int32Array;
  /** B * H * W features: N(-1, 2.5) on background, N(1, 2.5) on foreground, N(0, 5) on void. */
  features: Float32Array;
}

/** Options of {@link binaryData}. */
export interface BinaryDataOptions {
  /** Number of images; default 10. */
  count?: number;
  /** Height and width of each image; default 200. */
  size?: number;
}

/**
 * The data of the binary demo, as in the original notebook: per image, background 0, a filled
 * triangle of void (255), then a filled triangle of foreground (1) drawn over it, vertices
 * uniform over the image; features drawn per pixel from a normal whose mean and standard
 * deviation depend on the label: (-1, 2.5) background, (1, 2.5) foreground, (0, 5) void.
 * Deterministic for a seed. Defaults: count 10, size 200.
 * @example
 *   const { shape, labels, features } = binaryData(0); // shape [10, 200, 200]
 */
export function binaryData(seed: number, options: BinaryDataOptions = {}): BinaryData {
  const B = options.count ?? 10;
  const S = options.size ?? 200;
  const rng = Random.derive(seed, 'binary-data');
  const labels = new Int32Array(B * S * S);
  for (let b = 0; b < B; b++) {
    fillTriangle(labels, S, S, randomTriangle(rng, S, S), VOID, b * S * S);
    fillTriangle(labels, S, S, randomTriangle(rng, S, S), 1, b * S * S);
  }
  const features = new Float32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    features[i] =
      y === VOID ? rng.normal(0, 5) : y === 1 ? rng.normal(1, 2.5) : rng.normal(-1, 2.5);
  }
  return { shape: [B, S, S], labels, features };
}
