/**
 * The files that tell `lovasz eval` how to read labels: --map / --pred-map (label value ->
 * class), --palette (RGB colour -> class) and --class-names. Problems go to the run's report.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Problems } from './eval-problems.js';

/** Label values a PNG can hold: 8- and 16-bit, [0, 65535]. */
const LABEL_VALUES = 65536;

/** Reads a file as text, or records why it cannot be read. */
function readText(path: string, flag: string, problems: Problems): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    problems.add('options', `${flag} ${path}: cannot read it (${code})`);
    return undefined;
  }
}

function readJson(path: string, flag: string, problems: Problems): unknown {
  const text = readText(path, flag, problems);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    problems.add('options', `${flag} ${path}: not JSON (${(error as Error).message})`);
    return undefined;
  }
}

/** A class index in [0, classes) or the ignore label ("ignore" names it), else undefined. */
function targetClass(value: unknown, classes: number, ignore: number | null): number | undefined {
  if (value === 'ignore') return ignore ?? undefined;
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    ((value >= 0 && value < classes) || value === ignore)
  ) {
    return value;
  }
  return undefined;
}

/**
 * --map FILE.json: an object from label values (as written in the masks, "0" to "65535") to
 * a class in [0, classes) or "ignore" (the --ignore label), e.g. Cityscapes ids to train ids
 * `{ "7": 0, "8": 1, "0": "ignore", ... }`. Values the map does not list are read as they are.
 * Returns a lookup table of 65536 entries, or undefined after recording a problem.
 */
export function loadLabelMap(
  path: string,
  flag: string,
  classes: number,
  ignore: number | null,
  problems: Problems,
): Int32Array | undefined {
  const json = readJson(path, flag, problems);
  if (json === undefined) return undefined;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    problems.add('options', `${flag} ${path}: must be a JSON object from label values to classes`);
    return undefined;
  }
  const lut = new Int32Array(LABEL_VALUES);
  for (let v = 0; v < LABEL_VALUES; v++) lut[v] = v;
  let ok = true;
  for (const [key, value] of Object.entries(json)) {
    const from = /^\d+$/.test(key) ? Number(key) : Number.NaN;
    const to = targetClass(value, classes, ignore);
    if (!(from < LABEL_VALUES) || to === undefined) {
      problems.add(
        'options',
        `${flag} ${path}: entry "${key}": ${JSON.stringify(value)}; keys are label values 0-65535, ` +
          `values classes 0-${classes - 1}${ignore === null ? '' : ` or "ignore" (${ignore})`}` +
          (value === 'ignore' && ignore === null ? ' ("ignore" needs --ignore)' : ''),
      );
      ok = false;
      continue;
    }
    lut[from] = to;
  }
  return ok ? lut : undefined;
}

/** Parses "r,g,b", "#rrggbb" or [r, g, b] into 0xRRGGBB, or undefined. */
function parseColour(value: unknown): number | undefined {
  let rgb: unknown[] | undefined;
  if (Array.isArray(value)) rgb = value;
  else if (typeof value === 'string' && /^#[0-9a-f]{6}$/i.test(value)) {
    const n = Number.parseInt(value.slice(1), 16);
    return n;
  } else if (typeof value === 'string')
    rgb = value.split(',').map((s) => (/^\s*\d+\s*$/.test(s) ? Number(s) : Number.NaN));
  if (rgb === undefined || rgb.length !== 3) return undefined;
  if (!rgb.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 0 && c <= 255))
    return undefined;
  const [r, g, b] = rgb as number[];
  return (r << 16) | (g << 8) | b;
}

/**
 * --palette FILE.json for colour masks: either an array whose entry c is the colour of class
 * c (`[[128, 64, 128], [244, 35, 232], ...]`, Cityscapes' and CamVid's usual form), or an
 * object from colours ("128,64,128" or "#804080") to a class or "ignore". Returns the
 * colour -> class entries, or undefined after recording a problem (a bad entry, or one colour
 * given two classes).
 */
export function loadPalette(
  path: string,
  classes: number,
  ignore: number | null,
  problems: Problems,
): [number, number][] | undefined {
  const flag = '--palette';
  const json = readJson(path, flag, problems);
  if (json === undefined) return undefined;
  const entries: [unknown, unknown][] = Array.isArray(json)
    ? json.map((colour, c) => [colour, c])
    : json !== null && typeof json === 'object'
      ? Object.entries(json)
      : [];
  if (entries.length === 0) {
    problems.add(
      'options',
      `${flag} ${path}: must be a non-empty JSON array of [r, g, b] or object of colours`,
    );
    return undefined;
  }
  const map = new Map<number, number>();
  let ok = true;
  for (const [colourValue, classValue] of entries) {
    const colour = parseColour(colourValue);
    const c = targetClass(classValue, classes, ignore);
    const shown = JSON.stringify(colourValue);
    if (colour === undefined || c === undefined) {
      problems.add(
        'options',
        `${flag} ${path}: entry ${shown}: ${JSON.stringify(classValue)}; colours are [r, g, b], "r,g,b" or "#rrggbb" ` +
          `(0-255), classes 0-${classes - 1}${ignore === null ? '' : ` or "ignore"`}`,
      );
      ok = false;
    } else if (map.has(colour) && map.get(colour) !== c) {
      problems.add(
        'options',
        `${flag} ${path}: colour ${shown} is given classes ${map.get(colour)} and ${c}`,
      );
      ok = false;
    } else map.set(colour, c);
  }
  return ok ? [...map.entries()] : undefined;
}

/**
 * --class-names FILE: a JSON array of strings, or one name a line; exactly one per class.
 */
export function loadClassNames(
  path: string,
  classes: number,
  problems: Problems,
): string[] | undefined {
  const flag = '--class-names';
  const text = readText(path, flag, problems);
  if (text === undefined) return undefined;
  let names: unknown;
  try {
    names = JSON.parse(text);
  } catch {
    names = text
      .replace(/\r?\n$/, '')
      .split(/\r?\n/)
      .map((s) => s.trim());
  }
  if (!Array.isArray(names) || !names.every((s) => typeof s === 'string' && s !== '')) {
    problems.add('options', `${flag} ${path}: must be a JSON array of names or one name a line`);
    return undefined;
  }
  if (names.length !== classes) {
    problems.add('options', `${flag} ${path}: ${names.length} names for --classes ${classes}`);
    return undefined;
  }
  return names as string[];
}
