import { describeValue } from './describe-value.js';

/**
 * One option of a function: its default and its check. The check receives the value the
 * caller passed (never `undefined`: absent options take the default without a check) and
 * returns the resolved value, or throws an error naming `fn` and the option.
 *
 * @example
 * ```ts
 * const flag: OptionSpec<boolean> = {
 *   default: false,
 *   check(fn, value) {
 *     if (typeof value !== 'boolean') throw new TypeError(`${fn}: 'flag' must be true or false`);
 *     return value;
 *   },
 * };
 * ```
 */
export interface OptionSpec<T> {
  /** The value of the option when the caller leaves it out. */
  readonly default: T;
  /** The caller must pass it: absent, it is checked as `undefined` (and refused). */
  readonly required?: boolean;
  /** Validates a value the caller passed and returns it resolved. */
  check(fn: string, value: unknown): T;
}

/**
 * The options of one function, by key: the declarative table every entry point (core,
 * tensor path, Keras wrappers) resolves options from. Option interfaces document the same
 * keys with `@default` tags, and a test checks that both agree.
 *
 * @example
 * ```ts
 * const table = {
 *   empty: { default: 1, check: (_fn: string, value: unknown) => Number(value) },
 * } satisfies OptionTable;
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: a table holds specs of any value type
export type OptionTable = Readonly<Record<string, OptionSpec<any>>>;

/**
 * The options of a table once resolved: every key present, with its checked value.
 *
 * @example
 * ```ts
 * const table = { empty: { default: 1, check: (_fn: string, value: unknown) => Number(value) } };
 * type Resolved = ResolvedOptions<typeof table>; // { readonly empty: number }
 * ```
 */
export type ResolvedOptions<T extends OptionTable> = {
  readonly [K in keyof T]: T[K] extends OptionSpec<infer V> ? V : never;
};

/**
 * Resolves `raw` (the options object a caller passed, or undefined) against `table`: rejects
 * keys the table does not have (with a "did you mean" for a near miss, listing only the keys
 * of `table`), takes the default of every absent key and checks every present one. Only
 * `undefined` means absent: an explicit `null` is checked like any other value.
 *
 * @throws TypeError when `raw` is not an object or holds an unknown key; whatever a check
 *   throws for a bad value.
 */
export function resolveOptions<T extends OptionTable>(
  fn: string,
  table: T,
  raw: unknown,
): ResolvedOptions<T> {
  checkOptionKeys(fn, raw, Object.keys(table));
  const given = (raw ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    const value = given[key];
    out[key] = value === undefined && !spec.required ? spec.default : spec.check(fn, value);
  }
  return out as ResolvedOptions<T>;
}

/** Rejects option keys `fn` does not take (catches typos like `per_image`). */
export function checkOptionKeys(fn: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${fn}: 'options' must be an object, got ${describeValue(options)}`);
  }
  const squash = (k: string) => k.replace(/[_-]/g, '').toLowerCase();
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => squash(k) === squash(key));
    const hint = near ? `did you mean '${near}'? ` : '';
    const list = known.length ? known.map((k) => `'${k}'`).join(', ') : 'none';
    throw new TypeError(`${fn}: unknown option '${key}' (${hint}known options: ${list})`);
  }
}

/**
 * A table without some keys, for a wrapper that takes a subset of a function's options.
 *
 * @example
 * ```ts
 * const spec = { default: 1, check: (_fn: string, value: unknown) => Number(value) };
 * const smaller = omitOptions({ empty: spec, scale: spec }, ['scale']); // { empty }
 * ```
 */
export function omitOptions<T extends OptionTable, K extends keyof T & string>(
  table: T,
  keys: readonly K[],
): Omit<T, K> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    if (!(keys as readonly string[]).includes(key)) out[key] = spec;
  }
  return out as Omit<T, K>;
}
