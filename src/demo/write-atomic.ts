import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes a file so that readers see either its old state or the whole new content, never a
 * part: the content goes to a temporary file beside it, which is then renamed over it.
 * @example
 *   writeFileAtomic('out/results.json', JSON.stringify(results));
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
