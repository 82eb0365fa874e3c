import type { Tensor } from '@tensorflow/tfjs-core';
import { formatShape } from '../core/geometry.js';

/** Throws unless `value` is a tf.Tensor (checked by shape, so that two tfjs copies still work). */
export function checkTensor(fn: string, arg: string, value: unknown): asserts value is Tensor {
  const t = value as Tensor | null;
  if (
    t === null ||
    typeof t !== 'object' ||
    !Array.isArray(t.shape) ||
    typeof t.dataSync !== 'function'
  ) {
    const what =
      value === null
        ? 'null'
        : Array.isArray(value)
          ? 'an array'
          : typeof value === 'object'
            ? ((value as object).constructor?.name ?? 'object')
            : typeof value;
    throw new TypeError(`${fn}: '${arg}' must be a tf.Tensor, got ${what}`);
  }
  if (t.isDisposed) throw new TypeError(`${fn}: '${arg}' is a disposed tf.Tensor`);
}

/** Throws unless the tensor has one of the given ranks. */
export function checkRank(
  fn: string,
  arg: string,
  t: Tensor,
  ranks: readonly number[],
  names: string,
): void {
  if (!ranks.includes(t.rank)) {
    throw new RangeError(
      `${fn}: '${arg}' must be ${names} (rank ${ranks.join(' or ')}), got shape ${formatShape(t.shape)}`,
    );
  }
}

/** Throws unless `t` has exactly `shape`; `from` says where the shape comes from. */
export function checkShapeIs(
  fn: string,
  arg: string,
  t: Tensor,
  shape: readonly number[],
  from: string,
): void {
  if (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(
      `${fn}: '${arg}' must have shape ${formatShape(shape)} (${from}), got ${formatShape(t.shape)}`,
    );
  }
}

/** The values of a tensor as a typed array (a synchronous read; never written to). */
export function valuesOf(t: Tensor): ArrayLike<number> {
  return t.dataSync() as ArrayLike<number>;
}
