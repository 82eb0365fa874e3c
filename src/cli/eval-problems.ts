/**
 * The problems one run of `lovasz eval` finds, collected from every phase (listing, headers,
 * pixels) and printed together, grouped by kind, each line naming its file; then the run
 * exits 1 and writes nothing.
 * @module
 */

/** A failed evaluation: the message is the whole report. No output file is written. */
export class EvalFailure extends Error {}

/** How many lines each group lists before "... and N more". */
const LISTED = 20;

/**
 * Every problem of a run. Groups print in a fixed order (ORDER: options, listing, pairing,
 * headers, contents) and lines within a group sorted by path, so that a report does not
 * depend on which worker finished first.
 */
export class Problems {
  private readonly groups = new Map<string, string[]>();
  private readonly notes = new Set<string>();

  /** Records one problem: `group` is its kind (e.g. 'masks of different sizes'). */
  add(group: string, line: string): void {
    const lines = this.groups.get(group);
    if (lines) lines.push(line);
    else this.groups.set(group, [line]);
  }

  /** A hint printed once after the groups. */
  note(text: string): void {
    this.notes.add(text);
  }

  get size(): number {
    let n = 0;
    for (const lines of this.groups.values()) n += lines.length;
    return n;
  }

  /** Throws an EvalFailure listing everything, if anything was recorded. */
  throwIfAny(): void {
    if (this.size === 0) return;
    const out = [
      `lovasz eval: ${this.size} problem${this.size === 1 ? '' : 's'}; no results written`,
    ];
    const groups = [...this.groups.entries()].sort(
      ([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0),
    );
    for (const [group, lines] of groups) {
      out.push(`  ${group} (${lines.length}):`);
      const sorted = [...lines].sort();
      for (const line of sorted.slice(0, LISTED)) out.push(`    ${line}`);
      if (sorted.length > LISTED) out.push(`    ... and ${sorted.length - LISTED} more`);
    }
    for (const text of this.notes) out.push(`  (${text})`);
    throw new EvalFailure(out.join('\n'));
  }
}

/** The order of the report: setup first, then pairing, headers, contents. */
const ORDER = [
  'options',
  'unreadable',
  'nothing to evaluate',
  'files that are not',
  'predictions without',
  'ground truth without',
  'not PNG',
  'masks over --max-pixels',
  'masks of different sizes',
  'colour masks',
  'truncated',
  'corrupt',
  'label values',
];

function rank(group: string): number {
  const i = ORDER.findIndex((prefix) => group.startsWith(prefix));
  return i < 0 ? ORDER.length : i;
}
