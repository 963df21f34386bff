import fs from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import {
  backupFileName,
  expandFilePattern,
  fileFamilyRegExp,
  isBackupName,
  nextPatternChangeMs,
} from './file-pattern.ts';

/** Options of {@link createRotatingFile}; see `LoggingOptions.output` for the meaning of each. */
export interface RotatingFileOptions {
  readonly filePattern: string;
  readonly currentLink: string;
  readonly maxSizeBytes: number;
  readonly maxAgeInDays: number;
  readonly rotationCount: number;
}

/** Dependencies of {@link createRotatingFile}. */
export interface RotatingFileDeps {
  /** Epoch milliseconds; the file name uses the host's local time. */
  readonly now: () => number;
  /** Called for failures after start-up (write, rotate, compress, clean-up); must not throw. */
  readonly onError: (what: string, error: unknown) => void;
}

/**
 * Events: `rotated` (path of the finished `.gz`) after a rotated file is compressed, `removed` (path)
 * after clean-up deletes one, `link` (target) after the current-link symlink is replaced.
 */
export interface RotatingFile extends EventEmitter {
  /** Appends `line` (already newline-terminated); never blocks, never throws. */
  write(line: string): void;
  /** Resolves when every line written so far is on disk and rotation work has finished. */
  flush(): Promise<void>;
  /** Flushes, waits for compression/clean-up, closes the file. */
  close(): Promise<void>;
  /** Path of the file being written. */
  readonly currentFile: string;
}

/** Lines kept in memory while the disk is slow; beyond it lines are dropped (and counted). */
const MAX_PENDING_BYTES = 16 * 1024 * 1024;
/** Largest single `fs.write` (bytes), so one stalled write does not pin a huge buffer. */
const MAX_CHUNK_BYTES = 1024 * 1024;

/**
 * Asynchronous appender on one file descriptor: lines are joined and written with one `fs.write`
 * in flight at a time (the sonic-boom idea), so logging costs a string push on the caller's path.
 */
class AsyncAppender {
  readonly #fd: number;
  readonly #onError: (error: unknown) => void;
  #pending: string[] = [];
  #pendingBytes = 0;
  #writing = false;
  #waiters: Array<() => void> = [];
  dropped = 0;

  constructor(fd: number, onError: (error: unknown) => void) {
    this.#fd = fd;
    this.#onError = onError;
  }

  write(line: string, bytes: number): void {
    if (this.#pendingBytes + bytes > MAX_PENDING_BYTES) {
      this.dropped++;
      return;
    }
    this.#pending.push(line);
    this.#pendingBytes += bytes;
    if (!this.#writing) this.#next();
  }

  #next(): void {
    if (this.#pending.length === 0) {
      this.#writing = false;
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w();
      return;
    }
    this.#writing = true;
    let take = 0;
    let size = 0;
    while (take < this.#pending.length && (take === 0 || size < MAX_CHUNK_BYTES)) {
      size += (this.#pending[take] ?? '').length;
      take++;
    }
    const chunk = Buffer.from(this.#pending.slice(0, take).join(''));
    this.#pending = this.#pending.slice(take);
    this.#writeAll(chunk, 0);
  }

  #writeAll(buf: Buffer, offset: number): void {
    fs.write(this.#fd, buf, offset, buf.length - offset, null, (err, written) => {
      if (err !== null) {
        this.#pendingBytes = Math.max(0, this.#pendingBytes - (buf.length - offset));
        this.#onError(err);
        this.#next();
        return;
      }
      if (offset + written < buf.length) {
        this.#writeAll(buf, offset + written);
        return;
      }
      this.#pendingBytes = Math.max(0, this.#pendingBytes - buf.length);
      this.#next();
    });
  }

