/**
 * The core's `out` option writes the gradient into the caller's array; a tensor made from it
 * would share that memory on the cpu backend and change at the next call, so the tfjs losses
 * refuse it, with this message rather than as an unknown option.
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
