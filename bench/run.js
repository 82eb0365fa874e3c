// @ts-check
/**
 * `npm run bench`: median forward + backward times of the Lovász losses, one thread, with
 * every ratio measured in the same run. The rows come from the suites of bench/suites (listed
 * in bench/suites/index.js), the targets from bench/targets.js. See bench/README.md.
 *
 * usage: node bench/run.js [--quick] [--filter <substring>] [--baseline <dir>] [--readme]
 *        node bench/run.js --backend webgpu [...]   (the GPU rows: bench/gpu.js, its own flags)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makeContext } from './harness.js';
import { SUITES } from './suites/index.js';
import { PORT_LIMIT_MS } from './suites/port.js';
import { formatBytes, formatMs, formatRatio, markdownTable } from './table.js';
import { TARGETS } from './targets.js';

// The GPU rows run on a tfjs GPU backend, with their own flags and table.
if (process.argv.slice(2).some((a) => a === '--backend' || a.startsWith('--backend='))) {
  const { runGpuBench } = await import('./gpu.js');
  await runGpuBench(process.argv.slice(2));
  process.exit(0);
}

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    filter: { type: 'string' },
    baseline: { type: 'string' },
    suites: { type: 'string' },
    readme: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log(`usage: node bench/run.js [--quick] [--filter <substring>] [--baseline <dir>] [--readme]
  --quick     small sizes only (smoke check, ~20 s)
  --filter    run only rows whose "impl case size backend" contains the substring
  --baseline  also time the core of a built checkout in <dir> (an earlier commit), for the
              "not slower than before" targets
  --suites    comma-separated suites to run (default: all of ${SUITES.join(', ')})
  --readme    also replace the "## Performance" section of README.md (if README.md exists)`);
  process.exit(0);
}

// Another job on this machine inflates every row (2 cores): the load is recorded and warned about.
const loadAtStart = os.loadavg()[0];
const ctx = makeContext({ quick: opts.quick, filter: opts.filter, baseline: opts.baseline });
const only = opts.suites?.split(',');
for (const name of SUITES) {
  if (only && !only.includes(name)) continue;
  const suite = await import(`./suites/${name}.js`);
  await suite.run(ctx);
}
const { rows } = ctx;

// ---------------------------------------------------------------------------- ratios ----

const byId = new Map(rows.map((r) => [r.id, r]));
for (const row of rows) {
  row.ratios = [];
  for (const ref of row.refs) {
    const other = byId.get(ref.id);
    if (!other || other.skipped) continue;
    if (row.skipped && row.note?.startsWith('>')) {
      // Only a lower bound is known: the iteration ran longer than the limit.
      row.ratios.push({ vs: ref.label, ratio: PORT_LIMIT_MS / other.medianMs, lowerBound: true });
    } else if (!row.skipped) {
      row.ratios.push({ vs: ref.label, ratio: row.medianMs / other.medianMs });
    }
  }
}

// --------------------------------------------------------------------------- targets ----

// Targets are stated for the full sizes only; quick runs judge none.
const judged = opts.quick
  ? []
  : TARGETS.map((t) => ({ t, r: t.judge((id) => byId.get(id)) })).filter((x) => x.r !== null);
const targets = judged.map(({ t, r }) => ({
  target: t.text,
  measured: /** @type {{ measured: string }} */ (r).measured,
  met: /** @type {{ met: boolean | null }} */ (r).met,
}));
const marks = new Map();
for (const { t } of judged) marks.set(t.row, [marks.get(t.row), t.mark].filter(Boolean).join('; '));

// ---------------------------------------------------------------------------- output ----

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: repo,
    encoding: 'utf8',
  }).trim();
  // The kernels change while this runs elsewhere: say when src/ differs from the commit.
  const dirty = execFileSync('git', ['status', '--porcelain', 'src', 'assembly'], {
    cwd: repo,
    encoding: 'utf8',
  });
  if (dirty.trim()) commit += ' (+ uncommitted src changes)';
} catch {
  // Not a git checkout: the commit stays unknown.
}
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  nproc: os.availableParallelism(),
  totalMemoryBytes: os.totalmem(),
  os: `${os.platform()} ${os.release()} ${os.arch()}`,
  node: process.version,
  tfjs: /** @type {string | undefined} */ (ctx.extra.tfjs) ?? 'not loaded',
  date: new Date().toISOString(),
  commit,
  mode: opts.quick ? 'quick' : opts.filter || only ? `partial` : 'full',
  loadAverage1m: { start: loadAtStart, end: os.loadavg()[0] },
};

