import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32, readLabelPng } from '../../src/cli/eval-png.js';
import { runCli } from '../../src/cli/run-cli.js';
import { ConfusionMatrix } from '../../src/metrics/confusion-matrix.js';
import { iou } from '../../src/metrics/iou.js';

const root = mkdtempSync(join(tmpdir(), 'lovasz-eval-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirCount = 0;
/** A fresh directory under the test root. */
function freshDir(name: string): string {
  const dir = join(root, `${dirCount++}-${name}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs the CLI in-process with captured streams (not a TTY: no progress bar). */
async function cli(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = {
    stdout: { write: (s: string) => stdout.push(s) > 0 },
    stderr: { write: (s: string) => stderr.push(s) > 0 },
  } as unknown as Parameters<typeof runCli>[1];
  const code = await runCli(argv, io);
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

/** An 8-bit grayscale PNG written by pngjs: the gray value of pixel i is labels[i]. */
function grayPng(width: number, height: number, labels: ArrayLike<number>): Buffer {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8 });
  png.data = Buffer.from(Uint8Array.from(labels));
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8 });
}

/** An RGB PNG written by pngjs (gray-looking: R = G = B = label, still a colour PNG). */
function rgbPng(width: number, height: number, labels: ArrayLike<number>): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) png.data.fill(labels[i], 4 * i, 4 * i + 3);
  png.data.fill(255);
  return PNG.sync.write(png, { colorType: 2 });
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * A PNG assembled chunk by chunk, for what pngjs cannot write: palette images (colour type 3)
 * at depth 8 or 4, 16-bit gray, and tRNS chunks. Rows use filter 0 (none).
 */
function handPng(opts: {
  width: number;
  height: number;
  labels: ArrayLike<number>;
  colorType: 0 | 3;
  depth: 4 | 8 | 16;
  palette?: [number, number, number][];
  trns?: Uint8Array;
}): Buffer {
  const { width, height, labels, colorType, depth } = opts;
  const rowBytes = Math.ceil((width * depth) / 8);
  const raw = Buffer.alloc((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (rowBytes + 1) + 1;
    for (let x = 0; x < width; x++) {
      const v = labels[y * width + x];
      if (depth === 8) raw[row + x] = v;
      else if (depth === 16) raw.writeUInt16BE(v, row + 2 * x);
      else raw[row + (x >> 1)] |= x % 2 === 0 ? v << 4 : v;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = colorType;
  const chunks = [pngChunk('IHDR', ihdr)];
  if (opts.palette) chunks.push(pngChunk('PLTE', Uint8Array.from(opts.palette.flat())));
  if (opts.trns) chunks.push(pngChunk('tRNS', opts.trns));
  chunks.push(pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', new Uint8Array()));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), ...chunks]);
}

/** Deterministic pseudo-random labels in [0, n) (a small LCG, so tests need no seed lib). */
function randomLabels(count: number, n: number, seed: number): Uint8Array {
  const out = new Uint8Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 24) % n;
  }
  return out;
}

/** Writes masks into pred/ and gt/ of a new directory; returns the two paths. */
function dataset(name: string, files: Record<string, { pred?: Buffer; gt?: Buffer }>) {
  const dir = freshDir(name);
  const pred = join(dir, 'pred');
  const gt = join(dir, 'gt');
  mkdirSync(pred);
  mkdirSync(gt);
  for (const [file, { pred: p, gt: g }] of Object.entries(files)) {
    if (p) writeFileSync(join(pred, file), p);
    if (g) writeFileSync(join(gt, file), g);
  }
  return { dir, pred, gt, json: join(dir, 'results.json') };
}

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

  it('rejects RGB colour PNGs and non-PNG bytes', () => {
    expect(() => readLabelPng(rgbPng(2, 1, [0, 1]))).toThrow(/RGB colour PNG/);
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

  it('prints and writes per-class IoU, mIoU, pixel accuracy, fwIoU and per-image mIoU', async () => {
    const r = await cli(
      'eval',
      ...['--pred', data.pred, '--gt', data.gt, '--classes', String(N), '--ignore', '255'],
      ...['--per-image', '--json', data.json],
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const cm = new ConfusionMatrix(N, { ignore: 255, perImage: true });
    for (let i = 0; i < count; i++) cm.update(preds[i], gts[i], [1, H, W]);
    const json = JSON.parse(readFileSync(data.json, 'utf8'));
    expect(json).toEqual({
      images: count,
      numClasses: N,
      iou: cm.iou(),
      mIoU: cm.meanIoU(),
      pixelAccuracy: cm.pixelAccuracy(),
      fwIoU: cm.frequencyWeightedIoU(),
      perImageMIoU: cm.perImageMeanIoU(),
    });
    // The same numbers as one call of the core iou on the whole stack.
    expect(json.iou).toEqual(iou(allPreds, allGts, [count, H, W], N, { ignore: 255 }));
    expect(r.stdout).toContain(`${count} images, ${N} classes, ignore 255`);
    expect(r.stdout).toMatch(new RegExp(`mIoU\\s+${cm.meanIoU().toFixed(2)}`));
    expect(r.stdout).toMatch(new RegExp(`pixel accuracy\\s+${cm.pixelAccuracy().toFixed(2)}`));
    expect(r.stdout).toMatch(/frequency-weighted IoU\s+\d+\.\d\d/);
    expect(r.stdout).toMatch(/per-image mIoU\s+\d+\.\d\d/);
    for (const [c, v] of cm.iou().entries()) {
      expect(r.stdout).toMatch(new RegExp(`\\n\\s+${c}\\s+${v.toFixed(2)}\\n`));
    }
    // Written atomically: no temporary file is left beside it.
    expect(readdirSync(data.dir).sort()).toEqual(['gt', 'pred', 'results.json']);
  });

  it('leaves perImageMIoU out without --per-image, and writes no JSON without --json', async () => {
    const out = join(data.dir, 'plain.json');
    const r = await cli('eval', '--pred', data.pred, '--gt', data.gt, '--classes', '4');
    // Without --ignore, 255 in the ground truth is a label >= 4: an error.
    expect(r.code).toBe(1);
    const ok = await cli(
      ...['eval', '--pred', data.pred, '--gt', data.gt, '--classes', '4', '--ignore', '255'],
      ...['--json', out],
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).not.toMatch(/per-image/);
    expect(JSON.parse(readFileSync(out, 'utf8'))).not.toHaveProperty('perImageMIoU');
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

  it('files missing on either side: all of them, before any pixel is read', async () => {
    const d = dataset('missing', {
      'both.png': { pred: ok, gt: grayPng(2, 2, [9, 9, 9, 9]) }, // bad labels, never read
      'only-pred.png': { pred: ok },
      'only-gt1.png': { gt: ok },
      'only-gt2.png': { gt: ok },
    });
    const err = await fails(d);
    expect(err).toMatch(/3 problems/);
    expect(err).toMatch(/predictions without ground truth in .*gt \(1\):\n.*only-pred\.png/);
    expect(err).toMatch(
      /ground truth without prediction in .*pred \(2\):\n.*only-gt1\.png\n.*only-gt2\.png/,
    );
    expect(err).not.toMatch(/both\.png/);
  });

  it('masks of different sizes: the file and both sizes', async () => {
    const d = dataset('sizes', {
      'a.png': { pred: ok, gt: ok },
      'b.png': { pred: grayPng(3, 2, [0, 0, 0, 0, 0, 0]), gt: ok },
    });
    const err = await fails(d);
    expect(err).toMatch(/masks of different sizes \(1\):\n\s+b\.png: 3x2 in .*pred, 2x2 in .*gt/);
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

  it('RGB colour PNGs, even gray-looking ones', async () => {
    const d = dataset('rgb', { 'a.png': { pred: rgbPng(2, 2, [0, 1, 1, 0]), gt: ok } });
    const err = await fails(d);
    expect(err).toMatch(/colour PNGs \(1\):\n.*pred\/a\.png: an RGB colour PNG/);
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

  it('corrupt PNG data (a truncated file)', async () => {
    const d = dataset('corrupt', { 'a.png': { pred: ok, gt: ok.subarray(0, ok.length - 20) } });
    const err = await fails(d);
    expect(err).toMatch(/unreadable PNG data \(1\):\n.*gt\/a\.png: an unreadable PNG/);
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
      /unreadable --pred directory \(1\):\n.*nope \(ENOENT\)/,
    ],
    [
      'a --json in a missing directory',
      ['--pred', d.pred, '--gt', d.gt, '--classes', '2', '--json', join(d.dir, 'no/r.json')],
      /cannot write --json .*no directory/,
    ],
    [
      'empty directories',
      ['--pred', freshDir('empty1'), '--gt', freshDir('empty2'), '--classes', '2'],
      /no \.png files in/,
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
