/**
 * Finding the masks of `lovasz eval` on disk and pairing predictions with ground truth.
 * @module
 */
import { type Dirent, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Problems } from './eval-problems.js';

/** A mask file: `key` pairs it with its counterpart (its relative path less the suffix). */
export interface MaskFile {
  key: string;
  /** Path relative to the directory searched, with '/' separators. */
  rel: string;
  path: string;
}

/** The masks of one directory. */
export interface Listing {
  files: MaskFile[];
  /** Sub-folders not searched (without --recursive). */
  subfolders: number;
  /** Files skipped because they do not end in the --pred-suffix / --gt-suffix given. */
  skipped: number;
}

/** How to search a directory. */
export interface ListOptions {
  recursive: boolean;
  /** The file-name ending that marks a mask, e.g. '_gtFine_labelIds.png'; null: '.png'. */
  suffix: string | null;
}

/**
 * The masks under `dir`, sorted by key. Without a suffix a mask is a '.png' file (any case)
 * and any other file is a problem; with one, files without it are skipped and counted (a
 * Cityscapes folder holds colour, instance and polygon files beside the label ids). Hidden
 * files and folders (a leading '.') are skipped; symbolic links are followed (datasets are
 * often assembled from links), each real folder once.
 */
export function listMasks(
  dir: string,
  flag: string,
  options: ListOptions,
  problems: Problems,
): Listing {
  const listing: Listing = { files: [], subfolders: 0, skipped: 0 };
  const seen = new Set<string>();
  const walk = (abs: string, rel: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
      seen.add(realpathSync(abs));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      problems.add(`unreadable ${flag} directories`, `${abs} (${code})`);
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(abs, entry.name);
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const kind = entryKind(entry, path);
      if (kind === 'dir') {
        if (!options.recursive) listing.subfolders++;
        else if (!seen.has(safeRealpath(path))) walk(path, relPath);
        continue;
      }
      if (kind !== 'file') continue;
      const key = maskKey(relPath, options.suffix);
      if (key !== null) listing.files.push({ key, rel: relPath, path });
      else if (options.suffix !== null) listing.skipped++;
      else problems.add(`files that are not .png in ${flag}`, path);
    }
  };
  walk(dir, '');
  listing.files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return listing;
}

/** The pairing key of a relative path, or null when it is not a mask. */
function maskKey(rel: string, suffix: string | null): string | null {
  if (suffix === null) return /\.png$/i.test(rel) ? rel.slice(0, -4) : null;
  return rel.endsWith(suffix) && rel.length > suffix.length ? rel.slice(0, -suffix.length) : null;
}

function entryKind(entry: Dirent, path: string): 'file' | 'dir' | 'other' {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'dir';
  if (!entry.isSymbolicLink()) return 'other';
  try {
    const s = statSync(path);
    return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'other';
  }
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
