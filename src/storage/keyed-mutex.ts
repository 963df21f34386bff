import { SnetError } from '../errors/index.ts';

/**
 * Serialises async work per key inside one process: at most one `run` holds a given key at a time,
 * the others queue in arrival order. Used in front of etcd so that concurrent CAS on one channel
 * from one daemon never race each other into etcd (measured: same-key CAS with naive
 * retries collapses to ~32/s, serialised it stays at the single-client rate).
 */
export interface KeyedMutex {
  /**
   * Runs `fn` while holding every key in `keys` (taken in sorted order, so multi-key callers cannot
   * deadlock). Rejects with REQUEST_CANCELLED, without running `fn`, if `signal` aborts while waiting.
   */
  run<T>(keys: readonly string[], fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /**
   * Takes one key for the caller, the allocation-free form of `run([key], …)` for hot paths: `undefined` when
   * the key was free and is now held, else a promise that resolves once it is held (or rejects with
   * REQUEST_CANCELLED, not holding it, if `signal` aborts while waiting). Every acquisition, immediate or
   * awaited, must be paired with exactly one {@link KeyedMutex.release} of the same key.
   */
  acquire(key: string, signal?: AbortSignal): Promise<void> | undefined;
  /** Hands `key` to its next waiter, or frees it. Only the holder may call it, once per acquisition. */
  release(key: string): void;
  /** Keys currently held or waited for (for tests and metrics). */
  readonly activeKeys: number;
}

interface Waiter {
  readonly grant: () => void;
}

/** Creates an empty {@link KeyedMutex}. */
export function createKeyedMutex(): KeyedMutex {
  // key → waiters behind the holder: absent = free; `null` = held, nobody waiting (the common case: no array
  // per acquisition); a queue = held, its entries wait in arrival order.
  const lanes = new Map<string, Waiter[] | null>();

  const release = (key: string): void => {
    const queue = lanes.get(key);
    if (queue === undefined) return;
    const next = queue === null ? undefined : queue.shift();
    if (next === undefined) lanes.delete(key);
    else {
      if (queue !== null && queue.length === 0) lanes.set(key, null);
      next.grant();
    }
  };

  const wait = (key: string, queue: Waiter[] | null, signal: AbortSignal | undefined): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      let lane = queue;
      if (lane === null) {
        lane = [];
        lanes.set(key, lane);
      }
      const onAbort = (): void => {
        const current = lanes.get(key);
        const index = current?.indexOf(waiter) ?? -1;
        // Only a waiter that does not hold the key yet is still queued; the holder finishes its work.
        if (current !== undefined && current !== null && index >= 0) {
          current.splice(index, 1);
          if (current.length === 0) lanes.set(key, null);
          reject(new SnetError('REQUEST_CANCELLED', 'storage call cancelled while queued behind another on the same key; nothing changed', { cause: signal?.reason }));
        }
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      lane.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  const acquire = (key: string, signal?: AbortSignal): Promise<void> | undefined => {
    const queue = lanes.get(key);
    if (queue === undefined) {
      lanes.set(key, null);
      return undefined;
    }
    if (signal?.aborted === true) {
      return Promise.reject(new SnetError('REQUEST_CANCELLED', 'storage call cancelled while queued behind another on the same key; nothing changed', { cause: signal.reason }));
    }
    return wait(key, queue, signal);
  };

  const cancelledBeforeSent = (signal: AbortSignal): SnetError =>
    new SnetError('REQUEST_CANCELLED', 'storage call cancelled before it was sent; nothing changed', { cause: signal.reason });

  /** One key: no sorting, no arrays, no async frame when the key is free. */
  const runOne = <T>(key: string, fn: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> => {
    const waiting = acquire(key, signal);
    if (waiting !== undefined) {
      return waiting.then(() => {
        if (signal?.aborted === true) {
          release(key);
          throw cancelledBeforeSent(signal);
        }
        return runHeld(key, fn);
      });
    }
    if (signal?.aborted === true) {
      release(key);
      return Promise.reject(cancelledBeforeSent(signal));
    }
    return runHeld(key, fn);
  };

  const runHeld = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    let result: Promise<T>;
    try {
      result = fn();
    } catch (error) {
      release(key);
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return result.then(
      (value) => {
        release(key);
        return value;
      },
      (error: unknown) => {
        release(key);
        throw error;
      },
    );
  };

  return {
    run<T>(keys: readonly string[], fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (keys.length === 1) return runOne(keys[0] as string, fn, signal);
      return runMany(keys, fn, signal);
    },
    acquire,
    release,
    get activeKeys() {
      return lanes.size;
    },
  };

  async function runMany<T>(keys: readonly string[], fn: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const held: string[] = [];
    try {
      for (const key of sorted) {
        const waiting = acquire(key, signal);
        if (waiting !== undefined) await waiting;
        held.push(key);
      }
      if (signal?.aborted === true) throw cancelledBeforeSent(signal);
      return await fn();
    } finally {
      for (const key of held) release(key);
    }
  }
}
