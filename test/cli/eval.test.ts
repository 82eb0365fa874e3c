import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLabelPng } from '../../src/cli/eval-png.js';
import { ConfusionMatrix } from '../../src/metrics/confusion-matrix.js';
import { iou } from '../../src/metrics/iou.js';
import {
  cli,
  dataset,
  freshDir,
  grayPng,
  grayRgbPng,
  handPng,
  randomLabels,
  rgbPng,
} from './masks.js';

describe('reading label masks (eval-png)', () => {
  it('reads the gray value of an 8-bit grayscale PNG', () => {
    const labels = [0, 1, 2, 255, 7, 3];
    const mask = readLabelPng(grayPng(3, 2, labels));
    expect(mask).toMatchObject({ width: 3, height: 2 });
    expect(Array.from(mask.labels)).toEqual(labels);
  });

  it('reads the palette index of a palette PNG, not its colour, even with duplicate colours', () => {
    // Indices 1 and 2 share a colour, and no colour's channels equal its index.
    const palette: [number, number, number][] = [
      [10, 20, 30],
      [200, 0, 0],
      [200, 0, 0],
      [0, 0, 0],
    ];
    const labels = [3, 2, 1, 0, 1, 2];
    const png = handPng({ width: 3, height: 2, labels, colorType: 3, depth: 8, palette });
    expect(Array.from(readLabelPng(png).labels)).toEqual(labels);
  });

  it('reads 4-bit palette indices unscaled', () => {
    const labels = [0, 15, 5, 9, 1];
    const palette = Array.from({ length: 16 }, (_, i): [number, number, number] => [i, 0, 0]);
    const png = handPng({ width: 5, height: 1, labels, colorType: 3, depth: 4, palette });
    expect(Array.from(readLabelPng(png).labels)).toEqual(labels);
  });

  it('ignores tRNS: a transparent gray or palette entry keeps its label', () => {
    const gray = handPng({
      width: 2,
      height: 1,
      labels: [5, 6],
      colorType: 0,
      depth: 8,
      trns: Uint8Array.from([0, 5]), // gray 5 is transparent; pngjs alone would blank it to 0
    });
    expect(Array.from(readLabelPng(gray).labels)).toEqual([5, 6]);
    const pal = handPng({
      width: 2,
      height: 1,
      labels: [1, 0],
      colorType: 3,
      depth: 8,
      palette: [
        [9, 9, 9],
        [8, 8, 8],
      ],
      trns: Uint8Array.from([0, 0]),
    });
    expect(Array.from(readLabelPng(pal).labels)).toEqual([1, 0]);
  });

  it('reads 16-bit gray values as stored', () => {
    const labels = [0, 300, 65535];
    const mask = readLabelPng(handPng({ width: 3, height: 1, labels, colorType: 0, depth: 16 }));
    expect(mask.labels).toBeInstanceOf(Uint16Array);
    expect(Array.from(mask.labels)).toEqual(labels);
  });

  it('reads gray RGB and RGBA (R = G = B) as gray; refuses colour pixels, and non-PNG bytes', () => {
    expect(Array.from(readLabelPng(grayRgbPng(3, 1, [0, 7, 255])).labels)).toEqual([0, 7, 255]);
    const rgba = rgbPng(
      2,
      1,
      [
        [4, 4, 4],
        [9, 9, 9],
      ],
      6,
    );
    expect(Array.from(readLabelPng(rgba).labels)).toEqual([4, 9]);
    expect(() =>
      readLabelPng(
        rgbPng(3, 1, [
          [1, 1, 1],
          [128, 64, 128],
          [128, 64, 128],
        ]),
      ),
    ).toThrow(
      /^an RGB PNG with colour \(not gray\) pixels, e\.g\. \(128, 64, 128\) at pixel \(x 1, y 0\), 2 such pixels; give --palette FILE\.json to map colours to classes$/,
    );
    expect(() => readLabelPng(Buffer.from('hello, not a png at all, not even close'))).toThrow(
      /not a PNG file/,
    );
  });
});

