import type { CallOutcome } from '../upstream/index.ts';
import type { CallHandler } from './interceptor.ts';

const ok: CallOutcome = { code: 0, message: '' };

/**
 * Echo mode (`passthrough_enabled: false`, Go `handler/grpc.go` `grpcLoopback`): answers any method with its first request
 * message, unchanged; further client messages are ignored. A call without a message gets an empty
 * OK response, as the reference's loopback does when RecvMsg hits EOF.
 */
export function createEchoHandler(): CallHandler {
  return async (ctx) => {
    const first = await ctx.request.first();
    if (first !== undefined) ctx.response.writeMessage(first);
    return ok;
  };
}
