import { SnetError } from './snet-error.ts';

/** Node system error codes that mean "the peer is not there" (connect-node node-error.ts idea). */
const unreachableCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const resetCodes = new Set(['ECONNRESET', 'EPIPE', 'ERR_HTTP2_STREAM_CANCEL', 'ERR_STREAM_PREMATURE_CLOSE']);
const timeoutCodes = new Set(['ETIMEDOUT', 'ABORT_ERR']);

/** Finds the first Node `code` string along an error's `cause` chain. */
function findNodeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

/**
 * Turns anything caught into a {@link SnetError}. An `SnetError` is returned as is; Node network
 * errors map to UPSTREAM_UNAVAILABLE / REQUEST_CANCELLED / REQUEST_TIMEOUT; everything else becomes
 * INTERNAL with the original kept as `cause` (logged, never sent).
 */
export function errorFromUnknown(error: unknown, context = 'operation'): SnetError {
  if (error instanceof SnetError) return error;
  const nodeCode = findNodeCode(error);
  if (nodeCode !== undefined && unreachableCodes.has(nodeCode)) {
    return new SnetError('UPSTREAM_UNAVAILABLE', `${context} failed: the peer cannot be reached (${nodeCode})`, {
      cause: error,
      hint: 'Check that the service runs and that the configured endpoint points to it.',
    });
  }
  if (nodeCode !== undefined && resetCodes.has(nodeCode)) {
    return new SnetError('REQUEST_CANCELLED', `${context} failed: the connection was reset (${nodeCode})`, { cause: error });
  }
  if (nodeCode !== undefined && timeoutCodes.has(nodeCode)) {
    return new SnetError('REQUEST_TIMEOUT', `${context} timed out (${nodeCode})`, { cause: error });
  }
  return new SnetError('INTERNAL', `${context} failed unexpectedly`, { cause: error });
}