  /** Resolves once nothing is pending or in flight. */
  idle(): Promise<void> {
    if (!this.#writing && this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.idle();
    await new Promise<void>((resolve) => fs.close(this.#fd, () => resolve()));
  }
}

function openAppend(file: string): { fd: number; size: number } {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a', 0o640);
  return { fd, size: fs.fstatSync(fd).size };
}

class RotatingFileImpl extends EventEmitter implements RotatingFile {
  readonly #options: RotatingFileOptions;
  readonly #deps: RotatingFileDeps;
  readonly #family: RegExp;
  #file: string;
  #appender: AsyncAppender;
  #size: number;
  #nextChangeMs: number;
  #maintenance: Promise<void> = Promise.resolve();
  #closed = false;
  #linkSeq = 0;
  /** Rotated files not compressed yet: clean-up must not delete them under the compressor. */
  readonly #pendingCompression = new Set<string>();

  /** Opens the current file synchronously so start-up fails loudly on a bad path or permission. */
  constructor(options: RotatingFileOptions, deps: RotatingFileDeps) {
    super();
    this.#options = options;
    this.#deps = deps;
    this.#family = fileFamilyRegExp(options.filePattern);
    const now = deps.now();
    this.#file = path.resolve(expandFilePattern(options.filePattern, now));
    const { fd, size } = openAppend(this.#file);
    this.#appender = new AsyncAppender(fd, (e) => deps.onError('write', e));
    this.#size = size;
    this.#nextChangeMs = nextPatternChangeMs(options.filePattern, now);
    this.#updateLink();
    // Backups left uncompressed by a crash are compressed, and old files cleaned up (lumberjack mill).
    // Listed now, before this instance renames anything, so its own backups are not picked up twice.
    const dir = path.dirname(this.#file);
    const leftovers = fs.readdirSync(dir).filter((name) => isBackupName(options.filePattern, name)).map((name) => path.join(dir, name));
    for (const file of leftovers) this.#pendingCompression.add(file);
    this.#schedule(async () => {
      for (const file of leftovers) await this.#compress(file);
      await this.#cleanup();
    });
  }

  get currentFile(): string {
    return this.#file;
  }

  write(line: string): void {
    if (this.#closed) return;
    const now = this.#deps.now();
    if (now >= this.#nextChangeMs) this.#rotateByTime(now);
    const bytes = Buffer.byteLength(line);
    if (this.#size > 0 && this.#size + bytes > this.#options.maxSizeBytes) this.#rotateBySize(now);
    this.#appender.write(line, bytes);
    this.#size += bytes;
  }

  #switchTo(file: string): AsyncAppender | undefined {
    let opened: { fd: number; size: number };
    try {
      opened = openAppend(file);
    } catch (e) {
      this.#deps.onError('open', e);
      return undefined;
    }
    const old = this.#appender;
    this.#appender = new AsyncAppender(opened.fd, (e) => this.#deps.onError('write', e));
    this.#file = file;
    this.#size = opened.size;
    this.#updateLink();
    return old;
  }

  /** The pattern's date changed (e.g. midnight for %Y%m%d): continue in the new file, gzip the old. */
  #rotateByTime(now: number): void {
    this.#nextChangeMs = nextPatternChangeMs(this.#options.filePattern, now);
    const next = path.resolve(expandFilePattern(this.#options.filePattern, now));
    if (next === this.#file) return;
    const previous = this.#file;
    const old = this.#switchTo(next);
    if (old !== undefined) this.#retire(old, previous);
  }

  /** lumberjack: rename the full file to `<stem>-<UTC time><ext>`, reopen, gzip the backup. */
  #rotateBySize(now: number): void {
    let backup = backupFileName(this.#file, now);
    for (let ms = now + 1; fs.existsSync(backup) || fs.existsSync(`${backup}.gz`); ms++) backup = backupFileName(this.#file, ms);
    try {
      // The open descriptor follows the rename, so lines still in flight land in the backup.
      fs.renameSync(this.#file, backup);
    } catch (e) {
      this.#deps.onError('rotate', e);
      this.#size = 0; // try again after another max_size_in_mb instead of on every line
      return;
    }
    const old = this.#switchTo(this.#file);
    if (old !== undefined) this.#retire(old, backup);
  }

  #retire(old: AsyncAppender, oldPath: string): void {
    this.#pendingCompression.add(oldPath);
    this.#schedule(async () => {
      await old.close();
      if (old.dropped > 0) this.#deps.onError('write', new Error(`${old.dropped} log lines dropped: disk too slow`));
      await this.#compress(oldPath);
      await this.#cleanup();
    });
  }

  #schedule(task: () => Promise<void>): void {
    this.#maintenance = this.#maintenance.then(task).catch((e: unknown) => this.#deps.onError('maintenance', e));
  }

  async #compress(file: string): Promise<void> {
    const gz = `${file}.gz`;
    const tmp = `${gz}.tmp`;
    try {
      await pipeline(fs.createReadStream(file), createGzip(), fs.createWriteStream(tmp, { mode: 0o640 }));
      await fs.promises.rename(tmp, gz);
      await fs.promises.unlink(file);
    } finally {
      this.#pendingCompression.delete(file);
    }
    this.emit('rotated', gz);
  }

  /** Deletes family files (other than the live one) beyond `rotationCount` or older than `maxAgeInDays`. */
  async #cleanup(): Promise<void> {
    const { rotationCount, maxAgeInDays } = this.#options;
    if (rotationCount <= 0 && maxAgeInDays <= 0) return;
    const dir = path.dirname(this.#file);
    const current = path.basename(this.#file);
    const files: Array<{ file: string; mtimeMs: number }> = [];
    for (const name of await fs.promises.readdir(dir)) {
      if (name === current || !this.#family.test(name)) continue;
      const file = path.join(dir, name);
      if (this.#pendingCompression.has(file)) continue;
      try {
        files.push({ file, mtimeMs: (await fs.promises.stat(file)).mtimeMs });
      } catch {
        // removed concurrently
      }
    }
    files.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.file < b.file ? 1 : -1));
    const oldestKept = this.#deps.now() - maxAgeInDays * 86_400_000;
    for (const [i, f] of files.entries()) {
      const tooMany = rotationCount > 0 && i >= rotationCount;
      const tooOld = maxAgeInDays > 0 && f.mtimeMs < oldestKept;
      if (!tooMany && !tooOld) continue;
      await fs.promises.rm(f.file, { force: true });
      this.emit('removed', f.file);
    }
  }

  /** Points `currentLink` at the live file: a new symlink renamed over the old one (atomic). */
  #updateLink(): void {
    const link = this.#options.currentLink;
    if (link === '') return;
    const linkPath = path.resolve(link);
    try {
      const st = fs.lstatSync(linkPath, { throwIfNoEntry: false });
      if (st !== undefined && !st.isSymbolicLink()) {
        this.#deps.onError('link', new Error(`${linkPath} exists and is not a symlink; left as it is`));
        return;
      }
      const target = path.relative(path.dirname(linkPath), this.#file);
      const tmp = `${linkPath}.tmp-${process.pid}-${++this.#linkSeq}`;
      fs.mkdirSync(path.dirname(linkPath), { recursive: true });
      fs.symlinkSync(target, tmp);
      fs.renameSync(tmp, linkPath);
      this.emit('link', target);
    } catch (e) {
      this.#deps.onError('link', e);
    }
  }

  async flush(): Promise<void> {
    await this.#appender.idle();
    await this.#maintenance;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#appender.close();
    if (this.#appender.dropped > 0) this.#deps.onError('write', new Error(`${this.#appender.dropped} log lines dropped: disk too slow`));
    await this.#maintenance;
  }
}

/**
 * Opens the log file named by `filePattern` (local time) for appending and rotates it: by size
 * (lumberjack naming, gzip), and by time when the pattern's expansion changes (the previous file is
 * gzipped). Keeps `currentLink` pointing at the live file and deletes old files by count and age.
 * Throws (start-up) when the file cannot be opened; later failures go to `deps.onError`.
 */
export function createRotatingFile(options: RotatingFileOptions, deps: RotatingFileDeps): RotatingFile {
  return new RotatingFileImpl(options, deps);
}
