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
