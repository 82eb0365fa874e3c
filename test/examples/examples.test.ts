// Runs every script in examples/ with node, as a user would after `npm run build`, so that CI
// keeps them working: each must exit with code 0 and print its key line. They import 'lovasz',
// 'lovasz/tfjs' and 'lovasz/layers' through the package's self-reference, which resolves to dist/: this relies
// on the build (`npm test` runs `npm run build` first, as pretest) and builds only when dist/
// is missing.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const examples = join(repo, 'examples');

const num = String.raw`\d+(?:\.\d+)?`;

/** The key line(s) each example must print. */
const EXPECTED: Record<string, RegExp[]> = {
  'core-arrays.mjs': [
    new RegExp(`^lovaszSoftmax loss ${num}$`, 'm'),
    new RegExp(`^lovaszHinge ${num} -> ${num} after one gradient step$`, 'm'),
  ],
  'tfjs-training.mjs': [new RegExp(`^final mIoU ${num}%$`, 'm'), /^tensors left: 0$/m],
  'keras-compile.mjs': [
    new RegExp(`^epoch 30: loss ${num}$`, 'm'),
    new RegExp(`^mIoU ${num}%$`, 'm'),
  ],
  'xent-then-lovasz.mjs': [
    new RegExp(`^after cross-entropy \\(40 steps\\): mIoU ${num}%$`, 'm'),
    new RegExp(`^after Lovász-Softmax fine-tuning \\(40 more steps\\): mIoU ${num}%$`, 'm'),
  ],
  'layers-fit.mjs': [
    new RegExp(
      `^epoch 1: loss ${num}  batch mIoU ${num}%  val mIoU ${num}%  per-image ${num}%$`,
      'm',
    ),
    new RegExp(`^final val mIoU ${num}%$`, 'm'),
  ],
  'confusion-matrix.mjs': [
    new RegExp(`^mIoU ${num}%$`, 'm'),
    /^same as one iou\(\) call on everything: true$/m,
  ],
};

beforeAll(async () => {
  const built = ['dist/index.js', 'dist/tfjs/index.js', 'dist/layers/index.js'];
  if (!built.every((f) => existsSync(join(repo, f)))) {
    await run('npm', ['run', 'build'], { cwd: repo });
  }
}, 120_000);

describe('examples/', () => {
  it('has a test entry for every script', () => {
    const scripts = readdirSync(examples).filter((f) => f.endsWith('.mjs'));
    expect(scripts.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s runs and prints its key lines', async (script, lines) => {
    const { stdout } = await run(process.execPath, [join(examples, script)], {
      cwd: repo,
      timeout: 60_000,
    }).catch((e: Error & { code?: number; stdout?: string; stderr?: string }) => {
      throw new Error(`${script} exited with ${e.code}:\n${e.stdout}\n${e.stderr}`);
    });
    for (const line of lines) expect(stdout).toMatch(line);
  });
});
