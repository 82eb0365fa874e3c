/**
 * Label masks from PNG files, for `lovasz eval`, decoded to one label per pixel: a Uint8Array
 * (1 byte a pixel) or, for 16-bit masks and palettes with classes above 255, a Uint16Array.
 *
 * The label of a pixel is its gray value in a grayscale PNG (any bit depth, 16-bit exactly),
 * its palette INDEX (not the colour the palette gives it) in a palette PNG, and in an RGB(A)
 * PNG either its gray value when R = G = B (masks saved by image editors) or, with a colour
 * palette (`--palette`), the class of its colour. Alpha and tRNS are ignored.
 *
 * Why not pngjs's decoder: it always expands to RGBA (4 bytes a pixel, 8 for 16-bit), through
 * the palette (so indices are lost), and reports a truncated file with its stream internals.
 * So the chunks are walked here (the header is checked, and a size over `maxPixels` refused,
 * before anything is inflated), IDAT is inflated by node:zlib with an output limit of exactly
 * the size the header announces, and only the row unfiltering (`pngjs/lib/filter-parse-sync`)
 * and the Adam7 pass geometry (`pngjs/lib/interlace`) are pngjs's lower-level pieces. Peak
 * memory for a mask is the inflated rows, the unfiltered rows (each about the file's raw
 * size, e.g. 2 MB for an 8-bit 2048 x 1024 mask) and the labels.
 * @module
 */
import { createRequire } from 'node:module';
import { constants, inflateSync } from 'node:zlib';

const require = createRequire(import.meta.url);
/** pngjs's row unfiltering: raw rows (filter byte + data) to unfiltered rows, pass by pass. */
const filterSync = require('pngjs/lib/filter-parse-sync.js') as {
  process(
    data: Buffer,
    info: { width: number; height: number; interlace: boolean; bpp: number; depth: number },
  ): Buffer;
};
/** pngjs's Adam7 geometry: the passes' sizes, and where a pass pixel lands (offset * 4). */
const interlace = require('pngjs/lib/interlace.js') as {
  getImagePasses(width: number, height: number): { width: number; height: number; index: number }[];
  getInterlaceIterator(width: number): (x: number, y: number, pass: number) => number;
};

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

/** Bytes of a PNG up to the end of IHDR's data: signature, chunk length and type, 13 bytes. */
export const PNG_HEADER_BYTES = 8 + 8 + 13;

/** The default --max-pixels: 2^28, the order of image libraries' decompression-bomb limits. */
export const DEFAULT_MAX_PIXELS = 2 ** 28;

/** PNG colour types (IHDR byte 9). */
const GRAY = 0;
const RGB = 2;
const PALETTE = 3;
const GRAY_ALPHA = 4;
const RGBA = 6;

/** Samples per pixel and allowed bit depths of each colour type (PNG spec, table 11.1). */
const COLOUR_TYPES: Record<number, { name: string; channels: number; depths: number[] }> = {
  [GRAY]: { name: 'grayscale', channels: 1, depths: [1, 2, 4, 8, 16] },
  [RGB]: { name: 'RGB', channels: 3, depths: [8, 16] },
  [PALETTE]: { name: 'palette', channels: 1, depths: [1, 2, 4, 8] },
  [GRAY_ALPHA]: { name: 'grayscale + alpha', channels: 2, depths: [8, 16] },
  [RGBA]: { name: 'RGBA', channels: 4, depths: [8, 16] },
};

/** What IHDR says about a mask. */
export interface PngHeader {
  width: number;
  height: number;
  /** Bits per sample: 1, 2, 4, 8 or 16. */
  depth: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA. */
  colorType: number;
  /** Adam7 interlacing. */
  interlaced: boolean;
}

/** A decoded label mask: `labels[y * width + x]` is the label of pixel (x, y). */
export interface LabelMask {
  width: number;
  height: number;
  labels: Uint8Array | Uint16Array;
}

/**
 * A colour palette for RGB masks (`--palette`): 0xRRGGBB -> class (or the ignore label).
 * Only 8-bit RGB colours can be looked up.
 */
export type ColourPalette = ReadonlyMap<number, number>;

/** Why a mask cannot be used; `kind` groups the reasons in the report of `lovasz eval`. */
export type MaskProblem = 'not-png' | 'too-large' | 'colour' | 'truncated' | 'corrupt';

