import { SnetError } from '../errors/index.ts';

/**
 * Serialises async work per key inside one process: at most one `run` holds a given key at a time,
 * the others queue in arrival order. Used in front of etcd so that concurrent CAS on one channel
 * from one daemon never race each other into etcd (research ecosystem.md §4: same-key CAS with naive
 * retries collapses to ~32/s, serialised it stays at the single-client rate).
 */
export interface KeyedMutex {
  /**
   * Runs `fn` while holding every key in `keys` (taken in sorted order, so multi-key callers cannot
   * deadlock). Rejects with REQUEST_CANCELLED, without running `fn`, if `signal` aborts while waiting.
   */
  run<T>(keys: readonly string[], fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Keys currently held or waited for (for tests and metrics). */
  readonly activeKeys: number;
}

interface Waiter {
  readonly grant: () => void;
}

/** Creates an empty {@link KeyedMutex}. */
export function createKeyedMutex(): KeyedMutex {
  // key → queue of waiters; the head of the queue holds the key. An absent entry = free.
  const lanes = new Map<string, Waiter[]>();

  const release = (key: string): void => {
    const queue = lanes.get(key);
    if (queue === undefined) return;
    queue.shift();
    const next = queue[0];
    if (next === undefined) lanes.delete(key);
    else next.grant();
  };

  const acquire = (key: string, signal: AbortSignal | undefined): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      let queue = lanes.get(key);
      if (queue === undefined) {
        queue = [];
        lanes.set(key, queue);
      }
      const onAbort = (): void => {
        const current = lanes.get(key);
        const index = current?.indexOf(waiter) ?? -1;
        // Only a waiter that does not hold the key yet can leave; the holder finishes its work.
        if (current !== undefined && index > 0) {
          current.splice(index, 1);
          reject(new SnetError('REQUEST_CANCELLED', 'storage call cancelled while queued behind another on the same key; nothing changed', { cause: signal?.reason }));
        }
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      queue.push(waiter);
      if (queue.length === 1) waiter.grant();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });

  return {
    async run<T>(keys: readonly string[], fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      const sorted = [...new Set(keys)].sort();
      const held: string[] = [];
      try {
        for (const key of sorted) {
          await acquire(key, signal);
          held.push(key);
        }
        if (signal?.aborted === true) {
          throw new SnetError('REQUEST_CANCELLED', 'storage call cancelled before it was sent; nothing changed', { cause: signal.reason });
        }
        return await fn();
      } finally {
        for (const key of held) release(key);
      }
    },
    get activeKeys() {
      return lanes.size;
    },
  };
}
