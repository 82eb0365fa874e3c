/**
 * Argument checks shared by every public function.
 *
 * Every message has the form `fn: 'arg' ...` and shows the offending value or
 * shape, so that a user can find the mistake without reading our sources.
 */

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

/** Formats a shape like `[2, 3, 4]`. */
export function formatShape(shape: ArrayLike<number>): string {
  return `[${Array.from(shape).join(', ')}]`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return String(value);
}

/** Throws unless `value` is an array or a typed array of numbers. */
export function checkArray(fn: string, arg: string, value: unknown): asserts value is NumericArray {
  const ok =
    Array.isArray(value) ||
    (ArrayBuffer.isView(value) && !(value instanceof DataView) && !isBigIntArray(value));
  if (!ok) {
    throw new TypeError(
      `${fn}: '${arg}' must be an array or a typed array, got ${describe(value)}`,
    );
  }
}

function isBigIntArray(value: ArrayBufferView): boolean {
  return value instanceof BigInt64Array || value instanceof BigUint64Array;
}

/**
 * Checks that `shape` is an array of `rank` non-negative integers (any of `ranks` when several
 * ranks are allowed) and returns it as a plain number[].
 */
export function checkShape(
  fn: string,
  arg: string,
  shape: unknown,
  ranks: readonly number[],
  names: string,
): number[] {
  if (!Array.isArray(shape) && !ArrayBuffer.isView(shape)) {
    throw new TypeError(`${fn}: '${arg}' must be an array ${names}, got ${describe(shape)}`);
  }
  const dims = Array.from(shape as ArrayLike<number>);
  if (!ranks.includes(dims.length)) {
    throw new RangeError(
      `${fn}: '${arg}' must be ${names} (rank ${ranks.join(' or ')}), got ${formatShape(dims)} (rank ${dims.length})`,
    );
  }
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(
        `${fn}: '${arg}' must hold non-negative integers ${names}, got ${formatShape(dims)}`,
      );
    }
  }
  return dims;
}

/**
 * A rank-4 shape in `layout` ('NHWC': [B, H, W, C]; 'NCHW': [B, C, H, W]), checked like
 * {@link checkShape} and with at least one channel; returns it with B, H, W and C named.
 */
export function checkChannelShape(
  fn: string,
  arg: string,
  shape: unknown,
  layout: Layout,
): { dims: number[]; B: number; H: number; W: number; C: number } {
  const names = layout === 'NHWC' ? '[B, H, W, C]' : '[B, C, H, W]';
  const dims = checkShape(fn, 'shape', shape, [4], names);
  const [B, H, W, C] = layout === 'NHWC' ? dims : [dims[0], dims[2], dims[3], dims[1]];
  if (C < 1) {
    throw new RangeError(
      `${fn}: '${arg}' needs at least one channel, got shape ${formatShape(dims)}`,
    );
  }
  return { dims, B, H, W, C };
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
      throw new RangeError(`${fn}: '${arg}' must be finite, got ${describe(v)} at index ${i}`);
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
        `${fn}: '${arg}' must be probabilities in [0, 1], got ${describe(v)} at index ${i}` +
          (Number.isFinite(v) ? ' (pass probabilities, e.g. softmax(logits), not logits)' : ''),
      );
    }
  }
}

/**
 * Throws on the first label that is not an integer in [0, numClasses) and not `ignore`.
 * Returns true when at least one label equals `ignore`.
 */
export function checkLabels(
  fn: string,
  arg: string,
  labels: NumericArray,
  numClasses: number,
  ignore: number | null,
  allowed = `an integer in [0, ${numClasses})`,
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
    throw new RangeError(
      `${fn}: '${arg}' must be ${allowed}${ignoreText}, got ${describe(v)} at index ${i}`,
    );
  }
  return sawIgnore;
}

/**
 * The `out` option: null when absent, else a Float32Array of `length` values that shares no
 * memory with the inputs (writing the gradient there must not change them).
 */
