// @ts-check
/**
 * Compares two benchmark results (bench/results/*.json of `node bench/run.js`): the median of
 * every row both runs have, matched by row id, after / before, and the rows slower than a
 * threshold. Rows only one run has are listed apart (a renamed or new row is no comparison).
 *
 * usage: node bench/compare.js BEFORE.json AFTER.json [--threshold 1.03] [--markdown]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatMs, formatRatio, markdownTable } from './table.js';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    threshold: { type: 'string', default: '1.03' },
    markdown: { type: 'boolean', default: false },
  },
});
if (positionals.length !== 2) {
  console.error(
    'usage: node bench/compare.js BEFORE.json AFTER.json [--threshold 1.03] [--markdown]',
  );
  process.exit(2);
}
const threshold = Number(opts.threshold);
if (!(threshold > 0)) {
  console.error(`compare: --threshold must be a positive number, got ${opts.threshold}`);
  process.exit(2);
}

/** @typedef {{ id: string, impl: string, case: string, size: string, backend: string, medianMs?: number }} Row */

/** @param {string} path @returns {Map<string, Row>} */
function rowsOf(path) {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  /** @type {Row[]} */
  const rows = json.rows ?? [];
  return new Map(rows.filter((r) => typeof r.medianMs === 'number').map((r) => [r.id, r]));
}

const before = rowsOf(positionals[0]);
const after = rowsOf(positionals[1]);
const table = [];
const slower = [];
for (const [id, a] of after) {
  const b = before.get(id);
  if (!b || b.medianMs === undefined || a.medianMs === undefined) continue;
  const ratio = a.medianMs / b.medianMs;
  if (ratio > threshold) slower.push(id);
  table.push([
    `${a.impl} ${a.case}`,
    a.size,
    a.backend,
    formatMs(b.medianMs),
    formatMs(a.medianMs),
    formatRatio(ratio),
  ]);
}
const onlyBefore = [...before.keys()].filter((id) => !after.has(id));
const onlyAfter = [...after.keys()].filter((id) => !before.has(id));
const header = ['row', 'size', 'backend', 'before (ms)', 'after (ms)', 'after / before'];
if (opts.markdown) console.log(markdownTable(header, table));
else for (const r of [header, ...table]) console.log(r.join('\t'));
console.log(`\n${table.length} rows in both runs; ${slower.length} slower than ${threshold}x`);
for (const id of slower) console.log(`  slower: ${id}`);
if (onlyBefore.length) console.log(`only before: ${onlyBefore.join(', ')}`);
if (onlyAfter.length) console.log(`only after: ${onlyAfter.join(', ')}`);
