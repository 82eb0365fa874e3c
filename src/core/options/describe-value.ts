/**
 * How an error message shows a value a user passed: strings quoted, arrays listed (the first
 * eight entries), typed arrays and other objects by their type, everything else as
 * `String` writes it. The one describer of every message in the library.
 *
 * @example
 * ```ts
 * describeValue('nhwc');          // "'nhwc'"
 * describeValue([1, 2]);          // '[1, 2]'
 * describeValue(new Uint8Array(3)); // 'Uint8Array'
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) {
    const shown = value.slice(0, 8).map(describeValue).join(', ');
    return `[${shown}${value.length > 8 ? `, ... (${value.length} values)` : ''}]`;
  }
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return String(value);
}
