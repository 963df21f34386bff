import { SnetError } from '../../errors/index.ts';
import { cancelledCallError } from '../service-request.ts';

/** A cap on work running at once, with a bounded queue of callers waiting for a slot. */
export interface Slots {
  /**
   * Resolves with the slot's release function once a slot is free (at once when one is). Rejects with
   * UPSTREAM_BUSY when every slot is taken and the queue is full, and with the call's reason when `signal`
   * aborts while waiting (the waiter leaves the queue).
   */
  acquire(signal: AbortSignal): Promise<() => void>;
  /** Slots taken now and callers waiting, for tests and metrics. */
  stats(): { readonly running: number; readonly queued: number };
}

interface Waiter {
  readonly grant: (release: () => void) => void;
}

/** {@link Slots} with `max` slots and at most `maxQueued` waiters, served first come, first served. */
export function createSlots(max: number, maxQueued: number, what: string): Slots {
  let running = 0;
  const queue: Waiter[] = [];
  const release = (): void => {
    const next = queue.shift();
    if (next === undefined) running--;
    else next.grant(once());
  };
  const once = (): (() => void) => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
    };
  };
  return {
    acquire(signal) {
      if (signal.aborted) return Promise.reject(cancelledCallError(signal.reason));
      if (running < max) {
        running++;
        return Promise.resolve(once());
      }
      if (queue.length >= maxQueued) {
        return Promise.reject(
          new SnetError('UPSTREAM_BUSY', `all ${max} ${what} slots are busy and ${maxQueued} calls are already waiting`, {
            hint: 'Retry later; the operator can raise process_max_running / process_max_queued.',
          }),
        );
      }
      return new Promise((resolve, reject) => {
        const onAbort = (): void => {
          const index = queue.indexOf(waiter);
          if (index !== -1) queue.splice(index, 1);
          reject(cancelledCallError(signal.reason));
        };
        const waiter: Waiter = {
          grant: (releaseSlot) => {
            signal.removeEventListener('abort', onAbort);
            resolve(releaseSlot);
          },
        };
        queue.push(waiter);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    stats: () => ({ running, queued: queue.length }),
  };
}
