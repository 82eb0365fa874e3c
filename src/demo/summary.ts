import type { DemoResults } from './results.js';
import { BINARY_RUNS, MULTICLASS_RUNS } from './results.js';

const f2 = (v: number) => v.toFixed(2);

/** Left-aligned first column, right-aligned others, columns separated by two spaces. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows
    .map((r) => r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))))
    .map((r) => `  ${r.join('  ')}`)
    .join('\n');
}

/**
 * The end-of-run summary printed by `lovasz demo`: one table per demo with the initial and
 * final IoUs of every run (percent), and for the binary demo the learned bias b.
 * @example
 *   process.stdout.write(summaryTable(results));
 */
export function summaryTable(results: DemoResults): string {
  const parts: string[] = [];
  const bin = results.binary;
  if (bin) {
    const [B, H, W] = bin.shape;
    const rows = [['binary', 'image-IoU', 'batch-IoU', 'b']];
    rows.push(['initial', f2(bin.initial.imageIoU), f2(bin.initial.batchIoU), f2(0)]);
    for (const name of BINARY_RUNS) {
      const r = bin.runs[name].final;
      rows.push([name, f2(r.imageIoU), f2(r.batchIoU), f2(r.b)]);
    }
    const best = `best image-IoU any b reaches: ${f2(bin.best.imageIoU)} (b = ${f2(bin.best.b)})`;
    parts.push(
      `Binary demo: ${B} images ${H}x${W}, ${bin.steps} steps, seed ${results.seed}\n${table(rows)}\n  ${best}`,
    );
  }
  const mc = results.multiclass;
  if (mc) {
    const [B, H, W, C] = mc.shape;
    const head = ['multiclass', ...Array.from({ length: C }, (_, c) => `IoU ${c}`), 'mIoU'];
    const row = (name: string, m: { iou: number[]; mIoU: number }) => [
      name,
      ...m.iou.map(f2),
      f2(m.mIoU),
    ];
    const rows = [head, row('initial', mc.initial)];
    for (const name of MULTICLASS_RUNS) rows.push(row(name, mc.runs[name].final));
    parts.push(
      `Multiclass demo: ${B} images ${H}x${W}, ${C} classes, ${mc.steps} steps, seed ${results.seed}\n${table(rows)}`,
    );
  }
  return `${parts.join('\n\n')}\n`;
}
