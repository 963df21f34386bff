import { SnetError } from '../errors/index.ts';
import { maxKeyBytes, maxTransactionOperations } from './atomic-store.ts';
import type { StoreCallOptions, StoreCondition, StoreOperation } from './atomic-store.ts';

/** Throws STORAGE_INVALID_ARGUMENT unless `key` is a non-empty string of at most {@link maxKeyBytes} UTF-8 bytes. */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new SnetError('STORAGE_INVALID_ARGUMENT', 'storage key must be a non-empty string');
  }
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > maxKeyBytes) {
    throw new SnetError('STORAGE_INVALID_ARGUMENT', `storage key is ${bytes} bytes long; the limit is ${maxKeyBytes}`, {
      details: { keyStart: key.slice(0, 80) },
    });
  }
}

/** Throws STORAGE_INVALID_ARGUMENT unless `value` is a `Uint8Array`. */
export function assertValidValue(value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new SnetError('STORAGE_INVALID_ARGUMENT', 'storage values must be Uint8Array bytes');
  }
}

/**
 * Checks a transaction's shape the same way for every backend (etcd rejects duplicate keys among the
 * operations and more than `--max-txn-ops`, so the local stores do too).
 */
export function assertValidTransaction(conditions: readonly StoreCondition[], operations: readonly StoreOperation[]): void {
  if (operations.length > maxTransactionOperations || conditions.length > maxTransactionOperations) {
    throw new SnetError(
      'STORAGE_INVALID_ARGUMENT',
      `a transaction holds at most ${maxTransactionOperations} conditions and ${maxTransactionOperations} operations`,
    );
  }
  for (const condition of conditions) {
    assertValidKey(condition.key);
    if (condition.kind === 'equals') assertValidValue(condition.value);
    if (condition.kind === 'version' && (typeof condition.version !== 'bigint' || condition.version <= 0n)) {
      // etcd compares a missing key's mod_revision as 0, so version 0 would match "absent" there.
      throw new SnetError('STORAGE_INVALID_ARGUMENT', 'a version condition needs a positive bigint version');
    }
  }
  const seen = new Set<string>();
  for (const operation of operations) {
    assertValidKey(operation.key);
    if (operation.kind === 'put') assertValidValue(operation.value);
    if (seen.has(operation.key)) {
      throw new SnetError('STORAGE_INVALID_ARGUMENT', 'a transaction may touch each key only once', {
        details: { key: operation.key },
      });
    }
    seen.add(operation.key);
  }
}

/** Throws STORAGE_INVALID_ARGUMENT unless `ttlMs` is a whole number of milliseconds in 1 ms … 1 day. */
export function assertValidTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > 86_400_000) {
    throw new SnetError('STORAGE_INVALID_ARGUMENT', `lock TTL must be a whole number of milliseconds in 1..86400000, got ${String(ttlMs)}`);
  }
}

/** Throws REQUEST_CANCELLED (nothing was sent) when the call's signal has aborted. */
export function throwIfAborted(options: StoreCallOptions | undefined, operation: string): void {
  const signal = options?.signal;
  if (signal?.aborted === true) {
    throw new SnetError('REQUEST_CANCELLED', `storage ${operation} was cancelled before it was sent; nothing changed`, {
      cause: signal.reason,
    });
  }
}

/** Throws STORAGE_CLOSED when the store was closed. */
export function assertOpen(closed: boolean, operation: string): void {
  if (closed) throw new SnetError('STORAGE_CLOSED', `storage ${operation} called after the store was closed`);
}
