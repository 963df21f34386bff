// The background heartbeat (ours; the reference probes only when asked): probes the service every
// `intervalMs` so that the service_up metric and the down/up alerts follow the service even when nobody
// asks /heartbeat. One `onChange` per state change, never per probe.
import type { Logger } from '../../shared/index.ts';
import type { ServiceProbe, ServingStatus } from './service-probe.ts';

/** Settings of {@link createHeartbeatMonitor}. */
export interface HeartbeatMonitorOptions {
  /** Probe period in ms; 0 = no background probing (state still follows probes others make). */
  readonly intervalMs: number;
  readonly logger: Logger;
}

/** Tracks the service state. */
export interface HeartbeatMonitor {
  /** Feed a probe result (the shared probe's `onResult`). */
  observe(status: ServingStatus): void;
  /** The last known state; `undefined` before the first probe. */
  readonly state: ServingStatus | undefined;
  /** Registers a state-change listener: `previous` is undefined for the first result. */
  onChange(listener: (status: ServingStatus, previous: ServingStatus | undefined) => void): void;
  /** Starts the periodic probe (a first probe at once). */
  start(probe: ServiceProbe): void;
  stop(): void;
}

/** Builds the monitor; call `start` once the probe exists. */
export function createHeartbeatMonitor(options: HeartbeatMonitorOptions): HeartbeatMonitor {
  const listeners: Array<(status: ServingStatus, previous: ServingStatus | undefined) => void> = [];
  let state: ServingStatus | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const monitor: HeartbeatMonitor = {
    get state() {
      return state;
    },
    observe(status) {
      if (status === state) return;
      const previous = state;
      state = status;
      if (previous !== undefined || status === 'NOT_SERVING') options.logger[status === 'SERVING' ? 'info' : 'warn']({ status, previous: previous ?? null }, 'service heartbeat changed');
      for (const listener of listeners) {
        try {
          listener(status, previous);
        } catch (error) {
          options.logger.error({ err: error }, 'heartbeat listener failed');
        }
      }
    },
    onChange(listener) {
      listeners.push(listener);
    },
    start(probe) {
      if (options.intervalMs <= 0) return;
      const tick = (): void => {
        if (stopped) return;
        // The probe never throws; its result reaches observe() through the shared probe's onResult.
        void probe.check().finally(() => {
          if (stopped) return;
          timer = setTimeout(tick, options.intervalMs);
          timer.unref();
        });
      };
      tick();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
  return monitor;
}
