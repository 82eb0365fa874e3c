// The Markdown of a run (results.json as run.mjs writes it): final validation mIoU of each
// recipe (mean and spread over seeds, dataset and per-image), per-class IoU, each seed's
// checkpoint and finals, and the paper's fine-tuning claim checked seed by seed.

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample standard deviation; 0 for a single value. */
const std = (xs) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};
const fmt = (xs, digits = 1) =>
  xs.length > 1
    ? `${mean(xs).toFixed(digits)} ± ${std(xs).toFixed(digits)}`
    : xs[0].toFixed(digits);
const signed = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;

/**
 * Markdown of `results`: { config, classes, recipes [{ key, name }], seconds, cpuSeconds,
 * runs [{ seed, epochs, bestEpoch, checkpointMIoU, phase1, branches [{ recipe, mIoU,
 * perImageMIoU, iou, curve }] }] }.
 */
export function resultsMarkdown(results) {
  const { runs, recipes, classes, config } = results;
  const n = runs.length;
  const branch = (run, key) => run.branches.find((b) => b.recipe === key);
  const lines = [];
  lines.push(
    `Final validation IoU (%) of each recipe, ${config.fineTune} epochs after the cross-entropy ` +
      `checkpoint (${config.size}x${config.size} images, ${config.train} training and ${config.val} ` +
      `validation, batches of ${config.batch}), ${n === 1 ? 'one seed' : `mean ± std over ${n} seeds`}. ` +
      'Dataset mIoU: one confusion matrix over the validation set; per-image: the mean of each ' +
      "image's mIoU over the classes present in its labels or predictions.",
    '',
    `| recipe | dataset mIoU | per-image mIoU | ${classes.join(' | ')} |`,
    `| --- | ---: | ---: | ${classes.map(() => '---:').join(' | ')} |`,
    `| checkpoint (cross-entropy, early-stopped) | ${fmt(runs.map((r) => r.checkpointMIoU))} | ${fmt(runs.map((r) => r.phase1[r.bestEpoch - 1].perImage))} | ${classes.map(() => '').join(' | ')} |`,
  );
  for (const { key, name } of recipes) {
    const bs = runs.map((r) => branch(r, key));
    const perClass = classes.map((_, c) => fmt(bs.map((b) => b.iou[c])));
    lines.push(
      `| ${name} | **${fmt(bs.map((b) => b.mIoU))}** | ${fmt(bs.map((b) => b.perImageMIoU))} | ${perClass.join(' | ')} |`,
    );
  }
  lines.push(
    '',
    `| seed | cross-entropy epochs (best) | checkpoint mIoU | ${recipes.map((r) => r.name).join(' | ')} |`,
    `| ---: | ---: | ---: | ${recipes.map(() => '---:').join(' | ')} |`,
  );
  for (const r of runs) {
    const finals = recipes.map(({ key }) => {
      const b = branch(r, key);
      return `${b.mIoU.toFixed(2)} / ${b.perImageMIoU.toFixed(2)}`;
    });
    lines.push(
      `| ${r.seed} | ${r.epochs} (${r.bestEpoch}) | ${r.checkpointMIoU.toFixed(2)} | ${finals.join(' | ')} |`,
    );
  }
  lines.push('', '(Final columns: dataset / per-image mIoU.)', '');
  for (const [key, label] of [
    ['lovasz', '(b) − (a)'],
    ['xent+lovasz', '(c) − (a)'],
  ]) {
    const gains = runs.map((r) => branch(r, key).mIoU - branch(r, 'xent').mIoU);
    const gainsImg = runs.map((r) => branch(r, key).perImageMIoU - branch(r, 'xent').perImageMIoU);
    const wins = gains.filter((g) => g > 0).length;
    lines.push(
      `${label}: dataset mIoU ${gains.map(signed).join(', ')} (mean ${signed(mean(gains))}, ahead on ${wins} of ${n}); ` +
        `per-image mIoU ${gainsImg.map(signed).join(', ')} (mean ${signed(mean(gainsImg))}).`,
      '',
    );
  }
  const cpu = results.cpuSeconds === undefined ? '' : `, ${results.cpuSeconds.toFixed(0)} s of CPU`;
  lines.push(`Run time: ${results.seconds.toFixed(0)} s wall${cpu}, ${config.backend} backend.`);
  return `${lines.join('\n')}\n`;
}
