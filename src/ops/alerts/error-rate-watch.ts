// The error-rate alert: the share of calls failing on the server side (daemon or service) over a sliding
// window, from the running totals the call metrics keep (sampled, so nothing is added to the call path).
import type { AlertDispatcher } from './alert-dispatcher.ts';

/** Settings of {@link watchErrorRate}. */
export interface ErrorRateWatchOptions {
  readonly totals: () => { readonly calls: number; readonly serverErrors: number };
  /** Fraction 0..1 above which the alert fires; 0 = off. */
  readonly threshold: number;
  readonly windowMs: number;
  /** Fewer calls in the window never fire. */
  readonly minCalls: number;
  /** How often totals are sampled. @default windowMs / 10 */
  readonly sampleEveryMs?: number;
}

/** Starts sampling; returns the stop function. */
export function watchErrorRate(alerts: AlertDispatcher, options: ErrorRateWatchOptions): () => void {
  if (options.threshold <= 0 || options.windowMs <= 0) return () => undefined;
  const everyMs = options.sampleEveryMs ?? Math.max(100, Math.floor(options.windowMs / 10));
  const slots = Math.max(1, Math.round(options.windowMs / everyMs));
  const samples: Array<{ calls: number; serverErrors: number }> = [{ ...options.totals() }];
  const timer = setInterval(() => {
    const current = { ...options.totals() };
    samples.push(current);
    if (samples.length > slots + 1) samples.shift();
    const oldest = samples[0] as { calls: number; serverErrors: number };
    const calls = current.calls - oldest.calls;
    const errors = current.serverErrors - oldest.serverErrors;
    const ratio = calls === 0 ? 0 : errors / calls;
    const firing = calls >= options.minCalls && ratio > options.threshold;
    alerts.report(
      'error_rate',
      '',
      firing,
      firing ? `Error rate ${(ratio * 100).toFixed(1)} % is above ${(options.threshold * 100).toFixed(1)} %` : 'Error rate is back below the threshold',
      `${errors} of ${calls} calls failed on the server side (UNKNOWN, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE, DATA_LOSS) in the last ${Math.round(options.windowMs / 1000)} s`,
    );
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