describe('lovasz eval: scores equal ConfusionMatrix and iou on the same arrays', () => {
  const W = 7;
  const H = 5;
  const N = 4;
  const count = 3;
  const preds = Array.from({ length: count }, (_, i) => randomLabels(W * H, N, 10 + i));
  // Ground truth with some void pixels (255).
  const gts = Array.from({ length: count }, (_, i) =>
    randomLabels(W * H, N + 1, 20 + i).map((v) => (v === N ? 255 : v)),
  );
  const files: Record<string, { pred: Buffer; gt: Buffer }> = {};
  for (let i = 0; i < count; i++) {
    files[`img${i}.png`] = { pred: grayPng(W, H, preds[i]), gt: grayPng(W, H, gts[i]) };
  }
  const data = dataset('match', files);
  const allPreds = Uint8Array.from(preds.flatMap((p) => Array.from(p)));
  const allGts = Uint8Array.from(gts.flatMap((g) => Array.from(g)));

  it('prints and writes per-class IoU, mIoU, pixel accuracy, fwIoU, fine-grained metrics and the matrix', async () => {
    const r = await cli(
      'eval',
      ...['--pred', data.pred, '--gt', data.gt, '--classes', String(N), '--ignore', '255'],
      ...['--json', data.json, '--jobs', '1'],
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const cm = new ConfusionMatrix(N, { ignore: 255, perImage: true });
    for (let i = 0; i < count; i++) cm.update(preds[i], gts[i], [1, H, W]);
    const json = JSON.parse(readFileSync(data.json, 'utf8'));
    const m = cm.matrix();
    expect(json).toEqual({
      images: count,
      numClasses: N,
      ignore: 255,
      iou: cm.iou(),
      mIoU: cm.meanIoU(),
      pixelAccuracy: cm.pixelAccuracy(),
      fwIoU: cm.frequencyWeightedIoU(),
      fineGrained: cm.fineGrained(),
      worstCase: cm.worstCase(10),
      confusionMatrix: {
        classes: [0, 1, 2, 3],
        counts: [0, 1, 2, 3].map((y) => [0, 1, 2, 3].map((p) => m[y * N + p])),
        predictedIgnore: [0, 0, 0, 0],
      },
    });
    expect(json.mIoU).toBe(json.fineGrained.mIoUD);
    // The same numbers as one call of the core iou on the whole stack.
    expect(json.iou).toEqual(iou(allPreds, allGts, [count, H, W], N, { ignore: 255 }));
    expect(r.stdout).toContain(`${count} images, ${N} classes, ignore 255`);
    expect(r.stdout).toMatch(new RegExp(`mIoU\\s+${cm.meanIoU().toFixed(2)}`));
    expect(r.stdout).toMatch(new RegExp(`pixel accuracy\\s+${cm.pixelAccuracy().toFixed(2)}`));
    expect(r.stdout).toMatch(/frequency-weighted IoU\s+\d+\.\d\d/);
    const fg = cm.fineGrained();
    expect(r.stdout).toMatch(
      new RegExp(
        `per image \\(I\\)\\s+${fg.mAccI.toFixed(2)}\\s+${fg.mIoUI.toFixed(2)}\\s+${fg.mDiceI.toFixed(2)}`,
      ),
    );
    expect(r.stdout).toMatch(/worst 10% of images \(I\)\s+\d+\.\d\d/);
    for (const [c, v] of cm.iou().entries()) {
      expect(r.stdout).toMatch(new RegExp(`\\n\\s+${c}\\s+${v.toFixed(2)}\\n`));
    }
    // Written atomically: no temporary file is left beside it.
    expect(readdirSync(data.dir).sort()).toEqual(['gt', 'pred', 'results.json']);
  });

  it('writes no JSON without --json', async () => {
    const out = join(data.dir, 'plain.json');
    const r = await cli('eval', '--pred', data.pred, '--gt', data.gt, '--classes', '4');
    // Without --ignore, 255 in the ground truth is a label >= 4: an error.
    expect(r.code).toBe(1);
    const ok = await cli(
      ...['eval', '--pred', data.pred, '--gt', data.gt, '--classes', '4', '--ignore', '255'],
      ...['--json', out],
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).images).toBe(count);
  });

  it('reads palette PNGs by index, mixed with grayscale ones', async () => {
    const palette = Array.from({ length: N }, (_, i): [number, number, number] => [
      255 - 40 * i,
      17 * i,
      3,
    ]);
    const pal = dataset('palette', {
      'a.png': {
        pred: handPng({ width: W, height: H, labels: preds[0], colorType: 3, depth: 8, palette }),
        gt: grayPng(
          W,
          H,
          preds[0].map((v) => (v + 1) % N),
        ),
      },
      'b.png': {
        pred: grayPng(W, H, preds[1]),
        gt: handPng({ width: W, height: H, labels: preds[1], colorType: 3, depth: 4, palette }),
      },
    });
    const r = await cli('eval', '--pred', pal.pred, '--gt', pal.gt, '--classes', '4');
    expect(r.code).toBe(0);
    const cm = new ConfusionMatrix(N)
      .update(
        preds[0],
        preds[0].map((v) => (v + 1) % N),
        [1, H, W],
      )
      .update(preds[1], preds[1], [1, H, W]);
    expect(r.stdout).toMatch(new RegExp(`mIoU\\s+${cm.meanIoU().toFixed(2)}`));
  });

  it('pairs files by name regardless of listing order, skipping hidden files', async () => {
    const d = dataset('order', {
      'z.png': { pred: grayPng(2, 1, [0, 1]), gt: grayPng(2, 1, [0, 1]) },
      'a.png': { pred: grayPng(2, 1, [1, 1]), gt: grayPng(2, 1, [0, 0]) },
    });
    writeFileSync(join(d.pred, '.DS_Store'), 'junk');
    mkdirSync(join(d.gt, 'subdir'));
    const r = await cli('eval', '--pred', d.pred, '--gt', d.gt, '--classes', '2', '--json', d.json);
    expect(r.code).toBe(0);
    // class 0: 1 hit of union 3; class 1: 1 hit of union 3.
    expect(JSON.parse(readFileSync(d.json, 'utf8')).iou).toEqual([100 * (1 / 3), 100 * (1 / 3)]);
  });

  it('counts a prediction equal to the ignore label as a miss', async () => {
    const d = dataset('ignore-pred', {
      'a.png': { pred: grayPng(2, 1, [255, 1]), gt: grayPng(2, 1, [0, 1]) },
    });
    const r = await cli(
      ...['eval', '--pred', d.pred, '--gt', d.gt, '--classes', '2', '--ignore', '255'],
      ...['--json', d.json],
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(d.json, 'utf8')).iou).toEqual([0, 100]);
  });
});

