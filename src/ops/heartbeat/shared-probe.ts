// One probe for every asker (/heartbeat, health Check, the background monitor): a result is reused for at
// most `maxAgeMs` and concurrent askers share the probe in flight, so a burst of health checks makes one
// connection to the service, not one each.
import type { ServiceProbe, ServingStatus } from './service-probe.ts';

/** Settings of {@link createSharedProbe}. */
export interface SharedProbeOptions {
  /** How long a result is reused, in ms. @default 1000 */
  readonly maxAgeMs?: number;
  /** Told every fresh result (the monitor tracks state changes from it). */
  readonly onResult?: (status: ServingStatus) => void;
  readonly now?: () => number;
}

/** Wraps `probe` with result reuse and in-flight sharing. */
export function createSharedProbe(probe: ServiceProbe, options: SharedProbeOptions = {}): ServiceProbe {
  const maxAgeMs = options.maxAgeMs ?? 1000;
  const now = options.now ?? Date.now;
  let last: { status: ServingStatus; atMs: number } | undefined;
  let inFlight: Promise<ServingStatus> | undefined;
  return {
    check() {
      if (last !== undefined && now() - last.atMs < maxAgeMs) return Promise.resolve(last.status);
      inFlight ??= probe.check().then((status) => {
        last = { status, atMs: now() };
        inFlight = undefined;
        options.onResult?.(status);
        return status;
      });
      return inFlight;
    },
  };
}
