import * as tf from '@tensorflow/tfjs-core';

/**
 * Where a Lovász loss is computed:
 * - 'core': the input is downloaded once per call and the typed-array core computes the loss
 *   and its gradient (exact, float64 sums; the fastest choice on cpu and wasm, where the data
 *   already lives in main memory);
 * - 'tensor': the loss and its gradient are computed with tensor ops on the active backend
 *   (tf.topk, tf.cumsum, tf.scatterND), so the data never leaves a GPU backend;
 * - 'auto' (default): 'tensor' on the GPU backends 'webgl' and 'webgpu', else 'core'.
 *
 * Both paths compute the same loss; the tensor path supports the default values of the
 * options that only the core computes (such as fromLogits and reduction), and with 'auto'
 * any other value selects the core path.
 *
 * @example
 * ```ts
 * const path: LossPath = tf.getBackend() === 'webgl' ? 'tensor' : 'core';
 * lovaszHinge(logits, labels, { path });
 * ```
 */
export type LossPath = 'auto' | 'core' | 'tensor';

/**
 * The option that chooses the path of a Lovász loss in `lovasz/tfjs` (lovaszHinge and
 * lovaszSoftmax), beside the options of the core loss.
 *
 * @example
 * ```ts
 * const loss = lovaszSoftmax(probas, labels, { ignore: 255, path: 'core' });
 * ```
 */
export interface PathOption {
  /** 'auto' (default), 'core' or 'tensor'; see {@link LossPath}. */
  path?: LossPath;
}

/** Backends whose tensors live in GPU memory, where a download costs a GPU sync. */
export const GPU_BACKENDS: readonly string[] = ['webgl', 'webgpu'];

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return String(value);
}

/**
 * Reads and validates the `path` option of `fn` and returns the path to take, with the other
 * options (the core functions reject unknown keys, so `path` must not reach them).
 *
 * Options that are not a plain object are passed on unchanged: the core rejects them with its
 * own message. 'auto' resolves by the active backend at call time.
 * @throws TypeError when `path` is not a string, RangeError for any other string.
 */
export function choosePath<O extends object>(
  fn: string,
  options: (O & PathOption) | undefined,
): { path: 'core' | 'tensor'; options: O } {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    return { path: 'core', options: options as O };
  }
  const { path, ...rest } = options;
  const value: unknown = path === undefined ? 'auto' : path;
  if (value !== 'auto' && value !== 'core' && value !== 'tensor') {
    const message = `${fn}: 'path' must be 'auto', 'core' or 'tensor', got ${describe(value)}`;
    throw typeof value === 'string' ? new RangeError(message) : new TypeError(message);
  }
  const resolved = value === 'auto' ? autoPath() : value;
  return { path: resolved, options: rest as O };
}

/** The path 'auto' takes on the active backend. */
export function autoPath(): 'core' | 'tensor' {
  return GPU_BACKENDS.includes(tf.getBackend()) ? 'tensor' : 'core';
}
