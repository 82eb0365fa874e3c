// The Markdown tables of a run: validation mIoU and per-class IoU of each recipe (mean and
// spread over seeds), the mIoU of each seed, and the check of the paper's fine-tuning claim.

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample standard deviation; 0 for a single value. */
const std = (xs) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};
const fmt = (xs) =>
  xs.length > 1 ? `${mean(xs).toFixed(1)} ± ${std(xs).toFixed(1)}` : xs[0].toFixed(1);

/**
 * Markdown of `results` (as run.mjs writes to results.json): runs [{ recipe, seed, iou, mIoU,
 * curve }], recipes [{ key, name }], classes, config, seconds.
 */
export function resultsMarkdown(results) {
  const { runs, recipes, classes, config } = results;
  const seeds = [...new Set(runs.map((r) => r.seed))];
  const of = (key) => runs.filter((r) => r.recipe === key);
  const lines = [];
  lines.push(
    `Validation IoU (%) after ${config.steps} steps of ${config.batch} images ` +
      `(${config.size}x${config.size}, ${config.train} training and ${config.val} validation images), ` +
      `${seeds.length === 1 ? 'one seed' : `mean ± std over ${seeds.length} seeds`}; ` +
      `recipe (c) switches to the Lovász-Softmax at step ${config.fineTuneFrom}.`,
    '',
    `| recipe | mIoU | ${classes.join(' | ')} |`,
    `| --- | ---: | ${classes.map(() => '---:').join(' | ')} |`,
  );
  for (const { key, name } of recipes) {
    const rs = of(key);
    const perClass = classes.map((_, c) => fmt(rs.map((r) => r.iou[c])));
    lines.push(`| ${name} | **${fmt(rs.map((r) => r.mIoU))}** | ${perClass.join(' | ')} |`);
  }
  lines.push('', `| recipe | ${seeds.map((s) => `seed ${s}`).join(' | ')} |`);
  lines.push(`| --- | ${seeds.map(() => '---:').join(' | ')} |`);
  for (const { key, name } of recipes) {
    const bySeed = seeds.map((s) =>
      of(key)
        .find((r) => r.seed === s)
        .mIoU.toFixed(2),
    );
    lines.push(`| ${name} | ${bySeed.join(' | ')} |`);
  }
  // The claim: (c) fine-tuning with the Lovász-Softmax beats (a) cross-entropy alone.
  const gains = seeds.map(
    (s) =>
      of('xent-then-lovasz').find((r) => r.seed === s).mIoU -
      of('xent').find((r) => r.seed === s).mIoU,
  );
  const wins = gains.filter((g) => g > 0).length;
  lines.push(
    '',
    `Fine-tuning claim, (c) − (a) in validation mIoU: ${gains.map((g) => `${g >= 0 ? '+' : ''}${g.toFixed(2)}`).join(', ')} ` +
      `points (seed ${seeds.join(', ')}); (c) is ahead on ${wins} of ${seeds.length} seed${seeds.length === 1 ? '' : 's'}, ` +
      `mean ${mean(gains) >= 0 ? '+' : ''}${mean(gains).toFixed(2)} points.`,
    '',
    `Run time: ${results.seconds.toFixed(0)} s on the ${config.backend} backend.`,
  );
  return `${lines.join('\n')}\n`;
}
