// Runs examples/shapes-segmentation in --quick mode (a few steps, one seed: what CI can afford)
// and checks that it writes every result file, with a table row and a curve for each of the
// four recipes. The full run's numbers are committed in examples/shapes-segmentation/results/.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const script = join(repo, 'examples/shapes-segmentation/run.mjs');
const out = mkdtempSync(join(tmpdir(), 'lovasz-shapes-test-'));
let stdout = '';

beforeAll(async () => {
  // The example imports 'lovasz' and 'lovasz/tfjs' through the package name: dist/ must exist.
  if (!existsSync(join(repo, 'dist/index.js')) || !existsSync(join(repo, 'dist/tfjs/index.js'))) {
    await run('npm', ['run', 'build'], { cwd: repo });
  }
  ({ stdout } = await run(process.execPath, [script, '--quick', '--out', out], {
    cwd: repo,
    timeout: 110_000,
  }));
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('examples/shapes-segmentation --quick', () => {
  it('writes results.json, results.md and both images to --out', () => {
    for (const file of ['results.json', 'results.md', 'miou-vs-steps.png', 'predictions.png']) {
      expect(statSync(join(out, file)).size).toBeGreaterThan(0);
    }
    const png = readFileSync(join(out, 'predictions.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('records each recipe with a final per-class IoU and a validation curve', () => {
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const keys = ['xent', 'lovasz', 'xent-then-lovasz', 'xent+lovasz'];
    expect(results.recipes.map((r: { key: string }) => r.key)).toEqual(keys);
    expect(results.runs.map((r: { recipe: string }) => r.recipe).sort()).toEqual([...keys].sort());
    for (const r of results.runs) {
      expect(r.iou).toHaveLength(results.classes.length);
      expect(r.mIoU).toBeGreaterThanOrEqual(0);
      expect(r.mIoU).toBeLessThanOrEqual(100);
      expect(r.curve.at(-1).step).toBe(results.config.steps);
      expect(r.curve.at(-1).mIoU).toBe(r.mIoU);
    }
  });

  it('prints the table and the fine-tuning check', () => {
    expect(stdout).toMatch(
      /^\| \(c\) cross-entropy, then Lovász fine-tuning \| \*\*\d+\.\d\*\* \|/m,
    );
    expect(stdout).toMatch(/^Fine-tuning claim, \(c\) − \(a\) in validation mIoU: [+-]\d+\.\d\d/m);
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toMatch(/\| recipe \| mIoU \|/);
  });

  it('leaves the committed results alone', () => {
    expect(stdout).toContain(`wrote ${out}/results.json`);
  });
});