export function checkOut(
  fn: string,
  value: unknown,
  length: number,
  inputs: Record<string, unknown>,
): Float32Array | null {
  if (value === undefined) return null;
  if (!(value instanceof Float32Array)) {
    throw new TypeError(
      `${fn}: 'out' must be a Float32Array of ${length} values, got ` +
        (Array.isArray(value) ? `an array of ${value.length} values` : describe(value)),
    );
  }
  if (value.length !== length) {
    throw new RangeError(
      `${fn}: 'out' must hold ${length} values (one per input value), got ${value.length}`,
    );
  }
  for (const [name, input] of Object.entries(inputs)) {
    if (!ArrayBuffer.isView(input) || input.buffer !== value.buffer) continue;
    const overlap =
      input.byteOffset < value.byteOffset + value.byteLength &&
      value.byteOffset < input.byteOffset + input.byteLength;
    if (overlap) {
      throw new RangeError(
        `${fn}: 'out' must not share memory with '${name}' (inputs are never written)`,
      );
    }
  }
  return value;
}

/**
 * The value of an option, or its default when it is absent. Only `undefined` means absent:
 * an explicit `null` is checked (and rejected) like any other wrong value.
 */
export function option<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

/** Rejects option keys the function does not know (catches typos like `per_image`). */
export function checkOptionKeys(fn: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${fn}: 'options' must be an object, got ${describe(options)}`);
  }
  const squash = (k: string) => k.replace(/[_-]/g, '').toLowerCase();
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const near = known.find((k) => squash(k) === squash(key));
      const hint = near ? `did you mean '${near}'? ` : '';
      throw new TypeError(
        `${fn}: unknown option '${key}' (${hint}known options: ${known.map((k) => `'${k}'`).join(', ')})`,
      );
    }
  }
}

export function checkBoolean(fn: string, arg: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`${fn}: '${arg}' must be true or false, got ${describe(value)}`);
  }
  return value;
}

/** `ignore` is null (no ignore label) or an integer. */
export function checkIgnore(fn: string, value: unknown): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(
      `${fn}: 'ignore' must be null or an integer label such as 255, got ${describe(value)}`,
    );
  }
  return value;
}

export function checkNumClasses(fn: string, value: unknown, arg = 'numClasses'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${fn}: '${arg}' must be an integer >= 1, got ${describe(value)}`);
  }
  return value;
}

/**
 * The order of the axes of a rank-4 input: 'NHWC' is [B, H, W, C] (channels last, the
 * TensorFlow.js default), 'NCHW' is [B, C, H, W] (channels first, as PyTorch). Labels are
 * [B, H, W] in both.
 *
 * @example
 * ```ts
 * lovaszSoftmax(probas, labels, [B, C, H, W], { layout: 'NCHW' });
 * ```
 */
export type Layout = 'NHWC' | 'NCHW';

export function checkLayout(fn: string, value: unknown): Layout {
  if (value !== 'NHWC' && value !== 'NCHW') {
    throw new RangeError(`${fn}: 'layout' must be 'NHWC' or 'NCHW', got ${describe(value)}`);
  }
  return value;
}

/**
 * What a loss averages over: 'present' (the classes that occur among the valid labels, what
 * the paper optimises), 'all' (every class, so predicting an absent class is penalised too),
 * or a list of distinct class indices in [0, C).
 *
 * @example
 * ```ts
 * lovaszSoftmax(probas, labels, [B, H, W, C], { classes: [1, 2, 3] });
 * ```
 */
export type ClassSelection = 'present' | 'all' | readonly number[];

/** Validates `classes` against `numClasses`: 'present', 'all', or distinct integers in [0, C). */
export function checkClasses(fn: string, value: unknown, numClasses: number): ClassSelection {
  if (value === 'present' || value === 'all') return value;
  if (!Array.isArray(value)) {
    throw new TypeError(
      `${fn}: 'classes' must be 'present', 'all' or an array of class indices, got ${describe(value)}`,
    );
  }
  if (value.length === 0) {
    throw new RangeError(`${fn}: 'classes' must list at least one class, got []`);
  }
  const seen = new Set<number>();
  for (const c of value) {
    if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 0 || c >= numClasses) {
      throw new RangeError(
        `${fn}: 'classes' entries must be integers in [0, ${numClasses}), got ${describe(c)} in ${describe(value)}`,
      );
    }
    if (seen.has(c)) {
      throw new RangeError(`${fn}: 'classes' has the class ${c} twice in ${describe(value)}`);
    }
    seen.add(c);
  }
  return value.slice();
}

/** `empty` (the score of an empty union, as a fraction: 1 means 100%) must be finite. */
export function checkEmpty(fn: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${fn}: 'empty' must be a finite number, got ${describe(value)}`);
  }
  return value;
}
