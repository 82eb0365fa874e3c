// @ts-check
/**
 * The core of an earlier build, in the same run (`--baseline DIR`, DIR a built checkout of
 * that commit): lovaszSoftmax on both inputs at every size, timed alternately with this
 * build's, call by call, so that "nothing slower than before" is judged from medians measured
 * side by side and under the same load (rows timed minutes apart drift by more than the
 * changes judged).
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lovaszSoftmax } from '../../dist/index.js';
import { dims } from '../harness.js';

export const name = 'baseline';

/** @param {import('../harness.js').Context} ctx */
export async function run(ctx) {
  if (!ctx.baseline) return;
  const dir = resolve(ctx.baseline);
  const lib = await import(pathToFileURL(join(dir, 'dist', 'index.js')).href);
  let commit = 'an earlier build';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: dir,
      encoding: 'utf8',
    }).trim();
  } catch {
    // Not a git checkout (e.g. git archive): name the directory.
    commit = dir;
  }
  ctx.extra.baseline = { dir, commit };
  for (const kind of /** @type {const} */ (['uniform', 'confident'])) {
    const sizes = kind === 'uniform' ? ctx.allSoftmaxSizes : ctx.CONFIDENT_SIZES;
    for (const size of sizes) {
      const tag = kind === 'uniform' ? 'softmax' : 'softmax-confident';
      const now = {
        id: `pair/${tag}/${dims(size)}`,
        impl: 'core, timed alternately with before',
        case: ctx.softmaxCase(size, kind),
        size: dims(size),
        backend: 'wasm',
        refs: [{ id: `base/${tag}/${dims(size)}`, label: 'before' }],
      };
      const row = {
        id: `base/${tag}/${dims(size)}`,
        impl: `core before (${commit})`,
        case: ctx.softmaxCase(size, kind),
        size: dims(size),
        // The earlier build's default kernel (WebAssembly or JavaScript, whichever it had).
        backend: 'default',
        refs: [
          { id: `c/${dims(size)}`, label: 'C' },
          { id: `floor/${dims(size)}`, label: 'floor' },
        ],
      };
      if (!ctx.selected(`${row.impl} ${row.case} ${row.size} ${row.backend} baseline`)) continue;
      const { probas, labels, shape } = ctx.softmaxData(size, kind);
      const options = size[1] === 1 ? ctx.SIGMOID : {};
      ctx.timePair(
        row,
        now,
        () => {
          lib.lovaszSoftmax(probas, labels, shape, options);
        },
        () => {
          lovaszSoftmax(probas, labels, shape, options);
        },
        probas.length,
      );
    }
  }
}
