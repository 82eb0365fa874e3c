import { formatShape } from '../core/geometry.js';

/**
 * One class per row: `values` holds P = values.length / C rows of C entries (a [..., C]
 * tensor's values, row after row), and row p gives entry p of the result. Errors name `fn`,
 * `arg` and the pixel.
 */
type RowClasses = (fn: string, arg: string, values: ArrayLike<number>, C: number) => Int32Array;

/**
 * Labels of one-hot rows ({@link RowClasses}): row p becomes the index of its 1, or `C` (the
 * void label) when it is all zero, the Keras way of marking a pixel to ignore. Any other row
 * (a 2, a 0.5, two 1s) is an error.
 */
export const labelsFromOneHot: RowClasses = (fn, arg, values, C) => {
  const P = values.length / C;
  const labels = new Int32Array(P);
  for (let px = 0; px < P; px++) {
    let label = C;
    for (let c = 0; c < C; c++) {
      const v = values[px * C + c];
      if (v === 0) continue;
      if (v !== 1 || label !== C) {
        const row = Array.from({ length: C }, (_, k) => values[px * C + k]);
        throw new RangeError(
          `${fn}: '${arg}' rows must be one-hot (or all zero for a void pixel), got [${row.join(', ')}] at pixel ${px}`,
        );
      }
      label = c;
    }
    labels[px] = label;
  }
  return labels;
};

/**
 * The index of the largest of each row of C entries ({@link RowClasses}; the first on ties, as
 * tf.argMax), i.e. the predicted class of each pixel of softmax probabilities or logits. A NaN
 * anywhere in a row is an error: argmax would silently pick a class for it.
 */
export const argmaxRows: RowClasses = (fn, arg, values, C) => {
  const P = values.length / C;
  const out = new Int32Array(P);
  for (let px = 0; px < P; px++) {
    const off = px * C;
    let best = 0;
    let max = values[off];
    for (let c = 0; c < C; c++) {
      const v = values[off + c];
      if (Number.isNaN(v)) {
        throw new RangeError(`${fn}: '${arg}' has a NaN at pixel ${px} (class ${c})`);
      }
      if (v > max) {
        max = v;
        best = c;
      }
    }
    out[px] = best;
  }
  return out;
};

/** Throws unless the last axis of `shape` is `C` (named as the model's classes). */
export function checkLastAxis(
  fn: string,
  arg: string,
  shape: readonly number[],
  C: number,
  what: string,
): void {
  if (shape.length < 2 || shape[shape.length - 1] !== C) {
    throw new RangeError(
      `${fn}: '${arg}' must be ${what} with ${C} channels last ([B, ...spatial, ${C}]), got shape ${formatShape(shape)}`,
    );
  }
}