/** A mask that cannot be used, with a plain reason in the message. */
export class MaskError extends Error {
  constructor(
    readonly kind: MaskProblem,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses the header of a PNG from its first {@link PNG_HEADER_BYTES} bytes (more are fine) and
 * refuses, before anything is decoded: no PNG signature or IHDR ('not-png'), an invalid colour
 * type or bit depth ('corrupt'), and more than `maxPixels` pixels ('too-large': a
 * decompression bomb declares a huge size in a small file).
 * @example
 *   const { width, height } = readPngHeader(firstBytes, DEFAULT_MAX_PIXELS); // e.g. 512, 512
 */
export function readPngHeader(bytes: Uint8Array, maxPixels = DEFAULT_MAX_PIXELS): PngHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) {
    throw new MaskError('not-png', 'not a PNG file (no PNG signature)');
  }
  if (
    buf.length < PNG_HEADER_BYTES ||
    buf.toString('latin1', 12, 16) !== 'IHDR' ||
    buf.readUInt32BE(8) !== 13
  ) {
    throw new MaskError('not-png', 'not a PNG file (no IHDR chunk after the signature)');
  }
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  const depth = buf[24];
  const colorType = buf[25];
  const type = COLOUR_TYPES[colorType];
  if (type === undefined)
    throw new MaskError('corrupt', `a PNG of unknown colour type ${colorType}`);
  if (!type.depths.includes(depth)) {
    throw new MaskError('corrupt', `a ${type.name} PNG of invalid bit depth ${depth}`);
  }
  if (buf[26] !== 0 || buf[27] !== 0 || buf[28] > 1) {
    throw new MaskError(
      'corrupt',
      `a PNG with unknown compression ${buf[26]}, filter ${buf[27]} or interlace ${buf[28]} method`,
    );
  }
  if (width === 0 || height === 0)
    throw new MaskError('corrupt', `a PNG of size ${width}x${height}`);
  if (width * height > maxPixels) {
    throw new MaskError(
      'too-large',
      `${width}x${height} = ${width * height} pixels, over --max-pixels ${maxPixels}; refused ` +
        'before decoding (a guard against decompression bombs: raise --max-pixels if the mask is real)',
    );
  }
  return { width, height, depth, colorType, interlaced: buf[28] === 1 };
}

/** Options of {@link readLabelPng}. */
export interface ReadLabelOptions {
  /** Refuse masks with more pixels (default {@link DEFAULT_MAX_PIXELS}). */
  maxPixels?: number;
  /** Colour -> class for RGB(A) masks; without it they must be gray (R = G = B). */
  palette?: ColourPalette;
}

/**
 * Decodes a PNG label mask (see the module comment for what a label is). Throws a MaskError
 * with a plain message: 'not-png', 'too-large', 'colour' (RGB pixels that are not gray, or
 * colours missing from `palette`), 'truncated' (the file or its image data ends early, with
 * how many rows arrived) or 'corrupt' (bad CRC, bad zlib data, unknown row filter).
 * @example
 *   const { width, height, labels } = readLabelPng(readFileSync('gt/0001.png'));
 */
export function readLabelPng(file: Uint8Array, options: ReadLabelOptions = {}): LabelMask {
  const header = readPngHeader(file, options.maxPixels);
  const { width, height, depth, colorType, interlaced } = header;
  const { channels } = COLOUR_TYPES[colorType];
  const palette = colorType === RGB || colorType === RGBA ? options.palette : undefined;
  if (palette !== undefined && depth === 16) {
    throw new MaskError('colour', 'a 16-bit RGB PNG; --palette maps 8-bit colours only');
  }
  const { idat, endedAt } = imageData(file);

  const passes = interlaced
    ? interlace.getImagePasses(width, height)
    : [{ width, height, index: 0 }];
  const rowBytes = (w: number) => Math.ceil((w * channels * depth) / 8);
  let expected = 0;
  let rows = 0;
  for (const p of passes) {
    expected += p.height * (rowBytes(p.width) + 1);
    rows += p.height;
  }
  let raw: Buffer;
  try {
    // A truncated stream yields what it holds (SYNC_FLUSH); more than the header's size is an
    // error, so a stream cannot inflate past what the size check allowed.
    raw = inflateSync(idat, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: expected });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new MaskError(
        'corrupt',
        `its image data holds more than the ${width}x${height} pixels of its header`,
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new MaskError('corrupt', `its compressed image data is corrupt (zlib: ${reason})`);
  }
  // Rows must be whole and have a known filter (0-4), pass by pass.
  let at = 0;
  let row = 0;
  for (const p of passes) {
    const size = rowBytes(p.width) + 1;
    for (let y = 0; y < p.height; y++, row++, at += size) {
      if (at + size > raw.length) {
        const where =
          endedAt === undefined
            ? 'its compressed image data ends'
            : `the file ends at byte ${endedAt}`;
        throw new MaskError(
          'truncated',
          `truncated: the image data ends after ${row} of ${rows} rows (${where})`,
        );
      }
      if (raw[at] > 4) {
        throw new MaskError(
          'corrupt',
          `row ${row} has filter type ${raw[at]}; PNG rows have filter 0 to 4 (corrupt data)`,
        );
      }
    }
  }
  const unfiltered = filterSync.process(raw, {
    width,
    height,
    interlace: interlaced,
    bpp: channels,
    depth,
  });
  return {
    width,
    height,
    labels: toLabels(unfiltered, header, channels, passes, rowBytes, palette),
  };
}

