import type { LogEntry, LogHook } from './log-hook.ts';

/** Delivery limits of a queued hook; settings keys `max_queue`, `max_per_minute`, `close_timeout_ms` override them. */
export interface HookQueueLimits {
  /** Entries waiting at most; further entries are dropped and counted. @default 100 */
  readonly maxQueue: number;
  /** Deliveries per minute at most (token bucket, burst of up to 10). @default 20 */
  readonly maxPerMinute: number;
  /** How long `close()` waits for queued entries before abandoning them. @default 5000 */
  readonly closeTimeoutMs: number;
}

/** Defaults of {@link HookQueueLimits}. */
export const DEFAULT_HOOK_QUEUE_LIMITS: HookQueueLimits = { maxQueue: 100, maxPerMinute: 20, closeTimeoutMs: 5000 };

/** Parameters of {@link createQueuedHook}. */
export interface QueuedHookParams {
  readonly name: string;
  readonly levels: ReadonlySet<string>;
  /** Delivers one entry; rejects on failure. Called one at a time. */
  readonly send: (entry: LogEntry) => Promise<void>;
  /** Frees the transport after the queue is done. */
  readonly dispose?: () => Promise<void>;
  readonly limits?: Partial<HookQueueLimits>;
  readonly report: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Wraps a `send` function into a non-blocking {@link LogHook}: entries go into a bounded queue that
 * one worker drains at most `maxPerMinute` times a minute, so a stalled SMTP or HTTP endpoint never
 * blocks logging (docs/operations.md). Drops (queue full) and delivery failures are reported once each,
 * then only counted; `close()` reports the totals.
 */
export function createQueuedHook(params: QueuedHookParams): LogHook {
  const limits = { ...DEFAULT_HOOK_QUEUE_LIMITS, ...params.limits };
  const burst = Math.max(1, Math.min(10, limits.maxPerMinute));
  const refillPerMs = limits.maxPerMinute / 60_000;
  const queue: LogEntry[] = [];
  let tokens = burst;
  let lastRefill = Date.now();
  let running = false;
  let closed = false;
  let dropped = 0;
  let failed = 0;
  let idleWaiters: Array<() => void> = [];
  let wakeTimer: NodeJS.Timeout | undefined;

  const settleIdle = (): void => {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  const takeToken = (): number => {
    const now = Date.now();
    tokens = Math.min(burst, tokens + (now - lastRefill) * refillPerMs);
    lastRefill = now;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - tokens) / refillPerMs);
  };

  const run = async (): Promise<void> => {
    running = true;
    while (queue.length > 0) {
      const waitMs = takeToken();
      if (waitMs > 0) {
        // Rate limited: wake up when a token is due (timer unref'd: it must not keep the process alive).
        wakeTimer = setTimeout(() => {
          wakeTimer = undefined;
          void run();
        }, waitMs);
        wakeTimer.unref();
        running = false;
        return;
      }
      const entry = queue.shift();
      if (entry === undefined) break;
      try {
        await params.send(entry);
      } catch (e) {
        failed++;
        if (failed === 1) {
          params.report(`log hook "${params.name}" could not deliver an entry; further failures are only counted`, {
            hook: params.name,
            error: e instanceof Error ? e.message : String(e),
          });
        }
      }
    }
    running = false;
    settleIdle();
  };

  return {
    name: params.name,
    levels: params.levels,
    handle(entry) {
      if (closed) return;
      if (queue.length >= limits.maxQueue) {
        dropped++;
        if (dropped === 1) {
          params.report(`log hook "${params.name}" queue is full (${limits.maxQueue}); entries are dropped and counted`, { hook: params.name });
        }
        return;
      }
      queue.push(entry);
      if (!running && wakeTimer === undefined) void run();
    },
    flush() {
      if (!running && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      if (closed) return;
      closed = true;
      if (running || queue.length > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => idleWaiters.push(resolve)),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, limits.closeTimeoutMs);
            timer.unref();
          }),
        ]);
        if (timer !== undefined) clearTimeout(timer);
      }
      if (wakeTimer !== undefined) clearTimeout(wakeTimer);
      dropped += queue.length;
      queue.length = 0;
      settleIdle();
      if (dropped > 0 || failed > 1) {
        params.report(`log hook "${params.name}" closed`, { hook: params.name, dropped, failed });
      }
      await params.dispose?.();
    },
  };
}

/** Reads `max_queue`, `max_per_minute`, `close_timeout_ms` from a hook section (positive numbers only). */
export function queueLimitsFromSettings(settings: Readonly<Record<string, unknown>>): Partial<HookQueueLimits> {
  const out: { maxQueue?: number; maxPerMinute?: number; closeTimeoutMs?: number } = {};
  const q = Number(settings.max_queue);
  const r = Number(settings.max_per_minute);
  const c = Number(settings.close_timeout_ms);
  if (Number.isFinite(q) && q > 0) out.maxQueue = Math.floor(q);
  if (Number.isFinite(r) && r > 0) out.maxPerMinute = r;
  if (Number.isFinite(c) && c > 0) out.closeTimeoutMs = c;
  return out;
}
