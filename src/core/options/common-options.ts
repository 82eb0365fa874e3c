import type { Layout } from '../geometry.js';
import type { Reduction } from '../reduction.js';
import { describeValue } from './describe-value.js';
import type { OptionSpec } from './option-spec.js';

/**
 * The specs of the options several functions share. Each function's table picks the ones it
 * takes (with its own default where defaults differ); every check here is the only check of
 * that option anywhere in the library.
 */

/**
 * What a loss averages over: 'present' (the classes that occur among the valid labels, what
 * the paper optimises), 'all' (every class, so predicting an absent class is penalised too),
 * or a list of distinct class indices in [0, C).
 *
 * @example
 * ```ts
 * import { lovaszSoftmax } from 'lovasz';
 *
 * lovaszSoftmax(probas, labels, [B, H, W, C], { classes: [1, 2, 3] });
 * ```
 */
export type ClassSelection = 'present' | 'all' | readonly number[];

/**
 * One of a fixed set of string values. A wrong value is a RangeError; with `typed`, a value
 * that is not a string at all is a TypeError.
 */
export function enumOption<T extends string>(
  key: string,
  values: readonly T[],
  fallback: T,
  typed = false,
): OptionSpec<T> {
  const listed = values.map((v) => `'${v}'`);
  const choices = `${listed.slice(0, -1).join(', ')} or ${listed[listed.length - 1]}`;
  return {
    default: fallback,
    check(fn, value) {
      if ((values as readonly unknown[]).includes(value)) return value as T;
      const message = `${fn}: '${key}' must be ${choices}, got ${describeValue(value)}`;
      throw typed && typeof value !== 'string' ? new TypeError(message) : new RangeError(message);
    },
  };
}

/** true or false. */
export function booleanOption(key: string, fallback: boolean): OptionSpec<boolean> {
  return {
    default: fallback,
    check(fn, value) {
      if (typeof value === 'boolean') return value;
      throw new TypeError(`${fn}: '${key}' must be true or false, got ${describeValue(value)}`);
    },
  };
}

/** An integer >= 1 (a count, a size); `required`: no default, the caller must pass it. */
export function positiveIntOption(
  key: string,
  fallback: number,
  required = false,
): OptionSpec<number> {
  return {
    default: fallback,
    required,
    check(fn, value) {
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
      throw new RangeError(`${fn}: '${key}' must be an integer >= 1, got ${describeValue(value)}`);
    },
  };
}

/** A string; with `nonEmpty`, not ''. */
export function stringOption(key: string, fallback: string, nonEmpty = false): OptionSpec<string> {
  return {
    default: fallback,
    check(fn, value) {
      if (typeof value === 'string' && (!nonEmpty || value.length > 0)) return value;
      const what = nonEmpty ? 'a non-empty string' : 'a string';
      throw new TypeError(`${fn}: '${key}' must be ${what}, got ${describeValue(value)}`);
    },
  };
}

/** `ignore`: null (no ignore label) or an integer label. */
export function ignoreOption(fallback: number | null): OptionSpec<number | null> {
  return {
    default: fallback,
    check(fn, value) {
      if (value === null) return null;
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      throw new TypeError(
        `${fn}: 'ignore' must be null or an integer label such as 255, got ${describeValue(value)}`,
      );
    },
  };
}

/** 'mean' | 'sum' | 'none'. */
export const reductionOption: OptionSpec<Reduction> = enumOption(
  'reduction',
  ['mean', 'sum', 'none'],
  'mean',
);

/**
 * Which implementation computes a loss that has a WebAssembly kernel: 'auto' (WebAssembly
 * where it can run, else JavaScript), 'wasm' (throws when it cannot run) or 'js'. Both return
 * the same bits.
 *
 * @example
 * ```ts
 * import { lovaszHinge } from 'lovasz';
 *
 * lovaszHinge(logits, labels, [B, H, W], { kernel: 'js' });
 * ```
 */
export type KernelChoice = 'auto' | 'wasm' | 'js';