describe('lovasz eval: bad inputs list the offending files, exit 1 and write no JSON', () => {
  const ok = grayPng(2, 2, [0, 1, 1, 0]);

  /** Runs eval on a dataset and checks the common contract of every failure. */
  async function fails(d: ReturnType<typeof dataset>, ...extra: string[]) {
    const r = await cli(
      ...['eval', '--pred', d.pred, '--gt', d.gt, '--classes', '2', '--json', d.json],
      ...extra,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(existsSync(d.json)).toBe(false);
    expect(readdirSync(d.dir).sort()).toEqual(['gt', 'pred']);
    return r.stderr;
  }

  it('files missing on either side, sizes, colours and labels: all in one run', async () => {
    const d = dataset('missing', {
      'both.png': { pred: ok, gt: grayPng(2, 2, [9, 9, 9, 9]) },
      'only-pred.png': { pred: ok },
      'only-gt1.png': { gt: ok },
      'only-gt2.png': { gt: ok },
      'size.png': { pred: grayPng(3, 2, [0, 0, 0, 0, 0, 0]), gt: ok },
      'colour.png': {
        pred: rgbPng(2, 2, [
          [0, 0, 0],
          [1, 2, 3],
          [1, 1, 1],
          [0, 0, 0],
        ]),
        gt: ok,
      },
    });
    const err = await fails(d);
    expect(err).toMatch(/^error: lovasz eval: 6 problems; no results written\n/);
    expect(err).toMatch(/predictions without ground truth in .*gt \(1\):\n.*only-pred\.png/);
    expect(err).toMatch(
      /ground truth without prediction in .*pred \(2\):\n.*only-gt1\.png\n.*only-gt2\.png/,
    );
    expect(err).toMatch(
      /masks of different sizes \(1\):\n.*gt\/size\.png: 2x2, prediction .*pred\/size\.png: 3x2\n/,
    );
    expect(err).toMatch(/colour masks \(1\):\n.*pred\/colour\.png: an RGB PNG with colour/);
    expect(err).toMatch(
      /label values >= 2 .*\(1\):\n.*gt\/both\.png: value 9 at pixel \(x 0, y 0\), 4 such pixels/,
    );
  });

  it('masks of different sizes: the file and both sizes', async () => {
    const d = dataset('sizes', {
      'a.png': { pred: ok, gt: ok },
      'b.png': { pred: grayPng(3, 2, [0, 0, 0, 0, 0, 0]), gt: ok },
    });
    const err = await fails(d);
    expect(err).toMatch(
      /masks of different sizes \(1\):\n\s+\S*gt\/b\.png: 2x2, prediction \S*pred\/b\.png: 3x2/,
    );
  });

  it('label values >= N that are not the ignore label: each file, first value and pixel', async () => {
    const d = dataset('values', {
      'a.png': { pred: grayPng(3, 2, [0, 1, 0, 1, 5, 7]), gt: grayPng(3, 2, [0, 0, 0, 0, 0, 0]) },
      'b.png': { pred: ok, gt: ok },
      'c.png': { pred: ok, gt: grayPng(2, 2, [0, 255, 1, 1]) },
    });
    const err = await fails(d);
    expect(err).toMatch(/label values >= 2 that are not the ignore label \(none\) \(2\):/);
    expect(err).toMatch(/pred\/a\.png: value 5 at pixel \(x 1, y 1\), 2 such pixels/);
    expect(err).toMatch(/gt\/c\.png: value 255 at pixel \(x 1, y 0\)\n/);
    expect(err).toMatch(/\(use --ignore 255 if 255 marks void pixels\)\n$/);
    // With --ignore 255 the gt is fine and only the prediction is reported.
    const err2 = await fails(d, '--ignore', '255');
    expect(err2).toMatch(/\(255\) \(1\):\n.*pred\/a\.png/);
    expect(err2).not.toMatch(/c\.png/);
  });

  it('RGB colour pixels without --palette (gray-looking RGB masks are fine)', async () => {
    const d = dataset('rgb', {
      'a.png': {
        pred: rgbPng(2, 2, [
          [0, 0, 0],
          [0, 0, 1],
          [1, 1, 1],
          [0, 0, 0],
        ]),
        gt: ok,
      },
      'b.png': { pred: grayRgbPng(2, 2, [0, 1, 1, 0]), gt: ok },
    });
    const err = await fails(d);
    expect(err).toMatch(/1 problem;/);
    expect(err).toMatch(
      /colour masks \(1\):\n.*pred\/a\.png: an RGB PNG with colour \(not gray\) pixels, e\.g\. \(0, 0, 1\) at pixel \(x 1, y 0\)/,
    );
  });

  it('non-PNG content and non-.png names', async () => {
    const d = dataset('not-png', {
      'a.png': { pred: Buffer.from('a text file named like a PNG'), gt: ok },
      'notes.txt': { pred: Buffer.from('x'), gt: Buffer.from('y') },
    });
    const names = await fails(d);
    expect(names).toMatch(/files that are not \.png in --pred \(1\):\n.*pred\/notes\.txt/);
    expect(names).toMatch(/files that are not \.png in --gt \(1\):\n.*gt\/notes\.txt/);
    rmSync(join(d.pred, 'notes.txt'));
    rmSync(join(d.gt, 'notes.txt'));
    const content = await fails(d);
    expect(content).toMatch(/not PNG files \(1\):\n.*pred\/a\.png: not a PNG file/);
  });

  it('a truncated file, in plain words', async () => {
    const big = grayPng(64, 64, randomLabels(64 * 64, 2, 5));
    const d = dataset('corrupt', {
      'a.png': { pred: big, gt: big.subarray(0, Math.floor(big.length / 2)) },
    });
    const err = await fails(d);
    expect(err).toMatch(
      new RegExp(
        `truncated PNG files \\(1\\):\\n.*gt/a\\.png: truncated: the image data ends after \\d+ of 64 rows \\(the file ends at byte ${Math.floor(big.length / 2)}\\)\\n`,
      ),
    );
    expect(err).not.toMatch(/read requests|waitng|stream/);
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file', async () => {
    const d = dataset('eacces', { 'a.png': { pred: ok, gt: ok } });
    chmodSync(join(d.gt, 'a.png'), 0o000);
    const err = await fails(d);
    expect(err).toMatch(/unreadable files \(1\):\n.*gt\/a\.png \(EACCES\)/);
  });

  it('keeps an existing JSON file as it was', async () => {
    const d = dataset('keep-json', { 'a.png': { pred: grayPng(2, 1, [3, 0]), gt: ok } });
    writeFileSync(d.json, '{"old": true}');
    const r = await cli('eval', '--pred', d.pred, '--gt', d.gt, '--classes', '2', '--json', d.json);
    expect(r.code).toBe(1);
    expect(readFileSync(d.json, 'utf8')).toBe('{"old": true}');
  });

  it('lists at most 20 files of a kind, then how many more', async () => {
    const files: Record<string, { pred: Buffer }> = {};
    for (let i = 0; i < 25; i++) files[`m${String(i).padStart(2, '0')}.png`] = { pred: ok };
    const err = await fails(dataset('many', files));
    expect(err).toMatch(/\(25\):/);
    expect(err).toMatch(/m19\.png\n\s+\.\.\. and 5 more/);
    expect(err).not.toMatch(/m20\.png/);
  });
});

describe('lovasz eval: bad arguments', () => {
  const d = dataset('args', { 'a.png': { pred: grayPng(1, 1, [0]), gt: grayPng(1, 1, [0]) } });
  const cases: [string, string[], RegExp][] = [
    ['a missing --pred', ['--gt', d.gt, '--classes', '2'], /required option '--pred <dir>'/],
    ['a missing --gt', ['--pred', d.pred, '--classes', '2'], /required option '--gt <dir>'/],
    ['a missing --classes', ['--pred', d.pred, '--gt', d.gt], /required option '--classes <n>'/],
    ['--classes 0', ['--pred', d.pred, '--gt', d.gt, '--classes', '0'], /integer in \[1, 4096\]/],
    ['--classes 2.5', ['--pred', d.pred, '--gt', d.gt, '--classes', '2.5'], /integer in \[1/],
    [
      'a negative --ignore',
      ['--pred', d.pred, '--gt', d.gt, '--classes', '2', '--ignore', '-1'],
      /ignore label must be an integer/,
    ],
    [
      '--ignore leaving no class',
      ['--pred', d.pred, '--gt', d.gt, '--classes', '1', '--ignore', '0'],
      /leaves no class to score/,
    ],
    [
      'an unreadable --pred directory',
      ['--pred', join(d.dir, 'nope'), '--gt', d.gt, '--classes', '2'],
      /unreadable --pred directories \(1\):\n.*nope \(ENOENT\)/,
    ],
    [
      'a --json in a missing directory',
      ['--pred', d.pred, '--gt', d.gt, '--classes', '2', '--json', join(d.dir, 'no/r.json')],
      /--json .*r\.json: no directory .*no\n/,
    ],
    [
      'empty directories',
      ['--pred', freshDir('empty1'), '--gt', freshDir('empty2'), '--classes', '2'],
      /nothing to evaluate \(1\):\n\s+no masks in .*empty1 and .*empty2\n/,
    ],
  ];
  for (const [what, argv, message] of cases) {
    it(`rejects ${what}`, async () => {
      const r = await cli('eval', ...argv);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }

  it('prints help on --help', async () => {
    const r = await cli('eval', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: lovasz eval \[options\]/);
    expect(r.stdout).toMatch(/--per-image/);
  });
});
