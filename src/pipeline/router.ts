import type { CallHandler } from './interceptor.ts';
import type { ServiceRegistry } from './service-registry.ts';

/**
 * The daemon's root call handler: a daemon-owned method when the registry has it (or its service),
 * else `fallback` (the interceptor chain around the upstream, or echo mode).
 */
export function createRouter(parts: { registry: ServiceRegistry; fallback: CallHandler }): CallHandler {
  const { registry, fallback } = parts;
  return (ctx) => (registry.lookup(ctx.method) ?? fallback)(ctx);
}
