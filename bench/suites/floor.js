// @ts-check
/**
 * The memory-bandwidth floor: one copy of the probabilities (a memcpy through
 * TypedArray.prototype.set into an array allocated before timing). A loss must at least read
 * them and write a gradient of the same size, which is what one copy does.
 */
import { dims } from '../harness.js';

export const name = 'floor';

/** @param {import('../harness.js').Context} ctx */
export async function run(ctx) {
  for (const size of ctx.allSoftmaxSizes) {
    const row = {
      id: `floor/${dims(size)}`,
      impl: 'memcpy floor',
      case: 'copy the probabilities once (read + write)',
      size: dims(size),
      backend: 'TypedArray.set',
      refs: [],
    };
    if (!ctx.selected(`${row.impl} ${row.case} ${row.size} ${row.backend}`)) continue;
    const { probas } = ctx.softmaxData(size);
    const to = new Float32Array(probas.length);
    await ctx.timeRow(
      row,
      () => {
        to.set(probas);
      },
      probas.length,
    );
  }
}
