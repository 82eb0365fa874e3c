/**
 * Label masks from PNG files, for `lovasz eval`: the label of a pixel is its gray value in a
 * grayscale PNG and its palette INDEX (not the colour the palette gives it) in a palette PNG.
 *
 * pngjs (the PNG library used) always expands a palette image to RGBA through its palette, so
 * the indices are lost after decoding, and two indices with the same colour (allowed by PNG)
 * could not even be told apart by reverse lookup. It also blanks pixels matching a grayscale
 * tRNS colour to 0 and, without `skipRescale`, rescales 1/2/4/16-bit gray values to 0..255.
 * So before pngjs sees a mask, {@link readLabelPng} rewrites its chunks: the PLTE chunk is
 * replaced by an identity palette of 256 entries (entry i = gray i, so the decoded red channel
 * IS the index, even for an index past the file's own palette), tRNS is dropped, and the
 * decode runs with `skipRescale`, so gray values come out as stored (16-bit ones too).
 * @module
 */
import { PNG } from 'pngjs';

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

/** Bytes of a PNG up to the end of IHDR's data: signature, chunk length and type, 13 bytes. */
export const PNG_HEADER_BYTES = 8 + 8 + 13;

/** PNG colour types (IHDR byte 9). */
const GRAY = 0;
const RGB = 2;
const PALETTE = 3;
const GRAY_ALPHA = 4;
const RGBA = 6;

/** What IHDR says about a mask: size, bit depth and colour type. */
export interface PngHeader {
  width: number;
  height: number;
  /** Bits per sample: 1, 2, 4, 8 or 16. */
  depth: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA. */
  colorType: number;
}

/** A decoded label mask: `labels[y * width + x]` is the label of pixel (x, y). */
export interface LabelMask {
  width: number;
  height: number;
  labels: Uint8Array | Uint16Array;
}

/**
 * A mask that cannot be used, with the reason in the message: not a PNG, an RGB colour PNG, a
 * corrupt stream. `kind` groups the reasons in the report of `lovasz eval`.
 */
export class MaskError extends Error {
  constructor(
    readonly kind: 'not-png' | 'colour' | 'corrupt',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses the header of a PNG from its first {@link PNG_HEADER_BYTES} bytes (more are fine).
 * Throws a MaskError 'not-png' when they are no PNG signature and IHDR, and 'colour' for an RGB
 * or RGBA image, which holds colours, not labels.
 * @example
 *   const { width, height } = readPngHeader(firstBytes); // e.g. 512, 512
 */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < PNG_HEADER_BYTES || !buf.subarray(0, 8).equals(SIGNATURE)) {
    throw new MaskError('not-png', 'not a PNG file (no PNG signature)');
  }
  if (buf.toString('latin1', 12, 16) !== 'IHDR' || buf.readUInt32BE(8) !== 13) {
    throw new MaskError('not-png', 'not a PNG file (no IHDR chunk after the signature)');
  }
  const header = {
    width: buf.readUInt32BE(16),
    height: buf.readUInt32BE(20),
    depth: buf[24],
    colorType: buf[25],
  };
  if (header.colorType === RGB || header.colorType === RGBA) {
    throw new MaskError(
      'colour',
      `an ${header.colorType === RGB ? 'RGB' : 'RGBA'} colour PNG; label masks must be ` +
        'grayscale or palette-indexed PNGs',
    );
  }
  if (![GRAY, PALETTE, GRAY_ALPHA].includes(header.colorType)) {
    throw new MaskError('not-png', `a PNG of unknown colour type ${header.colorType}`);
  }
  return header;
}

/**
 * Decodes a grayscale (optionally with alpha, which is ignored) or palette PNG into its labels:
 * gray values as stored, at any bit depth (Uint16Array for 16-bit, else Uint8Array), or
 * palette indices. Throws a MaskError: 'not-png', 'colour' (RGB/RGBA) or 'corrupt' (anything
 * pngjs rejects: bad CRC, truncated data, bad zlib stream).
 * @example
 *   const { width, height, labels } = readLabelPng(readFileSync('gt/0001.png'));
 */
export function readLabelPng(file: Uint8Array): LabelMask {
  const header = readPngHeader(file);
  const buf = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  let png: PNG;
  try {
    png = PNG.sync.read(withLabelChunks(buf, header), { skipRescale: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MaskError('corrupt', `an unreadable PNG (${reason})`);
  }
  const { width, height } = png;
  // After the rewrite, the red channel of the RGBA output holds the gray value or the index.
  const rgba = png.data as unknown as Uint8Array | Uint16Array;
  const n = width * height;
  const labels = header.depth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 4) labels[i] = rgba[j];
  return { width, height, labels };
}

let identityPlte: Buffer | undefined;

/** An identity PLTE chunk: 256 entries, entry i = (i, i, i); built once, on first use. */
function identityPalette(): Buffer {
  if (identityPlte === undefined) {
    const data = Buffer.alloc(3 * 256);
    for (let i = 0; i < 256; i++) data.fill(i, 3 * i, 3 * i + 3);
    identityPlte = chunk('PLTE', data);
  }
  return identityPlte;
}

/**
 * The PNG with the chunks that would hide labels rewritten: PLTE replaced by the identity
 * palette, tRNS dropped. Returns the input itself when there is nothing to rewrite (a gray
 * image without tRNS), so the common case copies nothing.
 */
function withLabelChunks(buf: Buffer, header: PngHeader): Buffer {
  const parts: Buffer[] = [buf.subarray(0, 8)];
  let changed = false;
  let pos = 8;
  while (pos + 12 <= buf.length) {
    const length = buf.readUInt32BE(pos);
    const end = pos + 12 + length;
    if (end > buf.length) break; // truncated: left for pngjs to report
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (type === 'PLTE' && header.colorType === PALETTE) {
      parts.push(identityPalette());
      changed = true;
    } else if (type === 'tRNS') {
      changed = true;
    } else {
      parts.push(buf.subarray(pos, end));
    }
    pos = end;
    if (type === 'IEND') break;
  }
  if (!changed) return buf;
  if (pos < buf.length) parts.push(buf.subarray(pos));
  return Buffer.concat(parts);
}

/** A PNG chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
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