const ratioText = (/** @type {import('./harness.js').Row} */ r) =>
  (r.ratios ?? [])
    .map((x) => `${x.lowerBound ? '> ' : ''}${formatRatio(x.ratio)} ${x.vs}`)
    .join(', ');
const mainTable = markdownTable(
  ['impl', 'case', 'size', 'backend', 'median ms', 'min', 'max', 'n', 'time vs', 'target', 'note'],
  rows.map((r) => [
    r.impl,
    r.case,
    r.size,
    r.backend,
    r.skipped ? (r.note ?? 'skipped') : formatMs(r.medianMs),
    formatMs(r.minMs),
    formatMs(r.maxMs),
    String(r.iterations),
    ratioText(r),
    marks.get(r.id) ?? '',
    r.skipped ? '' : (r.note ?? ''),
  ]),
  ['l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'l', 'l', 'l'],
);
const targetTable = markdownTable(
  ['target (from the issues)', 'measured', 'status'],
  targets.map((t) => [
    t.target,
    t.measured,
    t.met === null ? 'unknown' : t.met ? 'met' : 'NOT met',
  ]),
);
const memoryText = ctx.memory.length
  ? `${ctx.memory.join(' ')}${
      typeof ctx.extra.hingeWasmBytes === 'number'
        ? ` The hinge's WebAssembly memory after the hinge rows: ${formatBytes(ctx.extra.hingeWasmBytes)}.`
        : ''
    } Peak RSS of the whole run: ${formatBytes(process.resourceUsage().maxRSS * 1024)}.`
  : '';

const machineLine =
  `${machine.cpu}, ${machine.nproc} cores, ${formatBytes(machine.totalMemoryBytes)} RAM, ` +
  `${machine.os}, Node ${machine.node}, tfjs ${machine.tfjs}, commit ${machine.commit}, ${machine.date.slice(0, 10)}`;
const load = `1-min load average ${loadAtStart.toFixed(1)} at start, ${machine.loadAverage1m.end.toFixed(1)} at the end, on ${machine.nproc} cores`;
const busy = Math.max(loadAtStart, machine.loadAverage1m.end) > 1.5;
const notes = [
  busy
    ? `warning: the machine was busy (${load}): other processes shared the CPU, so times are inflated and noisy`
    : null,
  ...ctx.notes,
].filter(Boolean);
const performance = [
  '## Performance',
  '',
  `Machine: ${machineLine}; ${load}.`,
  '',
  'Measured by `npm run bench` (see bench/README.md): median forward + backward time, single',
  'thread; "time vs" divides a median by the median of the named row of the same run (below',
  '1x: faster); "floor" is one copy of the probabilities (the least a loss that reads them and',
  'writes a gradient can cost). Inputs: NHWC probabilities, uniform random per pixel and',
  'normalised ("uniform", as the C probe draws them) or those of a confident, mostly right',
  'model ("confident": the label gets 0.5 to 1 on 90% of pixels), labels uniform in [0, C);',
  'hinge logits N(0, 1) with random labels, or 90% of pixels confidently right ("trained").',
  '',
  mainTable,
  '',
  targetTable,
  ...(memoryText ? ['', memoryText] : []),
  ...(notes.length ? ['', ...notes.map((n) => `- ${n}`)] : []),
  '',
].join('\n');

process.stdout.write(`\n${performance}`);

const resultsName =
  machine.mode === 'full' ? 'latest.json' : `${opts.quick ? 'quick' : 'partial'}.tmp.json`;
const resultsPath = join(here, 'results', resultsName);
writeFileSync(
  resultsPath,
  `${JSON.stringify({ machine, rows, targets, notes, ...ctx.extra }, null, 2)}\n`,
);
ctx.log(`\nresults written to ${resultsPath}`);

if (opts.readme) {
  const readme = join(repo, 'README.md');
  try {
    const text = readFileSync(readme, 'utf8');
    // Replace the section up to the next "## " heading, or append it: nothing else changes.
    const start = text.search(/^## Performance[ \t]*$/m);
    let next = text.length;
    if (start >= 0) {
      const after = text.slice(start + 1).search(/^## /m);
      if (after >= 0) next = start + 1 + after;
    }
    const updated =
      start >= 0
        ? `${text.slice(0, start)}${performance}${next < text.length ? '\n' : ''}${text.slice(next)}`
        : `${text.trimEnd()}\n\n${performance}`;
    writeFileSync(readme, updated);
    ctx.log('README.md: "## Performance" section updated');
  } catch {
    ctx.log('README.md not found: section not written');
  }
}
