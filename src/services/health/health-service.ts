import type { ServiceRegistry } from '../../pipeline/index.ts';
import type { HealthProbe, HealthStatus } from './health-probe.ts';

/** Full method paths of `grpc.health.v1.Health` (grpc/grpc `src/proto/grpc/health/v1/health.proto`). */
export const healthCheckPath = '/grpc.health.v1.Health/Check';
export const healthWatchPath = '/grpc.health.v1.Health/Watch';

/** Options of {@link registerHealthService}. */
export interface HealthServiceOptions {
  /** How often `Watch` re-checks the probe, in ms. @default 5000 */
  readonly watchIntervalMs?: number;
}

const statusNumber: Readonly<Record<HealthStatus, number>> = { SERVING: 1, NOT_SERVING: 2 };

/** `HealthCheckResponse { ServingStatus status = 1; }` encoded by hand: tag 0x08, then the enum varint. */
export function encodeHealthCheckResponse(status: HealthStatus): Uint8Array {
  return Uint8Array.of(0x08, statusNumber[status]);
}

/**
 * Registers `grpc.health.v1.Health` on the daemon (Go `metrics/heartbeat.go`; the difference: docs/differences.md): `Check` answers
 * NOT_SERVING instead of an error when the service is down; `Watch` sends the status now and on
 * every change until the call or the daemon ends; `List` and other methods answer UNIMPLEMENTED. The request's `service` field is
 * ignored, as in the reference. Register without payment interceptors: health is free.
 */
export function registerHealthService(registry: ServiceRegistry, probe: HealthProbe, options: HealthServiceOptions = {}): void {
  const intervalMs = options.watchIntervalMs ?? 5000;
  registry.registerUnary(healthCheckPath, async () => encodeHealthCheckResponse(await probe.check()));
  registry.registerServerStreaming(healthWatchPath, async (_request, ctx, send) => {
    let last: HealthStatus | undefined;
    while (!ctx.signal.aborted && !ctx.closing.aborted) {
      const status = await probe.check();
      if (status !== last) {
        await send(encodeHealthCheckResponse(status));
        last = status;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, intervalMs);
        function done(): void {
          clearTimeout(timer);
          ctx.signal.removeEventListener('abort', done);
          ctx.closing.removeEventListener('abort', done);
          resolve();
        }
        ctx.signal.addEventListener('abort', done, { once: true });
        ctx.closing.addEventListener('abort', done, { once: true });
      });
    }
    // A graceful shutdown ends watchers with OK (clients re-watch elsewhere); otherwise the call was
    // cancelled or timed out and the abort reason is the status.
    if (ctx.signal.aborted) throw ctx.signal.reason;
  });
}
