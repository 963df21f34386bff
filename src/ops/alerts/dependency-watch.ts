// Storage / chain unreachable: fires when calls met a storage or chain failure since the last check, resolves
// after a whole period with none. Reads the dependency error counters of the metrics (no call-path cost).
import type { AlertDispatcher } from './alert-dispatcher.ts';

/** Settings of {@link watchDependencies}. */
export interface DependencyWatchOptions {
  /** Running failure totals per dependency. */
  readonly errors: () => { readonly storage: number; readonly chain: number };
  /** Check period in ms. @default 30000 */
  readonly periodMs?: number;
}

/** Starts checking; returns the stop function. */
export function watchDependencies(alerts: AlertDispatcher, options: DependencyWatchOptions): () => void {
  let last = { ...options.errors() };
  const timer = setInterval(() => {
    const current = { ...options.errors() };
    for (const dependency of ['storage', 'chain'] as const) {
      const failures = current[dependency] - last[dependency];
      const name = dependency === 'storage' ? 'Payment channel storage' : 'Blockchain RPC';
      alerts.report(
        dependency === 'storage' ? 'storage_unreachable' : 'chain_unreachable',
        '',
        failures > 0,
        failures > 0 ? `${name} unreachable: paid calls fail` : `${name} reachable again`,
        failures > 0 ? `${failures} call(s) failed on the ${dependency} since the last check` : `no ${dependency} failure in the last check period`,
      );
    }
    last = current;
  }, options.periodMs ?? 30_000);
  timer.unref();
  return () => clearInterval(timer);
}
