// @ts-check
/**
 * The C probe: ../shared/bench/radix_limit.c compiled with gcc -O3 -march=native into a
 * temporary directory, run at the softmax sizes (three repetitions; the later two quoted).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dims, median } from '../harness.js';
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
    for (const size of wanted) {
      ctx.log(`timing C radix_limit ${dims(size)} ...`);
      const out = execFileSync(exe, [dims(size).replaceAll('x', ',')], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      // "C radix limit BxCxHxW loss L fwd+bwd ms T", one line per repetition; the first
      // repetition touches fresh pages, so only the later ones are quoted.
      const times = [...out.matchAll(/fwd\+bwd ms ([\d.]+)/g)].map((m) => Number(m[1]));
      const later = times.length > 1 ? times.slice(1) : times;
      ctx.rows.push({
        id: `c/${dims(size)}`,
        impl: 'C radix_limit',
        case: size[1] === 1 ? 'Lovász-Sigmoid, 1 radix sort' : 'Lovász-Softmax, 1 radix sort/class',
        size: dims(size),
        backend: 'gcc -O3 -march=native',
        medianMs: median(later),
        minMs: Math.min(...later),
        maxMs: Math.max(...later),
        iterations: later.length,
        refs: [{ id: `floor/${dims(size)}`, label: 'floor' }],
        note: `first repetition ${formatMs(times[0])} ms, not quoted`,
      });
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
