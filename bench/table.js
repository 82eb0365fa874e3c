// @ts-check
/** Markdown formatting of benchmark results (pure functions, no I/O). */

/** @param {number} ms */
export function formatMs(ms) {
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** @param {number} r */
export function formatRatio(r) {
  if (!Number.isFinite(r)) return '-';
  if (r >= 100) return `${r.toFixed(0)}x`;
  if (r >= 10) return `${r.toFixed(1)}x`;
  return `${r.toFixed(2)}x`;
}

/** @param {number} bytes */
export function formatBytes(bytes) {
  const sign = bytes < 0 ? '-' : '';
  const b = Math.abs(bytes);
  if (b >= 1024 ** 3) return `${sign}${(b / 1024 ** 3).toFixed(2)} GiB`;
  if (b >= 1024 ** 2) return `${sign}${(b / 1024 ** 2).toFixed(1)} MiB`;
  if (b >= 1024) return `${sign}${(b / 1024).toFixed(1)} KiB`;
  return `${sign}${b} B`;
}

/**
 * A markdown table; cells are escaped for '|' so a note cannot break the layout.
 * @param {string[]} header
 * @param {string[][]} rows
 * @param {('l' | 'r')[]} [align]
 */
export function markdownTable(header, rows, align = []) {
  const esc = (/** @type {string} */ s) => String(s).replaceAll('|', '\\|');
  const line = (/** @type {string[]} */ cells) => `| ${cells.map(esc).join(' | ')} |`;
  const rule = header.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [line(header), `|${rule.join('|')}|`, ...rows.map(line)].join('\n');
}
