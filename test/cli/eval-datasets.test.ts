import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { packagesFor } from '../../src/cli/cli-packages.js';
import { MaskError, readLabelPng, readPngHeader } from '../../src/cli/eval-png.js';
import { ConfusionMatrix } from '../../src/metrics/confusion-matrix.js';
import { cli, dataset, grayPng, handPng, pngChunk, randomLabels, rgbPng } from './masks.js';

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

/** A PNG of the given IHDR fields and raw (filtered) IDAT rows. */
function rawPng(
  width: number,
  height: number,
  depth: number,
  colorType: number,
  raw: Buffer,
  interlace = 0,
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = colorType;
  ihdr[12] = interlace;
  return Buffer.concat([
    SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', new Uint8Array()),
  ]);
}

/** An 8-bit gray Adam7-interlaced PNG (pngjs writes none), rows with filter 0. */
function interlacedGray(width: number, height: number, labels: ArrayLike<number>): Buffer {
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ];
  const bytes: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    for (let y = y0; y < height; y += dy) {
      const row: number[] = [];
      for (let x = x0; x < width; x += dx) row.push(labels[y * width + x]);
      if (row.length > 0) bytes.push(0, ...row);
    }
  }
  return rawPng(width, height, 8, 0, Buffer.from(bytes), 1);
}

describe('eval-png: safe, lean decoding', () => {
  it('refuses a decompression bomb from its header, before decoding', () => {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(40000, 0);
    ihdr.writeUInt32BE(40000, 4);
    ihdr[8] = 8;
    const bomb = Buffer.concat([SIGNATURE, pngChunk('IHDR', ihdr)]);
    expect(() => readPngHeader(bomb)).toThrow(
      /^40000x40000 = 1600000000 pixels, over --max-pixels 268435456; refused before decoding/,
    );
    expect(() => readLabelPng(bomb)).toThrow(MaskError);
    expect(readPngHeader(bomb, 2e9)).toMatchObject({
      width: 40000,
      height: 40000,
      depth: 8,
      colorType: 0,
    });
  });

  it('decodes 8-bit gray to 1 byte a pixel and 16-bit to 2, exactly', () => {
    const g8 = readLabelPng(grayPng(4, 3, randomLabels(12, 200, 1)));
    expect(g8.labels).toBeInstanceOf(Uint8Array);
    expect(g8.labels.length).toBe(12);
    const labels = [0, 256, 300, 1000, 65535, 257];
    const g16 = readLabelPng(handPng({ width: 3, height: 2, labels, colorType: 0, depth: 16 }));
    expect(g16.labels).toBeInstanceOf(Uint16Array);
    expect(Array.from(g16.labels)).toEqual(labels);
  });

  it('reads 1-, 2- and 4-bit gray, gray + alpha and Adam7-interlaced masks', () => {
    // 1-bit: 10 pixels in 2 bytes, 2-bit: 5 pixels.
    const one = rawPng(10, 1, 1, 0, Buffer.from([0, 0b10110000, 0b01000000]));
    expect(Array.from(readLabelPng(one).labels)).toEqual([1, 0, 1, 1, 0, 0, 0, 0, 0, 1]);
    const two = rawPng(5, 1, 2, 0, Buffer.from([0, 0b00011011, 0b11000000]));
    expect(Array.from(readLabelPng(two).labels)).toEqual([0, 1, 2, 3, 3]);
    const ga = rawPng(2, 1, 8, 4, Buffer.from([0, 7, 0, 9, 255]));
    expect(Array.from(readLabelPng(ga).labels)).toEqual([7, 9]);
    const labels = randomLabels(11 * 9, 19, 3);
    expect(Array.from(readLabelPng(interlacedGray(11, 9, labels)).labels)).toEqual(
      Array.from(labels),
    );
  });

  it('maps RGB colours through a palette, and names colours missing from it', () => {
    const png = rgbPng(3, 1, [
      [128, 64, 128],
      [0, 0, 142],
      [128, 64, 128],
    ]);
    const palette = new Map([
      [(128 << 16) | (64 << 8) | 128, 0],
      [142, 300],
    ]);
    const mask = readLabelPng(png, { palette });
    expect(mask.labels).toBeInstanceOf(Uint16Array); // a class above 255
    expect(Array.from(mask.labels)).toEqual([0, 300, 0]);
    expect(() => readLabelPng(png, { palette: new Map([[142, 1]]) })).toThrow(
      /^colours not in --palette, e\.g\. \(128, 64, 128\) at pixel \(x 0, y 0\), 2 such pixels$/,
    );
  });

  it('reports corrupt data plainly: CRC, zlib stream, row filter, missing IDAT', () => {
    const good = grayPng(4, 4, randomLabels(16, 3, 2));
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 14] ^= 0xff; // inside IDAT's data or CRC
    expect(() => readLabelPng(badCrc)).toThrow(
      /^its IDAT chunk at byte \d+ fails its CRC check \(corrupt data\)$/,
    );
    const notZlib = Buffer.concat([
      good.subarray(0, 33),
      pngChunk('IDAT', Buffer.from('definitely not zlib')),
      pngChunk('IEND', new Uint8Array()),
    ]);
    expect(() => readLabelPng(notZlib)).toThrow(/^its compressed image data is corrupt \(zlib: /);
    const badFilter = rawPng(2, 2, 8, 0, Buffer.from([0, 1, 1, 9, 1, 1]));
    expect(() => readLabelPng(badFilter)).toThrow(
      /^row 1 has filter type 9; PNG rows have filter 0 to 4/,
    );
    const tooMuch = rawPng(2, 1, 8, 0, Buffer.from([0, 1, 1, 0, 1, 1]));
    expect(() => readLabelPng(tooMuch)).toThrow(/holds more than the 2x1 pixels of its header/);
    const noIdat = Buffer.concat([good.subarray(0, 33), pngChunk('IEND', new Uint8Array())]);
    expect(() => readLabelPng(noIdat)).toThrow(/^it has no image data \(no IDAT chunk\)$/);
    expect(() => readLabelPng(good.subarray(0, 40))).toThrow(
      /^truncated: the image data ends after 0 of 4 rows/,
    );
  });
});

