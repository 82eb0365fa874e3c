/**
 * Helpers of the eval tests: masks written as PNG (by pngjs, or chunk by chunk for what pngjs
 * cannot write), datasets of pred/ and gt/ folders in a temporary root, and the CLI run
 * in-process with captured streams.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll } from 'vitest';
import { crc32 } from '../../src/cli/eval-png.js';
import { runCli } from '../../src/cli/run-cli.js';

export const root = mkdtempSync(join(tmpdir(), 'lovasz-eval-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirCount = 0;
/** A fresh directory under the test root. */
export function freshDir(name: string): string {
  const dir = join(root, `${dirCount++}-${name}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs the CLI in-process with captured streams (not a TTY: no progress bar). */
export async function cli(...argv: string[]) {
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
export function grayPng(width: number, height: number, labels: ArrayLike<number>): Buffer {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8 });
  png.data = Buffer.from(Uint8Array.from(labels));
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8 });
}

/** An RGB (or RGBA) PNG written by pngjs: pixel i has colour colours[i]. */
export function rgbPng(
  width: number,
  height: number,
  colours: readonly (readonly [number, number, number])[],
  colorType: 2 | 6 = 2,
): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    png.data.set(colours[i], 4 * i);
    png.data[4 * i + 3] = 255;
  }
  return PNG.sync.write(png, { colorType });
}

/** An RGB PNG whose pixels are gray (R = G = B = label), as image editors save masks. */
export function grayRgbPng(width: number, height: number, labels: ArrayLike<number>): Buffer {
  return rgbPng(
    width,
    height,
    Array.from(labels, (v) => [v, v, v] as const),
  );
}

export function pngChunk(type: string, data: Uint8Array): Buffer {
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
export function handPng(opts: {
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
export function randomLabels(count: number, n: number, seed: number): Uint8Array {
  const out = new Uint8Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 24) % n;
  }
  return out;
}

/** Writes masks into pred/ and gt/ of a new directory; returns the two paths. */
export function dataset(name: string, files: Record<string, { pred?: Buffer; gt?: Buffer }>) {
  const dir = freshDir(name);
  const pred = join(dir, 'pred');
  const gt = join(dir, 'gt');
  mkdirSync(pred);
  mkdirSync(gt);
  for (const [file, { pred: p, gt: g }] of Object.entries(files)) {
    for (const [side, data] of [
      [pred, p],
      [gt, g],
    ] as const) {
      if (!data) continue;
      mkdirSync(dirname(join(side, file)), { recursive: true });
      writeFileSync(join(side, file), data);
    }
  }
  return { dir, pred, gt, json: join(dir, 'results.json') };
}
