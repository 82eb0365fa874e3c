// Runs examples/shapes-finetune in --quick mode (tiny data, a few epochs, one seed: what CI can
// afford) and checks that it trains with model.fit through lovasz/layers end to end: every
// result file written, the cross-entropy phase and the three recipes recorded with exact
// validation curves, the table and the claim lines printed. The full run's numbers are
// committed in examples/shapes-finetune/results/.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const script = join(repo, 'examples/shapes-finetune/run.mjs');
const out = mkdtempSync(join(tmpdir(), 'lovasz-finetune-test-'));
let stdout = '';

beforeAll(async () => {
  // The example imports 'lovasz/layers' through the package name: dist/ must exist.
  if (!existsSync(join(repo, 'dist/layers/index.js')))
    await run('npm', ['run', 'build'], { cwd: repo });
  ({ stdout } = await run(process.execPath, [script, '--quick', '--out', out], {
    cwd: repo,
    timeout: 110_000,
  }));
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('examples/shapes-finetune --quick', () => {
  it('writes results.json, results.md and both images to --out', () => {
    for (const file of ['results.json', 'results.md', 'miou-vs-epoch.png', 'predictions.png']) {
      expect(statSync(join(out, file)).size).toBeGreaterThan(0);
    }
    expect(readFileSync(join(out, 'miou-vs-epoch.png')).subarray(1, 4).toString('latin1')).toBe(
      'PNG',
    );
  });

  it('records the early-stopped phase and each recipe from its best epoch', () => {
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const keys = ['xent', 'lovasz', 'xent+lovasz'];
    expect(results.recipes.map((r: { key: string }) => r.key)).toEqual(keys);
    const [run0] = results.runs;
    expect(run0.phase1.length).toBe(run0.epochs);
    expect(run0.epochs).toBeGreaterThanOrEqual(results.config.warmUp);
    expect(run0.epochs).toBeLessThanOrEqual(results.config.maxEpochs);
    const best = Math.max(...run0.phase1.map((p: { mIoU: number }) => p.mIoU));
    expect(run0.checkpointMIoU).toBe(best);
    expect(run0.phase1[run0.bestEpoch - 1].mIoU).toBe(best);
    expect(run0.branches.map((b: { recipe: string }) => b.recipe)).toEqual(keys);
    for (const b of run0.branches) {
      expect(b.curve).toHaveLength(results.config.fineTune);
      expect(b.curve[0].epoch).toBe(run0.bestEpoch + 1);
      expect(b.curve.at(-1).mIoU).toBe(b.mIoU);
      expect(b.curve.at(-1).perImage).toBe(b.perImageMIoU);
      expect(b.iou).toHaveLength(results.classes.length);
    }
  });

  it('prints the table and both claim lines, and leaves the committed results alone', () => {
    expect(stdout).toMatch(/^\| \(b\) Lovász-Softmax fine-tuning \| \*\*\d+\.\d\*\* \|/m);
    expect(stdout).toMatch(/^\(b\) − \(a\): dataset mIoU [+-]\d+\.\d\d/m);
    expect(stdout).toMatch(/^\(c\) − \(a\): dataset mIoU [+-]\d+\.\d\d/m);
    expect(stdout).toContain(`wrote ${out}/results.json`);
  });
});
