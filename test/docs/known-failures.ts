// Documentation examples that do not typecheck yet, each named by its file and the start of its
// first line. examples.test.ts expects these to fail, and fails itself when one of them
// typechecks (or no longer exists): remove the entry when you fix the example. Do not add to
// this list to make a new example pass; fix the example.

export interface KnownFailure {
  /** The file the example is in, repository-relative. */
  readonly file: string;
  /** The start of the example's first non-blank line, trimmed. */
  readonly firstLine: string;
  /** Why it fails, and the fix. */
  readonly why: string;
}

export const KNOWN_FAILURES: readonly KnownFailure[] = [];
