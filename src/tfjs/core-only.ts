/**
 * Options only the core path computes. With path 'auto' they select the core path; with
 * path 'tensor' they are an error rather than silently ignored.
 * Returns the path to take.
 */
export function coreOnly(
  fn: string,
  path: 'core' | 'tensor',
  forced: boolean,
  options: Record<string, unknown>,
  defaults: Record<string, unknown>,
): 'core' | 'tensor' {
  if (path === 'core') return path;
  for (const [key, plain] of Object.entries(defaults)) {
    const value = options[key];
    if (value === undefined || value === plain) continue;
    if (forced) {
      throw new RangeError(
        `${fn}: path 'tensor' does not support '${key}' (got ${JSON.stringify(value)}); use path 'core' or 'auto'`,
      );
    }
    return 'core';
  }
  return path;
}

/**
 * The core's `out` option writes the gradient into the caller's array; a tensor made from it
 * would share that memory on the cpu backend and change at the next call, so the tfjs losses
 * refuse it.
 */
export function rejectOut(fn: string, options: unknown): void {
  if (
    typeof options === 'object' &&
    options !== null &&
    (options as { out?: unknown }).out !== undefined
  ) {
    throw new TypeError(
      `${fn}: 'out' is an option of the typed-array losses (import from 'lovasz'); the lovasz/tfjs losses return new tensors`,
    );
  }
}
