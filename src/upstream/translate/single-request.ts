import { SnetError } from '../../errors/index.ts';
import type { UpstreamCall } from '../call.ts';

/**
 * The one request message of a call to a non-gRPC service (jsonrpc, http, process): read up to the client's
 * half-close. A second message is refused with REQUEST_NOT_UNARY instead of being dropped silently (the reference
 * drops it), and so is a call without any.
 */
export async function readSingleRequest(call: UpstreamCall, serviceType: string): Promise<Uint8Array> {
  let first: Uint8Array | undefined;
  for await (const message of call.request.messages()) {
    if (first !== undefined) {
      throw new SnetError('REQUEST_NOT_UNARY', `${call.method}: a ${serviceType} service takes one request message; the client sent more`, {
        hint: 'Call the method as a unary call; only gRPC services take client streams.',
      });
    }
    first = message;
  }
  if (first === undefined) {
    throw new SnetError('REQUEST_NOT_UNARY', `${call.method}: a ${serviceType} service takes one request message; the client sent none`, {
      hint: 'Send the request message before closing the call.',
    });
  }
  return first;
}

/** The simple method name of a gRPC path (`/pkg.Svc/add` → `add`): the JSON-RPC method, REST path and process argument. */
export function simpleMethodName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