describe('lovasz eval on dataset-shaped folders', () => {
  const a = grayPng(3, 2, [0, 1, 2, 2, 1, 0]);
  const b = grayPng(3, 2, [0, 0, 2, 2, 1, 1]);

  it('mentions sub-folders without --recursive, and pairs by relative path with it', async () => {
    const d = dataset('nested', {
      'city1/x.png': { pred: a, gt: b },
      'city2/x.png': { pred: b, gt: b },
      'top.png': { pred: a, gt: a },
    });
    const flat = await cli(
      'eval',
      '--pred',
      d.pred,
      '--gt',
      d.gt,
      '--classes',
      '3',
      '--json',
      d.json,
    );
    expect(flat.code).toBe(0);
    expect(flat.stderr).toBe('lovasz eval: 4 sub-folders not searched; use --recursive\n');
    expect(JSON.parse(readFileSync(d.json, 'utf8')).images).toBe(1);
    const deep = await cli(
      'eval',
      '--pred',
      d.pred,
      '--gt',
      d.gt,
      '--classes',
      '3',
      '--recursive',
      '--json',
      d.json,
    );
    expect(deep.code).toBe(0);
    expect(deep.stderr).toBe('');
    const cm = new ConfusionMatrix(3, { perImage: true });
    for (const [p, g] of [
      [a, b],
      [b, b],
      [a, a],
    ]) {
      cm.update(readLabelPng(p).labels, readLabelPng(g).labels, [1, 2, 3]);
    }
    expect(JSON.parse(readFileSync(d.json, 'utf8')).fineGrained).toEqual(cm.fineGrained());
  });

  it('only sub-folders: says so instead of "no files"', async () => {
    const d = dataset('only-nested', { 'sub/x.png': { pred: a, gt: a } });
    const r = await cli('eval', '--pred', d.pred, '--gt', d.gt, '--classes', '3');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no masks in .* \(2 sub-folders not searched; use --recursive\)/);
  });

  it('pairs Cityscapes-style names with --pred-suffix and --gt-suffix, skipping other files', async () => {
    const d = dataset('suffixes', {});
    const files = {
      'frankfurt/f_000_leftImg8bit.png': [d.pred, a],
      'frankfurt/f_000_gtFine_labelIds.png': [d.gt, b],
      'frankfurt/f_000_gtFine_color.png': [d.gt, a],
      'frankfurt/f_000_gtFine_polygons.json': [d.gt, Buffer.from('{}')],
    } as const;
    for (const [rel, [dir, data]] of Object.entries(files)) {
      const path = join(dir, rel);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, data);
    }
    const r = await cli(
      ...['eval', '--pred', d.pred, '--gt', d.gt, '--classes', '3', '--recursive'],
      ...[
        '--pred-suffix',
        '_leftImg8bit.png',
        '--gt-suffix',
        '_gtFine_labelIds.png',
        '--json',
        d.json,
      ],
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(d.json, 'utf8'));
    expect(json.images).toBe(1);
    expect(json.iou).toEqual(
      new ConfusionMatrix(3).update(readLabelPng(a).labels, readLabelPng(b).labels).iou(),
    );
  });

  it('maps label values with --map (ground truth) and --pred-map, "ignore" included', async () => {
    // Ground truth in "ids" 7, 8, 0 (void); predictions in train ids 0, 1.
    const d = dataset('map', {
      'a.png': { pred: grayPng(4, 1, [0, 1, 1, 1]), gt: grayPng(4, 1, [7, 8, 0, 7]) },
    });
    const map = join(d.dir, 'map.json');
    writeFileSync(map, JSON.stringify({ 7: 0, 8: 1, 0: 'ignore' }));
    const r = await cli(
      ...['eval', '--pred', d.pred, '--gt', d.gt, '--classes', '2', '--ignore', '255'],
      ...['--map', map, '--json', d.json],
    );
    expect(r.stderr).toBe('');
    const json = JSON.parse(readFileSync(d.json, 'utf8'));
    expect(json.iou).toEqual([50, 50]); // class 0: 1 of union 2; class 1: 1 of union 2
    const predMap = join(d.dir, 'pred-map.json');
    writeFileSync(predMap, JSON.stringify({ 0: 1, 1: 0 }));
    await cli(
      ...['eval', '--pred', d.pred, '--gt', d.gt, '--classes', '2', '--ignore', '255'],
      ...['--map', map, '--pred-map', predMap, '--json', d.json],
    );
    expect(JSON.parse(readFileSync(d.json, 'utf8')).iou).toEqual([100 * (1 / 3), 0]);
  });

  it('reads colour masks through --palette, 16-bit labels above 255, and --class-names', async () => {
    const colours: [number, number, number][] = [
      [128, 64, 128],
      [244, 35, 232],
      [70, 70, 70],
    ];
    const d = dataset('palette', {
      'a.png': {
        pred: rgbPng(3, 1, [colours[0], colours[1], colours[2]]),
        gt: rgbPng(3, 1, [colours[0], colours[1], colours[1]]),
      },
    });
    const palette = join(d.dir, 'palette.json');
    writeFileSync(palette, JSON.stringify(colours));
    const names = join(d.dir, 'names.txt');
    writeFileSync(names, 'road\nsidewalk\nbuilding\n');
    const r = await cli(
      ...['eval', '--pred', d.pred, '--gt', d.gt, '--classes', '3', '--palette', palette],
      ...['--class-names', names, '--json', d.json],
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /\n\s+0 road\s+100\.00\n\s+1 sidewalk\s+50\.00\n\s+2 building\s+0\.00\n/,
    );
    const json = JSON.parse(readFileSync(d.json, 'utf8'));
    expect(json.classNames).toEqual(['road', 'sidewalk', 'building']);
    expect(json.iou).toEqual([100, 50, 0]);

    const wide = dataset('wide', {
      'a.png': {
        pred: handPng({ width: 3, height: 1, labels: [299, 0, 1000], colorType: 0, depth: 16 }),
        gt: handPng({ width: 3, height: 1, labels: [299, 299, 1000], colorType: 0, depth: 16 }),
      },
    });
    const w = await cli(
      'eval',
      '--pred',
      wide.pred,
      '--gt',
      wide.gt,
      '--classes',
      '1001',
      '--json',
      wide.json,
    );
    expect(w.stderr).toBe('');
    const wj = JSON.parse(readFileSync(wide.json, 'utf8'));
    expect(wj.iou[299]).toBe(50);
    expect(wj.iou[1000]).toBe(100);
    expect(wj.iou[0]).toBe(0);
    expect(wj.iou[5]).toBeNull(); // absent from labels and predictions
  });

  it('writes the per-image CSV, one row per pair in order', async () => {
    const d = dataset('csv', {
      'b,1.png': { pred: a, gt: b },
      'a.png': { pred: a, gt: a },
    });
    const csv = join(d.dir, 'per-image.csv');
    const r = await cli(
      'eval',
      '--pred',
      d.pred,
      '--gt',
      d.gt,
      '--classes',
      '4',
      '--per-image',
      csv,
    );
    expect(r.code).toBe(0);
    const one = new ConfusionMatrix(4, { perImage: true }).update(
      readLabelPng(a).labels,
      readLabelPng(b).labels,
    );
    const lines = readFileSync(csv, 'utf8').split('\n');
    expect(lines[0]).toBe('name,pixels,mIoU,IoU 0,IoU 1,IoU 2,IoU 3');
    expect(lines[1]).toBe('a.png,6,100,100,100,100,');
    expect(lines[2]).toBe(
      `"b,1.png",6,${one.fineGrained().mIoUI},${one.iou().slice(0, 3).join(',')},`,
    );
    expect(lines[3]).toBe('');
  });

  it('writes a confusion-matrix heatmap and a per-class IoU chart with --plot', async () => {
    const d = dataset('plot', { 'a.png': { pred: a, gt: b } });
    const plots = join(d.dir, 'plots');
    const r = await cli('eval', '--pred', d.pred, '--gt', d.gt, '--classes', '3', '--plot', plots);
    expect(r.code).toBe(0);
    expect(readdirSync(plots).sort()).toEqual(['class-iou.png', 'confusion-matrix.png']);
    for (const f of readdirSync(plots)) {
      const header = readPngHeader(readFileSync(join(plots, f)));
      expect(header.width).toBeGreaterThan(200);
    }
  }, 30_000);

  it('refuses a bomb and bad option files in the same report, writing nothing', async () => {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(40000, 0);
    ihdr.writeUInt32BE(40000, 4);
    ihdr[8] = 8;
    const bomb = Buffer.concat([
      SIGNATURE,
      pngChunk('IHDR', ihdr),
      pngChunk('IEND', new Uint8Array()),
    ]);
    const d = dataset('bomb', { 'a.png': { pred: bomb, gt: bomb }, 'b.png': { pred: a, gt: a } });
    const names = join(d.dir, 'names.txt');
    writeFileSync(names, 'one\ntwo\n');
    const map = join(d.dir, 'map.json');
    writeFileSync(map, JSON.stringify({ 3: 'ignore' }));
    const csv = join(d.dir, 'x.csv');
    const r = await cli(
      ...['eval', '--pred', d.pred, '--gt', d.gt, '--classes', '3', '--json', d.json],
      ...['--class-names', names, '--map', map, '--per-image', csv],
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /masks over --max-pixels \(2\):\n.*gt\/a\.png: 40000x40000 = 1600000000 pixels/,
    );
    expect(r.stderr).toMatch(/--class-names .*names\.txt: 2 names for --classes 3/);
    expect(r.stderr).toMatch(/--map .*map\.json: entry "3": "ignore".*\("ignore" needs --ignore\)/);
    expect(existsSync(d.json) || existsSync(csv)).toBe(false);
  });

  it('rejects bad --jobs, --max-pixels and --worst-q values', async () => {
    const d = dataset('flags', { 'a.png': { pred: a, gt: a } });
    for (const [flag, value, message] of [
      ['--jobs', '0', /--jobs must be an integer in \[1, 256\]/],
      ['--max-pixels', '-3', /--max-pixels must be an integer/],
      ['--worst-q', '0', /percentage must be in \(0, 100\]/],
      ['--worst-q', '101', /percentage must be in \(0, 100\]/],
    ] as const) {
      const r = await cli('eval', '--pred', d.pred, '--gt', d.gt, '--classes', '3', flag, value);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    const q = await cli(
      'eval',
      '--pred',
      d.pred,
      '--gt',
      d.gt,
      '--classes',
      '3',
      '--worst-q',
      '50',
    );
    expect(q.stdout).toMatch(/worst 50% of images \(I\)/);
  });
});

describe('lovasz: each command asks only for its own packages', () => {
  it('help and version need commander; eval adds cli-progress and pngjs (plots with --plot); demo all', () => {
    expect(packagesFor(['--help'])).toEqual(['commander']);
    expect(packagesFor([])).toEqual(['commander']);
    expect(packagesFor(['eval', '--help'])).toEqual(['commander']);
    expect(packagesFor(['demo', '-h'])).toEqual(['commander']);
    expect(packagesFor(['eval', '--pred', 'p', '--gt', 'g', '--classes', '2'])).toEqual([
      'commander',
      'cli-progress',
      'pngjs',
    ]);
    expect(packagesFor(['eval', '--plot', 'out'])).toEqual([
      'commander',
      'cli-progress',
      'pngjs',
      'vega',
      'vega-lite',
      '@resvg/resvg-js',
    ]);
    expect(packagesFor(['demo', 'binary'])).toEqual([
      'commander',
      'cli-progress',
      'pngjs',
      'vega',
      'vega-lite',
      '@resvg/resvg-js',
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-wasm',
    ]);
  });
});
