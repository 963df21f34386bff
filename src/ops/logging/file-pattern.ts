import path from 'node:path';

/**
 * `log.output.file_pattern` handling (Go `logger/logger.go`): strftime-like placeholders `%Y %m %d %H %M %S`,
 * expanded with the host's local time, and the lumberjack naming of rotated (backup) files.
 */

const PLACEHOLDER = /%(.)/g;
const ALLOWED = new Set(['Y', 'm', 'd', 'H', 'M', 'S']);

/** Problems with `pattern` (empty list when valid), worded like the reference errors. */
export function validateFilePattern(pattern: string): string[] {
  const problems: string[] = [];
  if (pattern.trim() === '') problems.push('log.output.file_pattern is empty');
  for (const m of pattern.matchAll(PLACEHOLDER)) {
    const c = m[1] ?? '';
    if (!ALLOWED.has(c)) problems.push(`invalid placeholder found in pattern: %${c}`);
  }
  if (pattern.endsWith('%')) problems.push('invalid placeholder found in pattern: %');
  if (pattern.endsWith('/') || pattern.endsWith(path.sep)) problems.push('log.output.file_pattern names a directory, not a file');
  return problems;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `pattern` with its placeholders replaced by the local-time fields of `epochMs`. */
export function expandFilePattern(pattern: string, epochMs: number): string {
  const d = new Date(epochMs);
  return pattern.replace(PLACEHOLDER, (whole, c: string) => {
    switch (c) {
      case 'Y': return String(d.getFullYear()).padStart(4, '0');
      case 'm': return pad2(d.getMonth() + 1);
      case 'd': return pad2(d.getDate());
      case 'H': return pad2(d.getHours());
      case 'M': return pad2(d.getMinutes());
      case 'S': return pad2(d.getSeconds());
      default: return whole;
    }
  });
}

/**
 * The first instant after `epochMs` at which the expansion of `pattern` can change (next local
 * second, minute, hour, midnight, month or year, by the finest placeholder); `Infinity` when the
 * pattern has none. Used to rotate by time without expanding the pattern on every line.
 */
export function nextPatternChangeMs(pattern: string, epochMs: number): number {
  const d = new Date(epochMs);
  const has = (c: string): boolean => pattern.includes(`%${c}`);
  if (has('S')) return Math.floor(epochMs / 1000) * 1000 + 1000;
  if (has('M')) return new Date(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes() + 1).getTime();
  if (has('H')) return new Date(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours() + 1).getTime();
  if (has('d')) return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
  if (has('m')) return new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
  if (has('Y')) return new Date(d.getFullYear() + 1, 0, 1).getTime();
  return Number.POSITIVE_INFINITY;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function splitExt(base: string): { stem: string; ext: string } {
  const ext = path.extname(base);
  return { stem: base.slice(0, base.length - ext.length), ext };
}

/** lumberjack's backup timestamp: UTC `2006-01-02T15-04-05.000`. */
function backupStamp(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 23).replace(/:/g, '-');
}

/**
 * The name a size-rotated file gets, as lumberjack does: `<stem>-<UTC time><ext>`, e.g.
 * `snet-daemon.20261124-2026-11-24T10-11-12.123.log` (gzip adds `.gz`).
 */
export function backupFileName(currentFile: string, epochMs: number): string {
  const { stem, ext } = splitExt(path.basename(currentFile));
  return path.join(path.dirname(currentFile), `${stem}-${backupStamp(epochMs)}${ext}`);
}

/**
 * Matches the base names of every file this pattern produces: live files for any date, lumberjack
 * backups and their `.gz` forms. Placeholders in the directory part are not supported for cleanup:
 * only the directory of the current file is scanned.
 */
export function fileFamilyRegExp(pattern: string): RegExp {
  const { stem, ext } = splitExt(path.basename(pattern));
  const toRe = (s: string): string =>
    escapeRegExp(s).replace(/%Y/g, '\\d{4}').replace(/%[mdHMS]/g, '\\d{2}');
  return new RegExp(`^${toRe(stem)}(?:-\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.\\d{3})?${toRe(ext)}(?:\\.gz)?$`);
}

/** True for a lumberjack-style backup name (has the timestamp suffix). */
export function isBackupName(pattern: string, baseName: string): boolean {
  const { stem, ext } = splitExt(path.basename(pattern));
  const toRe = (s: string): string =>
    escapeRegExp(s).replace(/%Y/g, '\\d{4}').replace(/%[mdHMS]/g, '\\d{2}');
  return new RegExp(`^${toRe(stem)}-\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.\\d{3}${toRe(ext)}$`).test(baseName);
}