/** `kernel`: 'auto' | 'wasm' | 'js'. */
export const kernelOption: OptionSpec<KernelChoice> = enumOption(
  'kernel',
  ['auto', 'wasm', 'js'],
  'auto',
);

/** `layout`: 'NHWC' (channels last) | 'NCHW' (channels second). */
export const layoutOption: OptionSpec<Layout> = enumOption('layout', ['NHWC', 'NCHW'], 'NHWC');

/**
 * `classes`: 'present', 'all' or a non-empty list without repeats; that its entries are
 * class indices of the input (integers in [0, C)) is checked by `checkClassesFit`.
 */
export function classesOption(fallback: ClassSelection): OptionSpec<ClassSelection> {
  return {
    default: fallback,
    check(fn, value) {
      if (value === 'present' || value === 'all') return value;
      if (!Array.isArray(value)) {
        throw new TypeError(
          `${fn}: 'classes' must be 'present', 'all' or an array of class indices, got ${describeValue(value)}`,
        );
      }
      if (value.length === 0) {
        throw new RangeError(`${fn}: 'classes' must list at least one class, got []`);
      }
      const seen = new Set<unknown>();
      for (const c of value) {
        if (seen.has(c)) {
          throw new RangeError(
            `${fn}: 'classes' has the class ${describeValue(c)} twice in ${describeValue(value)}`,
          );
        }
        seen.add(c);
      }
      return value.slice();
    },
  };
}

/**
 * `classWeights`: null (every class weighs 1) or finite non-negative numbers, resolved to a
 * Float64Array; that there is one per class is checked against the input by
 * `checkWeightsFit`.
 */
export const classWeightsOption: OptionSpec<Float64Array | null> = {
  default: null,
  check(fn, value) {
    if (value === null) return null;
    if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
      throw new TypeError(
        `${fn}: 'classWeights' must be null or an array of one weight per class, got ${describeValue(value)}`,
      );
    }
    const w = value as ArrayLike<unknown>;
    const out = new Float64Array(w.length);
    for (let c = 0; c < w.length; c++) {
      const x = w[c];
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
        throw new RangeError(
          `${fn}: 'classWeights' must be finite and >= 0, got ${describeValue(x)} for class ${c}`,
        );
      }
      out[c] = x;
    }
    return out;
  },
};

/** `empty` (the score of an empty union, as a fraction: 1 means 100%): a finite number. */
export function emptyOption(fallback: number): OptionSpec<number> {
  return {
    default: fallback,
    check(fn, value) {
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      throw new TypeError(`${fn}: 'empty' must be a finite number, got ${describeValue(value)}`);
    },
  };
}

/**
 * `out`: a Float32Array for the gradient, or null (a new array each call). Whether a value is
 * one, of the input's length and sharing no memory with the inputs, needs the inputs: the
 * whole check is `checkOut`'s, which every loss with this option calls once.
 */
export const outOption: OptionSpec<unknown> = {
  default: null,
  check(fn, value) {
    // null is the resolved "absent": an explicit null is a wrong value like any other.
    if (value === null) {
      throw new TypeError(`${fn}: 'out' must be a Float32Array (or left out), got null`);
    }
    return value;
  },
};

/** Throws unless every listed class exists among `numClasses` (labels in [0, numClasses)). */
export function checkClassesFit(fn: string, classes: ClassSelection, numClasses: number): void {
  if (typeof classes === 'string') return;
  for (const c of classes) {
    if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 0 || c >= numClasses) {
      throw new RangeError(
        `${fn}: 'classes' entries must be integers in [0, ${numClasses}), got ${describeValue(c)} in ${describeValue(classes)}`,
      );
    }
  }
}

/** Throws unless `weights` (when given) holds one weight per class. */
export function checkWeightsFit(
  fn: string,
  weights: Float64Array | null,
  numClasses: number,
): void {
  if (weights !== null && weights.length !== numClasses) {
    throw new RangeError(
      `${fn}: 'classWeights' must hold one weight per class (${numClasses}), got ${weights.length}`,
    );
  }
}
