import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { type DemoOptions, runDemo } from '../../src/demo/run-demo.js';
import { expectResultsSchema } from './results-schema.js';

const root = mkdtempSync(join(tmpdir(), 'lovasz-demo-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A small, fast run: 4 images of 32 x 32 and a few steps. */
async function smallRun(demo: DemoOptions['demo'], out: string, extra: Partial<DemoOptions> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = {
    stdout: { write: (s: string) => stdout.push(s) > 0 },
    stderr: { write: (s: string) => stderr.push(s) > 0 },
  } as unknown as Parameters<typeof runDemo>[1];
  const results = await runDemo(
    {
      demo,
      seed: 3,
      steps: 4,
      out,
      backend: 'cpu',
      json: false,
      size: { images: 4, pixels: 32 },
      ...extra,
    },
    io,
  );
  return { results, stdout: stdout.join(''), stderr: stderr.join('') };
}

const BINARY_FILES = [
  'binary-loss.png',
  'binary-iou.png',
  'binary-labels.png',
  'binary-pred-hinge.png',
  'binary-pred-sigmoid.png',
  'binary-pred-bce.png',
];
const MULTICLASS_FILES = [
  'multiclass-loss.png',
  'multiclass-miou.png',
  'multiclass-labels.png',
  'multiclass-pred-lovasz.png',
  'multiclass-pred-xent.png',
];

describe('runDemo', () => {
  it('binary: writes the plots, mask grids, report and a results.json of the fixed shape', async () => {
    const out = join(root, 'binary');
    const { stdout, stderr } = await smallRun('binary', out);
    for (const f of [...BINARY_FILES, 'report.html', 'results.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    for (const f of MULTICLASS_FILES) expect(existsSync(join(out, f)), f).toBe(false);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expectResultsSchema(json, { binary: 4 });
    expect(json.seed).toBe(3);
    // The label grid: 4 masks of 32 x 32 in one row with 3 gaps of 4 pixels.
    const labels = PNG.sync.read(readFileSync(join(out, 'binary-labels.png')));
    expect([labels.width, labels.height]).toEqual([4 * 32 + 3 * 4, 32]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const f of BINARY_FILES) expect(html).toContain(`src="${f}"`);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(stdout).toMatch(/Binary demo: 4 images 32x32, 4 steps, seed 3/);
    expect(stdout).toMatch(/^\s+hinge\s/m);
    expect(stdout).toContain(`report.html, results.json and 6 PNGs in ${out}`);
    // Not a terminal: one progress line per finished run, in columns, each ending with the
    // final image-IoU the summary table and results.json give (the same digits).
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    const lossAt = lines.map((l) => l.indexOf(' loss ') + ' loss '.length);
    const iouAt = lines.map((l) => l.indexOf('image-IoU'));
    expect(new Set(lossAt).size, lines.join('\n')).toBe(1);
    expect(new Set(iouAt).size, lines.join('\n')).toBe(1);
    for (const [k, name] of (['hinge', 'sigmoid', 'bce'] as const).entries()) {
      const final = json.binary.runs[name].final.imageIoU.toFixed(2);
      expect(lines[k]).toMatch(new RegExp(`image-IoU +${final.replace('.', '\\.')}$`));
      expect(stdout).toMatch(new RegExp(`^\\s+${name}\\s+${final.replace('.', '\\.')}\\s`, 'm'));
    }
    // The ceiling of the bias-only model, in the report and the summary.
    const best = json.binary.best;
    expect(best.imageIoU).toBeGreaterThanOrEqual(
      Math.max(
        ...Object.values(json.binary.runs).map(
          (r) => (r as { final: { imageIoU: number } }).final.imageIoU,
        ),
      ) - 1e-9,
    );
    expect(html).toContain(
      `The best image-IoU any bias reaches on this data is <b>${best.imageIoU.toFixed(2)}</b>`,
    );
    expect(stdout).toContain(`best image-IoU any b reaches: ${best.imageIoU.toFixed(2)}`);
  });

  it('multiclass: writes its files and results; --json prints the results instead of the table', async () => {
    const out = join(root, 'multiclass');
    const { results, stdout } = await smallRun('multiclass', out, { json: true });
    for (const f of [...MULTICLASS_FILES, 'report.html', 'results.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expectResultsSchema(json, { multiclass: 4 });
    expect(JSON.parse(stdout)).toEqual(json);
    expect(json).toEqual(JSON.parse(JSON.stringify(results)));
  });

  it('is deterministic for a seed', async () => {
    const a = await smallRun('all', join(root, 'a'));
    const b = await smallRun('all', join(root, 'b'));
    // Everything but the timings.
    const strip = (r: unknown) =>
      JSON.parse(
        JSON.stringify(r, (k, v) => (k === 'seconds' || k === 'cpuSeconds' ? undefined : v)),
      );
    expect(strip(a.results)).toEqual(strip(b.results));
    expectResultsSchema(a.results, { binary: 4, multiclass: 4 });
  });

  it('leaves no tensors behind', async () => {
    await smallRun('all', join(root, 'warm-up'));
    const before = tf.memory().numTensors;
    await smallRun('all', join(root, 'leaks'));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs on the wasm backend too, to about the same numbers', async () => {
    const cpu = await smallRun('all', join(root, 'on-cpu'));
    const wasm = await smallRun('all', join(root, 'on-wasm'), { backend: 'wasm' });
    expect(wasm.results.backend).toBe('wasm');
    expectResultsSchema(wasm.results, { binary: 4, multiclass: 4 });
    const a = cpu.results.multiclass!.runs.lovasz.final.mIoU;
    expect(wasm.results.multiclass!.runs.lovasz.final.mIoU).toBeCloseTo(a, 0);
  });

  it('leaves no results.json, not even an old one, when interrupted', async () => {
    const out = join(root, 'interrupted');
    await smallRun('binary', out);
    const controller = new AbortController();
    const stdout = { write: () => true };
    const stderr = {
      // Abort at the first progress report, i.e. after the first training run.
      write: () => {
        controller.abort(new Error('interrupted'));
        return true;
      },
    };
    await expect(
      runDemo(
        {
          demo: 'all',
          seed: 3,
          steps: 4,
          out,
          backend: 'cpu',
          json: false,
          size: { images: 4, pixels: 32 },
        },
        { stdout, stderr } as unknown as Parameters<typeof runDemo>[1],
        controller.signal,
      ),
    ).rejects.toThrow('interrupted');
    expect(existsSync(join(out, 'results.json'))).toBe(false);
  });

  it('refuses an output directory it cannot write to, before training', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    await expect(smallRun('binary', join(file, 'out'))).rejects.toThrow(
      /cannot write to the output directory .*a-file\/out/,
    );
  });
});
