// How `snetd dev call` reports a call the daemon answered with an error status: one line naming the call, the
// status and whether it cost anything, instead of grpc-js's bare `3 INVALID_ARGUMENT: …` text.
import * as grpc from '@grpc/grpc-js';
import { SnetError } from '../errors/index.ts';

/** The status of a gRPC error as grpc-js rejects a call with it, or undefined for any other error. */
function statusOf(error: unknown): { readonly code: grpc.status; readonly details: string } | undefined {
  const { code, details } = (error ?? {}) as { code?: unknown; details?: unknown };
  return typeof code === 'number' && typeof details === 'string' ? { code: code as grpc.status, details } : undefined;
}

/**
 * `call` (e.g. `div(1, 0)`) ended with an error status. The daemon passes the service's status on unchanged and
 * refuses payments with its own, so the line says "the daemon answered"; `charge` says what the call cost (the
 * daemon commits a payment only when the service answers OK, otherwise it releases it). UNAVAILABLE and errors
 * without a status give undefined: the caller decides whether the dev network stopped.
 */
export async function callFailedError(error: unknown, call: string, charge: () => string | Promise<string>): Promise<SnetError | undefined> {
  const status = statusOf(error);
  if (status === undefined || status.code === grpc.status.UNAVAILABLE) return undefined;
  const name = grpc.status[status.code] ?? `status ${status.code}`;
  return new SnetError('DEVNET_CALL_FAILED', `${call} failed: the daemon answered ${name}: ${status.details} (${await charge()})`, {
    cause: error,
    hint: 'Change the arguments if the service refused them, or the payment (--payment) if the daemon refused it, and call again.',
  });
}
