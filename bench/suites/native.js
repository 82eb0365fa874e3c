// @ts-check
/**
 * The C probe: ../shared/bench/radix_limit.c compiled with gcc -O3 -march=native into a
 * temporary directory, run at the softmax sizes (three repetitions; the later two quoted).
 * At the issue's size (10x20x300x300) it is also run alternately with the core (a run of the
 * probe, then core calls on both inputs, three times), so that the ratios the targets judge
 * come from times taken under the same load: rows timed minutes apart drift by 20% here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lovaszSoftmax } from '../../dist/index.js';
import { dims, latency } from '../harness.js';
import { formatMs } from '../table.js';

export const name = 'native';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** @param {import('../harness.js').Context} ctx */
export async function run(ctx) {
  const cSource = join(repo, '..', 'shared', 'bench', 'radix_limit.c');
  const sizes = ctx.quick
    ? [
        [2, 5, 100, 100],
        [2, 1, 100, 100],
      ]
    : [[10, 20, 300, 300], [8, 21, 128, 128], [2, 5, 100, 100], [1, 5, 50, 50], ctx.SIGMOID_SIZE];
  const wanted = sizes.filter((s) =>
    ctx.selected(`C radix_limit ${s[1] === 1 ? 'sigmoid' : 'softmax'} ${dims(s)} native`),
  );
  if (wanted.length === 0) return;
  const dir = mkdtempSync(join(os.tmpdir(), 'lovasz-bench-'));
  try {
    const exe = join(dir, 'radix_limit');
    execFileSync('gcc', ['-O3', '-march=native', '-o', exe, cSource], { stdio: 'pipe' });
    /** The probe's times at `size`, one per repetition. @param {number[]} size */
    const probe = (size) => {
      const out = execFileSync(exe, [dims(size).replaceAll('x', ',')], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      // "C radix limit BxCxHxW loss L fwd+bwd ms T", one line per repetition; the first
      // repetition touches fresh pages, so only the later ones are quoted.
      return [...out.matchAll(/fwd\+bwd ms ([\d.]+)/g)].map((m) => Number(m[1]));
    };
    for (const size of wanted) {
      ctx.log(`timing C radix_limit ${dims(size)} ...`);
      const times = probe(size);
      const later = times.length > 1 ? times.slice(1) : times;
      ctx.rows.push({
        id: `c/${dims(size)}`,
        impl: 'C radix_limit',
        case: size[1] === 1 ? 'Lovász-Sigmoid, 1 radix sort' : 'Lovász-Softmax, 1 radix sort/class',
        size: dims(size),
        backend: 'gcc -O3 -march=native',
        ...latency(later),
        refs: [{ id: `floor/${dims(size)}`, label: 'floor' }],
        note: `first repetition ${formatMs(times[0])} ms, not quoted`,
      });
    }
    const issue = [10, 20, 300, 300];
    if (
      !ctx.quick &&
      ctx.selected(`C radix_limit, timed alternately with the core ${dims(issue)}`)
    ) {
      alternate(ctx, issue, probe);
    }
  } catch (err) {
    const e = /** @type {NodeJS.ErrnoException} */ (err);
    const note =
      e.code === 'ENOENT' && !String(e.path ?? '').includes('radix_limit')
        ? 'gcc not found: C probe skipped'
        : `C probe skipped: ${e.message.split('\n')[0]}`;
    ctx.notes.push(note);
    ctx.log(note);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Three rounds of: a run of the probe (its later two repetitions quoted), then two core calls
 * (a new gradient each, as the core rows) on the uniform input and two on the confident one.
 * @param {import('../harness.js').Context} ctx
 * @param {number[]} size
 * @param {(size: number[]) => number[]} probe
 */
function alternate(ctx, size, probe) {
  ctx.log(`timing C radix_limit and the core alternately, ${dims(size)} ...`);
  const inputs = /** @type {const} */ (['uniform', 'confident']).map((kind) => ({
    kind,
    data: ctx.softmaxData(size, kind),
  }));
  /** @type {number[]} */
  const c = [];
  /** @type {Record<string, number[]>} */
  const core = { uniform: [], confident: [] };
  for (const { data } of inputs) lovaszSoftmax(data.probas, data.labels, data.shape);
  for (let round = 0; round < 3; round++) {
    c.push(...probe(size).slice(1));
    for (const { kind, data } of inputs) {
      for (let i = 0; i < 2; i++) {
        globalThis.gc?.();
        const t = performance.now();
        lovaszSoftmax(data.probas, data.labels, data.shape);
        core[kind].push(performance.now() - t);
      }
    }
  }
  const cId = `alt/c/${dims(size)}`;
  ctx.rows.push({
    id: cId,
    impl: 'C radix_limit, timed alternately with the core',
    case: 'Lovász-Softmax, 1 radix sort/class',
    size: dims(size),
    backend: 'gcc -O3 -march=native',
    refs: [{ id: `floor/${dims(size)}`, label: 'floor' }],
    ...latency(c),
  });
  for (const { kind } of inputs) {
    ctx.rows.push({
      id: `alt/core/${kind === 'uniform' ? 'softmax' : 'softmax-confident'}/${dims(size)}`,
      impl: 'core, timed alternately with the C probe',
      case: ctx.softmaxCase(size, kind),
      size: dims(size),
      backend: 'wasm',
      refs: [
        { id: cId, label: 'C' },
        { id: `floor/${dims(size)}`, label: 'floor' },
      ],
      ...latency(core[kind]),
    });
  }
}
