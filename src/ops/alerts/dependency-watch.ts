// Storage / chain unreachable: fires when round trips to the dependency failed since the last check, resolves
// after a whole period in which it answered and nothing failed. A period without any round trip says nothing
// (an idle daemon whose etcd is still down must not look recovered), so the state is kept. Reads running totals
// kept by whoever observes the round trips (no call-path cost).
import type { AlertDispatcher } from './alert-dispatcher.ts';

/** Running totals per dependency. */
export interface DependencyTotals {
  readonly storage: number;
  readonly chain: number;
}

/** Settings of {@link watchDependencies}. */
export interface DependencyWatchOptions {
  /** Running failure totals per dependency. */
  readonly errors: () => DependencyTotals;
  /**
   * Running totals of round trips (failed ones included). Without it, a period without failures resolves the
   * alert even when nothing was tried.
   */
  readonly roundTrips?: () => DependencyTotals;
  /** Check period in ms. @default 30000 */
  readonly periodMs?: number;
}

/** Starts checking; returns the stop function. */
export function watchDependencies(alerts: AlertDispatcher, options: DependencyWatchOptions): () => void {
  const roundTrips = options.roundTrips;
  let last = { errors: { ...options.errors() }, trips: roundTrips === undefined ? undefined : { ...roundTrips() } };
  const timer = setInterval(() => {
    const current = { errors: { ...options.errors() }, trips: roundTrips === undefined ? undefined : { ...roundTrips() } };
    for (const dependency of ['storage', 'chain'] as const) {
      const failures = current.errors[dependency] - last.errors[dependency];
      const tried = current.trips === undefined || last.trips === undefined ? true : current.trips[dependency] - last.trips[dependency] > 0;
      if (failures === 0 && !tried) continue;
      const name = dependency === 'storage' ? 'Payment channel storage' : 'Blockchain RPC';
      alerts.report(
        dependency === 'storage' ? 'storage_unreachable' : 'chain_unreachable',
        '',
        failures > 0,
        failures > 0 ? `${name} unreachable: paid calls fail` : `${name} reachable again`,
        failures > 0 ? `${failures} request(s) to the ${dependency} failed since the last check` : `no ${dependency} failure in the last check period`,
      );
    }
    last = current;
  }, options.periodMs ?? 30_000);
  timer.unref();
  return () => clearInterval(timer);
}
