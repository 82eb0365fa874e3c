import * as tf from '@tensorflow/tfjs-core';
import { enumOption } from '../core/options/common-options.js';
import type { OptionSpec, OptionTable } from '../core/options/option-spec.js';

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
 * import * as tf from '@tensorflow/tfjs-core';
 * import { type LossPath, lovaszHinge } from 'lovasz/tfjs';
 *
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
 * import { lovaszSoftmax } from 'lovasz/tfjs';
 *
 * const loss = lovaszSoftmax(probas, labels, { ignore: 255, path: 'core' });
 * ```
 */
export interface PathOption {
  /**
   * 'auto', 'core' or 'tensor'; see {@link LossPath}.
   * @default 'auto'
   */
  path?: LossPath;
}

/** `path`: 'auto' | 'core' | 'tensor'. */
export const pathOption: OptionSpec<LossPath> = enumOption(
  'path',
  ['auto', 'core', 'tensor'],
  'auto',
  true,
);

/** Backends whose tensors live in GPU memory, where a download costs a GPU sync. */
export const GPU_BACKENDS: readonly string[] = ['webgl', 'webgpu'];

/** The path 'auto' takes on the active backend. */
export function autoPath(): 'core' | 'tensor' {
  return GPU_BACKENDS.includes(tf.getBackend()) ? 'tensor' : 'core';
}

/**
 * The path a call takes: `path` resolved by the backend, then refused or left for the core
 * when the call needs something the tensor path does not compute: an option of `opts` in
 * `coreOnly` whose value differs from the default of `table`, or `reason` (a shape the
 * tensor path does not take, say). With 'tensor' that is an error naming it; with 'auto' the
 * core path computes the call.
 */
export function choosePath(
  fn: string,
  path: LossPath,
  opts: Readonly<Record<string, unknown>>,
  table: OptionTable,
  coreOnly: readonly string[],
  reason: string | null = null,
): 'core' | 'tensor' {
  const resolved = path === 'auto' ? autoPath() : path;
  if (resolved === 'core') return resolved;
  let why = reason;
  for (const key of coreOnly) {
    if (why !== null) break;
    if (!sameValue(opts[key], table[key].default)) {
      why = `'${key}' (got ${JSON.stringify(opts[key])})`;
    }
  }
  if (why === null) return 'tensor';
  if (path === 'tensor') {
    throw new RangeError(`${fn}: path 'tensor' does not support ${why}; use path 'core' or 'auto'`);
  }
  return 'core';
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}
