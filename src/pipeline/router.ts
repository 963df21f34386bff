import type { CallHandler } from './interceptor.ts';
import { rateLimitedError, type RateLimiter } from './rate-limit.ts';
import type { ServiceRegistry } from './service-registry.ts';

/**
 * The daemon's root call handler: a daemon-owned method when the registry has it (or its service),
 * else `fallback` (the interceptor chain around the upstream, or echo mode). Daemon-owned methods
 * pass `daemonLimiter` only: their own generous bucket, so a flood of proxied calls cannot starve
 * health checks and admin calls, and the stop switch never locks the administrator out.
 */
export function createRouter(parts: { registry: ServiceRegistry; fallback: CallHandler; daemonLimiter?: RateLimiter }): CallHandler {
  const { registry, fallback, daemonLimiter } = parts;
  if (daemonLimiter === undefined) return (ctx) => (registry.lookup(ctx.method) ?? fallback)(ctx);
  return (ctx) => {
    const own = registry.lookup(ctx.method);
    if (own === undefined) return fallback(ctx);
    const waitMs = daemonLimiter.admit(ctx);
    return waitMs === 0 ? own(ctx) : Promise.reject(rateLimitedError(waitMs));
  };
}
