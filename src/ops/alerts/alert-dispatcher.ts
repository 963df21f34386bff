// One alert per state change, rate-limited, never blocking anyone: callers report states as often as they
// like; only a change is sent, each channel delivers from its own bounded queue, failures are logged.
import type { Logger } from '../../shared/index.ts';
import type { AlertChannel, AlertEvent, AlertKind } from './alert-event.ts';

/** Settings of {@link createAlertDispatcher}. */
export interface AlertDispatcherOptions {
  readonly channels: readonly AlertChannel[];
  /**
   * Per alert, at most two messages (a problem and its recovery) within this window; a state reached while
   * the window is full is sent when it frees, if it still differs from the last one sent (flapping). In ms.
   */
  readonly minIntervalMs: number;
  readonly logger: Logger;
  /** Messages waiting per channel at most; older ones are dropped (and logged) beyond it. @default 50 */
  readonly maxQueue?: number;
  readonly now?: () => number;
}

/** Takes alert states. */
export interface AlertDispatcher {
  /** Reports the current state of one alert; sends only when it changed. Never throws, never waits. */
  report(kind: AlertKind, subject: string, firing: boolean, message: string, details: string): void;
  /** Resolves when every queued message was delivered or failed (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

interface AlertState {
  /** State last sent (false = resolved, also the initial state: a healthy start sends nothing). */
  sent: boolean;
  /** Latest reported state and its texts. */
  latest: { firing: boolean; message: string; details: string };
  sentAtMs: number[];
  timer: NodeJS.Timeout | undefined;
}

/** Creates the dispatcher over `channels` (none: states are still tracked and logged). */
export function createAlertDispatcher(options: AlertDispatcherOptions): AlertDispatcher {
  const now = options.now ?? Date.now;
  const maxQueue = options.maxQueue ?? 50;
  const states = new Map<string, AlertState>();
  const queues = options.channels.map((channel) => ({ channel, pending: [] as AlertEvent[], running: undefined as Promise<void> | undefined }));
  let closed = false;

  const drain = (queue: (typeof queues)[number]): void => {
    if (queue.running !== undefined) return;
    queue.running = (async () => {
      for (let event = queue.pending.shift(); event !== undefined; event = queue.pending.shift()) {
        try {
          await queue.channel.send(event);
          options.logger.info({ channel: queue.channel.name, alert: event.kind, subject: event.subject, firing: event.firing }, 'alert sent');
        } catch (error) {
          options.logger.warn({ channel: queue.channel.name, alert: event.kind, subject: event.subject, err: error }, 'alert delivery failed');
        }
      }
      queue.running = undefined;
    })();
  };

  const send = (kind: AlertKind, subject: string, state: AlertState): void => {
    const at = now();
    state.sent = state.latest.firing;
    state.sentAtMs.push(at);
    const event: AlertEvent = { kind, subject, firing: state.latest.firing, message: state.latest.message, details: state.latest.details, atMs: at };
    options.logger[event.firing ? 'warn' : 'info']({ alert: kind, subject, firing: event.firing, details: event.details }, event.message);
    for (const queue of queues) {
      if (queue.pending.length >= maxQueue) {
        const dropped = queue.pending.shift();
        options.logger.warn({ channel: queue.channel.name, alert: dropped?.kind }, 'alert queue full; dropped the oldest alert');
      }
      queue.pending.push(event);
      drain(queue);
    }
  };

  const consider = (kind: AlertKind, subject: string, state: AlertState): void => {
    if (closed || state.latest.firing === state.sent || state.timer !== undefined) return;
    const at = now();
    state.sentAtMs = state.sentAtMs.filter((t) => at - t < options.minIntervalMs);
    if (state.sentAtMs.length < 2) {
      send(kind, subject, state);
      return;
    }
    const waitMs = (state.sentAtMs[0] as number) + options.minIntervalMs - at;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      consider(kind, subject, state);
    }, waitMs);
    state.timer.unref();
  };

  return {
    report(kind, subject, firing, message, details) {
      const key = `${kind}\u0000${subject}`;
      let state = states.get(key);
      if (state === undefined) {
        state = { sent: false, latest: { firing, message, details }, sentAtMs: [], timer: undefined };
        states.set(key, state);
      }
      state.latest = { firing, message, details };
      consider(kind, subject, state);
    },
    async idle() {
      for (;;) {
        const running = queues.flatMap((queue) => (queue.running === undefined ? [] : [queue.running]));
        if (running.length === 0) return;
        await Promise.all(running);
      }
    },
    async close() {
      closed = true;
      for (const state of states.values()) if (state.timer !== undefined) clearTimeout(state.timer);
      await this.idle();
      for (const queue of queues) await queue.channel.close?.().catch(() => undefined);
    },
  };
}
