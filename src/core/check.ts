/**
 * Checks of the values a public function is given (arrays, lengths, probabilities, labels, the
 * gradient buffer). Options are checked by their specs (src/core/options) and shapes by the
 * geometry (src/core/geometry.ts).
 *
 * Every message has the form `fn: 'arg' ...` and shows the offending value or shape, so that a
 * user can find the mistake without reading our sources.
 */
import { describeValue } from './options/describe-value.js';

/**
 * Any array-like of numbers accepted by the public functions (typed arrays, plain arrays).
 * Inputs are read, never written to; BigInt arrays and DataViews are rejected.
 *
 * @example
 * ```ts
 * const labels: NumericArray = Uint8Array.from([0, 1, 255]);
 * ```
 */
export type NumericArray = ArrayLike<number>;

/** Slack allowed on probabilities outside [0, 1] (float32 softmax outputs can overshoot by an ulp). */
export const PROBABILITY_SLACK = 1e-6;

/** Throws unless `value` is an array or a typed array of numbers. */
export function checkArray(fn: string, arg: string, value: unknown): asserts value is NumericArray {
  const ok =
    Array.isArray(value) ||
    (ArrayBuffer.isView(value) && !(value instanceof DataView) && !isBigIntArray(value));
  if (!ok) {
    throw new TypeError(
      `${fn}: '${arg}' must be an array or a typed array, got ${describeValue(value)}`,
    );
  }
}

function isBigIntArray(value: ArrayBufferView): boolean {
  return value instanceof BigInt64Array || value instanceof BigUint64Array;
}

/**
 * Throws unless `values` holds exactly `size` entries; `what` says where the size comes from,
 * e.g. "shape [2, 3, 4]".
 */
export function checkLength(
  fn: string,
  arg: string,
  values: NumericArray,
  size: number,
  what: string,
): void {
  if (values.length !== size) {
    throw new RangeError(`${fn}: '${arg}' has ${values.length} values but ${what} needs ${size}`);
  }
}

/** Throws on the first NaN or infinite value. */
export function checkFinite(fn: string, arg: string, values: NumericArray): void {
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    // v - v is 0 for every finite number and NaN for NaN and +-Infinity.
    if (v - v !== 0) {
      throw new RangeError(`${fn}: '${arg}' must be finite, got ${describeValue(v)} at index ${i}`);
    }
  }
}

/** Throws on the first value outside [0, 1] (with PROBABILITY_SLACK) or not finite. */
export function checkProbabilities(fn: string, arg: string, values: NumericArray): void {
  const lo = -PROBABILITY_SLACK;
  const hi = 1 + PROBABILITY_SLACK;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) {
      throw new RangeError(
        `${fn}: '${arg}' must be probabilities in [0, 1], got ${describeValue(v)} at index ${i}` +
          (Number.isFinite(v)
            ? ' (pass probabilities, e.g. softmax(logits), not logits; or fromLogits: true)'
            : ''),
      );
    }
  }
}

/**
 * Throws on the first label that is not an integer in [0, numClasses) and not `ignore`.
 * Returns true when at least one label equals `ignore`. `voidable`: whether an ignore label
 * would apply to these values, so that a 255 without one suggests passing it.
 */
export function checkLabels(
  fn: string,
  arg: string,
  labels: NumericArray,
  numClasses: number,
  ignore: number | null,
  allowed = `an integer in [0, ${numClasses})`,
  voidable = true,
): boolean {
  const n = labels.length;
  const ign = ignore === null ? Number.NaN : ignore;
  let sawIgnore = false;
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (v >= 0 && v < numClasses && Math.floor(v) === v) continue;
    if (v === ign) {
      sawIgnore = true;
      continue;
    }
    const ignoreText = ignore === null ? '' : ` or the ignore label ${ignore}`;
    // 255 is the void label of Pascal VOC, Cityscapes and most segmentation datasets.
    const hint =
      voidable && ignore === null && v === 255
        ? ' (if 255 marks void pixels, pass ignore: 255)'
        : '';
    throw new RangeError(
      `${fn}: '${arg}' must be ${allowed}${ignoreText}, got ${describeValue(v)} at index ${i}${hint}`,
    );
  }
  return sawIgnore;
}

/**
 * The `out` option against the input: null (absent) stays null; anything else must be a
 * Float32Array of `length` values that shares no memory with the inputs (writing the gradient
 * there must not change them).
 */
export function checkOut(
  fn: string,
  out: unknown,
  length: number,
  inputs: Record<string, unknown>,
): Float32Array | null {
  if (out === null) return null;
  if (!(out instanceof Float32Array)) {
    throw new TypeError(
      `${fn}: 'out' must be a Float32Array of ${length} values, got ` +
        (Array.isArray(out) ? `an array of ${out.length} values` : describeValue(out)),
    );
  }
  if (out.length !== length) {
    throw new RangeError(
      `${fn}: 'out' must hold ${length} values (one per input value), got ${out.length}`,
    );
  }
  for (const [name, input] of Object.entries(inputs)) {
    if (!ArrayBuffer.isView(input) || input.buffer !== out.buffer) continue;
    const overlap =
      input.byteOffset < out.byteOffset + out.byteLength &&
      out.byteOffset < input.byteOffset + input.byteLength;
    if (overlap) {
      throw new RangeError(
        `${fn}: 'out' must not share memory with '${name}' (inputs are never written)`,
      );
    }
  }
  return out;
}

/** `numClasses` (or another class count named `arg`): an integer >= 1. */
export function checkNumClasses(fn: string, value: unknown, arg = 'numClasses'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${fn}: '${arg}' must be an integer >= 1, got ${describeValue(value)}`);
  }
  return value;
}
