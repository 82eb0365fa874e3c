import { OUTPUT_FILES as F } from './output-files.js';
import { BINARY_RUNS, type DemoResults, MULTICLASS_RUNS } from './results.js';

const f2 = (v: number) => v.toFixed(2);

const DESCRIPTION: Record<string, string> = {
  hinge: 'Lovász hinge (per image)',
  sigmoid: 'Lovász-Sigmoid (Lovász-Softmax of sigmoid, class 1)',
  bce: 'binary cross-entropy',
  lovasz: 'Lovász-Softmax',
  xent: 'softmax cross-entropy',
};

function tableHtml(head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th>${h}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

function figure(src: string, caption: string): string {
  return `<figure><img src="${src}" alt="${caption}"><figcaption>${caption}</figcaption></figure>`;
}

/**
 * report.html of `lovasz demo`: the numbers of every run, the loss and IoU plots, and the
 * label and prediction grids, for the demos in `results`. Self-contained apart from the PNGs
 * beside it, which it references relatively (no scripts, no network), so it opens offline.
 * @example
 *   writeFileSync(join(out, 'report.html'), reportHtml(results));
 */
export function reportHtml(results: DemoResults): string {
  const sections: string[] = [];
  const bin = results.binary;
  if (bin) {
    const [B, H, W] = bin.shape;
    const rows = [['initial (b = 0)', '', f2(bin.initial.imageIoU), f2(bin.initial.batchIoU), '0']];
    for (const name of BINARY_RUNS) {
      const r = bin.runs[name];
      rows.push([
        `<b>${name}</b>`,
        DESCRIPTION[name],
        f2(r.final.imageIoU),
        f2(r.final.batchIoU),
        r.final.b.toFixed(3),
      ]);
    }
    sections.push(`<h2>Binary demo</h2>
<p>${B} label images of ${H}&times;${W}: background 0, a filled triangle of void (255), then a
filled triangle of foreground (1) over it. Features N(&minus;1, 2.5) on background, N(1, 2.5) on
foreground, N(0, 5) on void. Model: logits = features + b, one scalar b from 0, Adam (learning
rate 0.05), ${bin.steps} steps per loss. Predictions: logits &gt; 0. IoUs in percent, void
ignored; image-IoU is the mean of per-image IoUs, batch-IoU one IoU over all images.</p>
${tableHtml(['run', 'loss', 'image-IoU', 'batch-IoU', 'final b'], rows)}
<p>The best image-IoU any bias reaches on this data is <b>${f2(bin.best.imageIoU)}</b> (at
b = ${bin.best.b.toFixed(3)}): with one scalar b the model only moves a threshold on the
features, so no loss can do better here.</p>
<div class="plots">${figure(F.binaryLoss, 'Training loss')}${figure(F.binaryIou, 'Image-IoU during training')}</div>
${figure(F.binaryLabels, 'Labels (black background, red foreground, cream void)')}
${BINARY_RUNS.map((n) => figure(F.binaryPrediction(n), `Final predictions: ${n}`)).join('\n')}`);
  }
  const mc = results.multiclass;
  if (mc) {
    const [B, H, W, C] = mc.shape;
    const head = ['run', 'loss', ...Array.from({ length: C }, (_, c) => `IoU ${c}`), 'mIoU'];
    const row = (name: string, what: string, m: { iou: number[]; mIoU: number }) => [
      name,
      what,
      ...m.iou.map(f2),
      `<b>${f2(m.mIoU)}</b>`,
    ];
    const rows = [row('initial', '', mc.initial)];
    for (const name of MULTICLASS_RUNS) {
      rows.push(row(`<b>${name}</b>`, DESCRIPTION[name], mc.runs[name].final));
    }
    sections.push(`<h2>Multiclass demo</h2>
<p>${B} label images of ${H}&times;${W}: background 0, then filled triangles of void (255),
class 1 and class 2. Features: one-hot of the label (void pixels take a random class) plus
N(0, 2) noise. Model: x + conv3&times;3(x) with bias, ${C} &rarr; ${C} channels, Adam (learning
rate 0.005), ${mc.steps} steps per loss, both from the same initial weights. Predictions: argmax.
IoUs per class over the batch, in percent, void ignored.</p>
${tableHtml(head, rows)}
<div class="plots">${figure(F.multiclassLoss, 'Training loss')}${figure(F.multiclassIou, 'mIoU during training')}</div>
${figure(F.multiclassLabels, 'Labels (black background, red class 1, green class 2, cream void)')}
${MULTICLASS_RUNS.map((n) => figure(F.multiclassPrediction(n), `Final predictions: ${n}`)).join('\n')}`);
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>lovasz demo report</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: right; }
th:first-child, td:first-child, td:nth-child(2) { text-align: left; }
figure { margin: 1em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
.plots { display: flex; flex-wrap: wrap; gap: 1em; }
.plots figure { flex: 1 1 480px; }
figcaption { font-size: 0.9em; color: #555; }
</style>
</head>
<body>
<h1>Lovász losses: the original demos</h1>
<p>Reproduction of the synthetic demos of Berman, Rannen Triki and Blaschko, <i>The Lovász-Softmax
loss</i> (CVPR 2018), with <code>lovasz/tfjs</code>. Seed ${results.seed}, backend
${results.backend}, ${results.seconds.toFixed(1)} s in all (${results.cpuSeconds.toFixed(1)} s of CPU time). The numbers are also in
<a href="${F.results}">${F.results}</a>.</p>
${sections.join('\n')}
</body>
</html>
`;
}
