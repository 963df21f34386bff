import type { Upstream } from '../upstream/index.ts';
import { remainingMs } from './call-context.ts';
import type { CallHandler } from './interceptor.ts';

/** The innermost handler of a proxied call: hands the call to `upstream` (the AI service). */
export function createUpstreamHandler(upstream: Upstream): CallHandler {
  return (ctx) =>
    upstream.invoke({
      method: ctx.method,
      metadata: ctx.upstreamMetadata,
      timeoutMs: remainingMs(ctx),
      signal: ctx.signal,
      request: ctx.request,
      response: ctx.response,
    });
}
