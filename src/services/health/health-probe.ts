import type { Upstream } from '../../upstream/index.ts';

/** Serving state as `grpc.health.v1.HealthCheckResponse.ServingStatus` names it. */
export type HealthStatus = 'SERVING' | 'NOT_SERVING';

/** Tells whether the service behind the daemon can take calls. Must not throw: failure = NOT_SERVING. */
export interface HealthProbe {
  check(): Promise<HealthStatus>;
}

/** A probe that is SERVING when the upstream accepts a connection within `timeoutMs` (default 1000). */
export function createUpstreamHealthProbe(upstream: Pick<Upstream, 'isReachable'>, timeoutMs = 1000): HealthProbe {
  return {
    check: async () => ((await upstream.isReachable(timeoutMs).catch(() => false)) ? 'SERVING' : 'NOT_SERVING'),
  };
}
