import * as tf from '@tensorflow/tfjs-core';
import { enumOption } from '../core/options/common-options.js';
import type { OptionSpec } from '../core/options/option-spec.js';

/**
 * Where a Lovász loss is computed:
 * - 'core': the input is downloaded once per call and the typed-array core computes the loss
 *   and its gradient (exact, float64 sums; the fastest choice on cpu and wasm, where the data
 *   already lives in main memory);
 * - 'tensor': the loss and its gradient are computed with tensor ops on the active backend
 *   (tf.topk, tf.cumsum, tf.scatterND), so the data never leaves a GPU backend;
 * - 'auto' (default): 'tensor' on the GPU backends 'webgl' and 'webgpu', else 'core'.
 *
 * Both paths compute the same loss, with every option, on any number of spatial axes; only the
 * hinge's `kernel` (a choice between the core's implementations) other than 'auto' needs the
 * core path: 'auto' then takes it (with a debug-level note) and 'tensor' refuses.
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
 * The path a call takes: `path` resolved by the backend ('auto': 'tensor' on webgl and webgpu),
 * unless the call needs what only the core computes (`coreOnly` names it, e.g. "kernel
 * 'wasm'"): then 'tensor' is an error naming it, and 'auto' takes the core path and says so
 * once per function and reason at the console's debug level (the inputs are downloaded).
 */
export function choosePath(
  fn: string,
  path: LossPath,
  coreOnly: string | null = null,
): 'core' | 'tensor' {
  const resolved = path === 'auto' ? autoPath() : path;
  if (resolved === 'core' || coreOnly === null) return resolved;
  if (path === 'tensor') {
    throw new RangeError(
      `${fn}: path 'tensor' does not support ${coreOnly}; use path 'core' or 'auto'`,
    );
  }
  const note = `${fn}: ${coreOnly} is computed on the core path only, so on the ${tf.getBackend()} backend this call downloads its inputs`;
  if (!NOTED.has(note)) {
    NOTED.add(note);
    console.debug(note);
  }
  return 'core';
}

/**
 * What a `kernel` option asks of the path: it chooses between the core's implementations, so
 * any choice but 'auto' needs the core (the reason {@link choosePath} gives), else null.
 */
export function kernelNeedsCore(kernel: 'auto' | 'wasm' | 'js'): string | null {
  return kernel === 'auto' ? null : `kernel '${kernel}'`;
}

/** The notes already given (one per function and reason). */
const NOTED = new Set<string>();
