import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { SnetError } from '../errors/index.ts';
import { bytesEqual } from './bytes.ts';
import { assertValidKey } from './store-validation.ts';
import type { AtomicStore, StoreCallOptions } from './atomic-store.ts';

/** Value of the `format` field of the header line of an export. */
export const storeExportFormat = 'snetd-ts-store-export';
/** Version of the JSON-lines export layout written by {@link exportStore}. */
export const storeExportVersion = 1;

/** Result of {@link exportStore}. */
export interface ExportStoreResult {
  /** Records written (after the header line). */
  readonly exported: number;
  /** Lock keys left out: locks are ephemeral and must not outlive their holder in another store. */
  readonly skippedLocks: number;
}

/**
 * Writes every non-lock key under `prefix` to `writable` as JSON lines (the migration path between
 * backends, `snetd storage export`): first a header
 * `{"format":"snetd-ts-store-export","version":1,"prefix":…,"keys":N,"exportedAt":…}`, then one
 * `{"key":…,"value":<base64>}` per key, sorted by key, read from one snapshot. Keys are full keys of `store`.
 */
export async function exportStore(
  store: AtomicStore,
  prefix: string,
  writable: Writable,
  options: StoreCallOptions = {},
): Promise<ExportStoreResult> {
  const entries = await store.getByPrefix(prefix, options);
  const records = entries.filter((entry) => !entry.leased);
  const write = async (line: string): Promise<void> => {
    if (!writable.write(`${line}\n`)) await once(writable, 'drain');
  };
  await write(
    JSON.stringify({
      format: storeExportFormat,
      version: storeExportVersion,
      prefix,
      keys: records.length,
      exportedAt: new Date().toISOString(),
    }),
  );
  for (const entry of records) {
    await write(JSON.stringify({ key: entry.key, value: Buffer.from(entry.value).toString('base64') }));
  }
  return { exported: records.length, skippedLocks: entries.length - records.length };
}

/** Options of {@link importStore}. */
export interface ImportStoreOptions extends StoreCallOptions {
  /** Overwrite keys that exist with a different value. @default false */
  readonly force?: boolean;
}

/** Result of {@link importStore}. */
export interface ImportStoreResult {
  /** Keys that were absent and are now written. */
  readonly imported: number;
  /** Keys that already held exactly the imported value. */
  readonly unchanged: number;
  /** Keys that held a different value and were overwritten (`force` only). */
  readonly overwritten: readonly string[];
}

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

function corrupt(line: number, why: string): SnetError {
  return new SnetError('STORAGE_CORRUPT', `import line ${line}: ${why}`, {
    hint: 'Import only files written by `snetd storage export` (JSON lines with a header line), unmodified.',
    details: { line },
  });
}

function parseLine(raw: string, line: number): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw corrupt(line, 'not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw corrupt(line, 'not a JSON object');
  return parsed as Record<string, unknown>;
}

/**
 * Reads an export written by {@link exportStore} and writes its keys into `store`
 * (`snetd storage import`). The whole file is validated first (header, format version, base64,
 * duplicate keys, record count against the header, so a truncated file is refused). Then, unless
 * `force`, any key that exists with a different value makes the import fail with STORAGE_CONFLICT
 * listing them, before anything is written. Re-importing the same file is a no-op.
 */
export async function importStore(
  store: AtomicStore,
  readable: Readable,
  options: ImportStoreOptions = {},
): Promise<ImportStoreResult> {
  const records = new Map<string, Uint8Array>();
  let header: Record<string, unknown> | undefined;
  let lineNumber = 0;
  for await (const raw of createInterface({ input: readable, crlfDelay: Infinity })) {
    lineNumber++;
    if (raw.trim() === '') continue;
    const object = parseLine(raw, lineNumber);
    if (header === undefined) {
      if (object['format'] !== storeExportFormat) throw corrupt(lineNumber, `the header line must have "format":"${storeExportFormat}"`);
      if (object['version'] !== storeExportVersion) {
        throw corrupt(lineNumber, `unsupported export version ${JSON.stringify(object['version'])}; this daemon reads version ${storeExportVersion}`);
      }
      header = object;
      continue;
    }
    const key = object['key'];
    const value = object['value'];
    if (typeof key !== 'string' || typeof value !== 'string') throw corrupt(lineNumber, 'a record needs string "key" and "value"');
    try {
      assertValidKey(key);
    } catch (error) {
      throw corrupt(lineNumber, error instanceof Error ? error.message : 'invalid key');
    }
    if (value.length % 4 !== 0 || !base64Pattern.test(value)) throw corrupt(lineNumber, `the value of "${key}" is not base64`);
    if (records.has(key)) throw corrupt(lineNumber, `key "${key}" appears twice`);
    records.set(key, new Uint8Array(Buffer.from(value, 'base64')));
  }
  if (header === undefined) throw corrupt(lineNumber, 'the file is empty (no header line)');
  if (typeof header['keys'] === 'number' && header['keys'] !== records.size) {
    throw corrupt(lineNumber, `the header announces ${header['keys']} keys but the file holds ${records.size} (truncated?)`);
  }

  const toWrite: Array<[string, Uint8Array]> = [];
  const conflicts: string[] = [];
  let unchanged = 0;
  for (const [key, value] of records) {
    const current = await store.get(key, options);
    if (current === undefined) toWrite.push([key, value]);
    else if (bytesEqual(current, value)) unchanged++;
    else conflicts.push(key);
  }
  if (conflicts.length > 0 && options.force !== true) {
    throw new SnetError(
      'STORAGE_CONFLICT',
      `import refused: ${conflicts.length} key(s) already hold different values, e.g. ${conflicts.slice(0, 5).join(', ')}; nothing was written`,
      { hint: 'Re-run with --force to overwrite them, or import into an empty store.', details: { conflicts: conflicts.slice(0, 100) } },
    );
  }
  let imported = 0;
  const overwritten: string[] = [];
  for (const [key, value] of toWrite) {
    if (await store.putIfAbsent(key, value, options)) {
      imported++;
    } else if (options.force === true) {
      await store.put(key, value, options);
      overwritten.push(key);
    } else {
      throw new SnetError('STORAGE_CONFLICT', `import stopped: key ${key} was written by someone else during the import`, {
        hint: 'Stop the daemons that use this store while importing, then re-run the import (already imported keys are skipped).',
        details: { key, imported },
      });
    }
  }
  for (const key of conflicts) {
    const value = records.get(key);
    if (value === undefined) continue;
    await store.put(key, value, options);
    overwritten.push(key);
  }
  return { imported, unchanged, overwritten };
}
