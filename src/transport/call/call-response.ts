import type { CallOutcome, ReadonlyMetadata, ResponseWriter } from '../../upstream/index.ts';
import { encodeGrpcMessage } from '../grpc/headers.ts';

/** A {@link ResponseWriter} the transport can end with the call's status. */
export interface CallResponse extends ResponseWriter {
  /** Sends the status (trailers, or trailers-only when nothing was sent). Later calls do nothing. */
  finish(outcome: CallOutcome): void;
  /** Bytes written but not yet taken by the client socket (for backpressure checks). */
  bufferedBytes(): number;
}

/** Live transport counters shared by the responses of one server (stats, backpressure tests). */
export interface TransportCounters {
  /** Calls whose producer is paused until the client drains its response (backpressure in effect). */
  waitingForClient: number;
}

/** Wraps a drain listener so {@link TransportCounters.waitingForClient} counts the wait. */
export function countedDrain(counters: TransportCounters, listener: () => void): () => void {
  counters.waitingForClient++;
  return () => {
    counters.waitingForClient--;
    listener();
  };
}

/** Merges `extra` into `target` (both plain header records). */
export function mergeHeaders(target: Record<string, string | string[]>, extra: ReadonlyMetadata): void {
  for (const key in extra) {
    const value = extra[key];
    if (value !== undefined) target[key] = value as string | string[];
  }
}

/** Appends the entries of `extra` to a flat header list (array values become one line each). */
export function appendHeaderList(target: string[], extra: ReadonlyMetadata): void {
  for (const key in extra) {
    const value = extra[key];
    if (typeof value === 'string') target.push(key, value);
    else if (value !== undefined) for (const item of value) target.push(key, item);
  }
}

/** The status trailers of an outcome: service trailers, then `grpc-status` / `grpc-message`. */
export function statusTrailers(outcome: CallOutcome): Record<string, string | string[]> {
  const trailers: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  if (outcome.trailers !== undefined) mergeHeaders(trailers, outcome.trailers);
  trailers['grpc-status'] = String(outcome.code);
  if (outcome.message !== '') trailers['grpc-message'] = encodeGrpcMessage(outcome.message);
  return trailers;
}