/**
 * The concatenated IDAT data of a PNG, its chunks' CRCs checked; `endedAt` is the file size
 * when the file ends before IEND (the IDAT bytes that arrived are kept, to count the rows).
 */
function imageData(file: Uint8Array): { idat: Buffer; endedAt?: number } {
  const buf = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const parts: Buffer[] = [];
  let pos = 8;
  for (;;) {
    if (pos + 8 > buf.length) return { idat: Buffer.concat(parts), endedAt: buf.length };
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const end = pos + 12 + length;
    if (end > buf.length) {
      if (type === 'IDAT')
        parts.push(buf.subarray(pos + 8, Math.min(buf.length, pos + 8 + length)));
      return { idat: Buffer.concat(parts), endedAt: buf.length };
    }
    if (crc32(buf.subarray(pos + 4, end - 4)) !== buf.readUInt32BE(end - 4)) {
      throw new MaskError(
        'corrupt',
        `its ${type} chunk at byte ${pos} fails its CRC check (corrupt data)`,
      );
    }
    if (type === 'IDAT') parts.push(buf.subarray(pos + 8, end - 4));
    if (type === 'IEND') break;
    pos = end;
  }
  if (parts.length === 0) throw new MaskError('corrupt', 'it has no image data (no IDAT chunk)');
  return { idat: parts.length === 1 ? parts[0] : Buffer.concat(parts) };
}

/** Unfiltered rows to one label per pixel. */
function toLabels(
  data: Buffer,
  header: PngHeader,
  channels: number,
  passes: { width: number; height: number; index: number }[],
  rowBytes: (w: number) => number,
  palette: ColourPalette | undefined,
): Uint8Array | Uint16Array {
  const { width, height, depth, colorType } = header;
  const n = width * height;
  // The common case, 8-bit gray or palette: the unfiltered rows are the labels.
  if (depth === 8 && channels === 1 && !header.interlaced) {
    return new Uint8Array(data.buffer, data.byteOffset, n);
  }
  let wide = depth === 16;
  if (palette !== undefined) for (const c of palette.values()) if (c > 255) wide = true;
  const labels = wide ? new Uint16Array(n) : new Uint8Array(n);
  const place = header.interlaced ? interlace.getInterlaceIterator(width) : undefined;
  const rgb = colorType === RGB || colorType === RGBA;
  const bytes = depth / 8; // for depth >= 8
  const mask = (1 << depth) - 1;
  // The first pixel of each failure and where its samples start (for the message).
  let offColour = -1;
  let offAt = 0;
  let offCount = 0;
  let missing = -1;
  let missingAt = 0;
  let missingCount = 0;
  let at = 0;
  for (const p of passes) {
    const size = rowBytes(p.width);
    for (let y = 0; y < p.height; y++, at += size) {
      for (let x = 0; x < p.width; x++) {
        const i = place === undefined ? y * width + x : place(x, y, p.index) / 4;
        if (depth < 8) {
          const bit = x * depth;
          labels[i] = (data[at + (bit >> 3)] >> (8 - depth - (bit & 7))) & mask;
          continue;
        }
        const s = at + x * channels * bytes;
        const v = bytes === 1 ? data[s] : (data[s] << 8) | data[s + 1];
        if (!rgb) {
          labels[i] = v;
          continue;
        }
        const g = bytes === 1 ? data[s + 1] : (data[s + 2] << 8) | data[s + 3];
        const b = bytes === 1 ? data[s + 2] : (data[s + 4] << 8) | data[s + 5];
        if (palette !== undefined) {
          const colour = (v << 16) | (g << 8) | b;
          const c = palette.get(colour);
          if (c === undefined) {
            if (missing < 0) {
              missing = i;
              missingAt = s;
            }
            missingCount++;
          } else labels[i] = c;
        } else if (v === g && g === b) {
          labels[i] = v;
        } else {
          if (offColour < 0) {
            offColour = i;
            offAt = s;
          }
          offCount++;
        }
      }
    }
  }
  if (offColour >= 0 || missing >= 0) {
    const first = offColour >= 0 ? offColour : missing;
    const count = offColour >= 0 ? offCount : missingCount;
    const start = offColour >= 0 ? offAt : missingAt;
    const colour = [0, 1, 2].map((k) =>
      bytes === 1 ? data[start + k] : (data[start + 2 * k] << 8) | data[start + 2 * k + 1],
    );
    const where =
      `(${colour.join(', ')}) at pixel (x ${first % width}, y ${Math.floor(first / width)})` +
      (count > 1 ? `, ${count} such pixels` : '');
    throw new MaskError(
      'colour',
      offColour >= 0
        ? `an RGB PNG with colour (not gray) pixels, e.g. ${where}; give --palette FILE.json to map colours to classes`
        : `colours not in --palette, e.g. ${where}`,
    );
  }
  return labels;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (the PNG/zlib polynomial); node:zlib has crc32 only from Node 22. */
export function crc32(bytes: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
