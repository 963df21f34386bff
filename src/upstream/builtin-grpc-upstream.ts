import { SnetError } from '../errors/index.ts';
import type { Logger } from '../shared/index.ts';
import type { CallOutcome, Upstream, UpstreamCall } from './call.ts';
import { writeBufferBytes } from './call.ts';
import type { GrpcUpstreamOptions } from './grpc-upstream.ts';
import { GrpcStatus, grpcStatusFromHttp, grpcStatusFromRstCode } from './grpc-status.ts';
import { forwardableResponseHeaders, headerObjectFromList, outcomeFromTrailers } from './grpc-outcome.ts';
import { parseServiceEndpoint, type ServiceEndpoint } from './service-endpoint.ts';
import { appendServiceRequestHeaders, cancelledCallError, serviceUnavailableError } from './service-request.ts';
import { H2ClientConnection } from './h2/client-connection.ts';
import type { H2ClientStream } from './h2/client-stream.ts';
import { H2Error } from './h2/frame-constants.ts';

/** Options of {@link createBuiltinGrpcUpstream}: those of the node:http2 upstream plus the connection count. */
export interface BuiltinGrpcUpstreamOptions extends GrpcUpstreamOptions {
  /**
   * Most connections to the service. Calls share the first; another is dialled only while every open one is
   * held back by the service's flow control or stream limit (see `#connection`). @default 4
   */
  readonly connections?: number | undefined;
  /** A connection attempt fails after this long. @default 20000 */
  readonly connectTimeoutMs?: number | undefined;
  /** PING interval on each connection; an unanswered PING fails it. 0 = off. @default 0 */
  readonly keepaliveMs?: number | undefined;
}

const onceOption = { once: true } as const;

/**
 * The gRPC service behind the daemon over the built-in HTTP/2 client (`src/upstream/h2/`) instead
 * of node:http2: the same calls, headers, statuses and errors as {@link createGrpcUpstream}, with all
 * frames of an event-loop turn sent in one write. Up to `connections` sessions, dialled when needed and
 * re-dialled after GOAWAY or a failure. A call the service refused unprocessed (GOAWAY, REFUSED_STREAM)
 * goes once more on a usable connection when its request is still held (see h2/README.md); node:http2's
 * upstream fails it. Throws `SnetError` CONFIG_INVALID when `endpoint` cannot be parsed.
 */
export function createBuiltinGrpcUpstream(deps: { logger: Logger }, options: BuiltinGrpcUpstreamOptions): Upstream {
  const parsed = parseServiceEndpoint(options.endpoint);
  if (!parsed.ok) throw parsed.error;
  const connections = options.connections ?? 4;
  if (!Number.isInteger(connections) || connections < 1) throw new SnetError('CONFIG_INVALID', `upstream connections must be an integer of at least 1, got ${connections}`);
  return new BuiltinGrpcUpstream(deps.logger, parsed.value, options, connections);
}

class BuiltinGrpcUpstream implements Upstream {
  readonly #logger: Logger;
  readonly #endpoint: ServiceEndpoint;
  readonly #options: BuiltinGrpcUpstreamOptions;
  readonly #userAgent: string;
  readonly #slots: (H2ClientConnection | undefined)[];
  #closed = false;

  constructor(logger: Logger, endpoint: ServiceEndpoint, options: BuiltinGrpcUpstreamOptions, connections: number) {
    this.#logger = logger;
    this.#endpoint = endpoint;
    this.#options = options;
    this.#userAgent = options.userAgent ?? 'snetd-ts';
    this.#slots = new Array<H2ClientConnection | undefined>(connections).fill(undefined);
  }

  /**
   * The connection for a new stream: the first usable one that holds nothing back (see
   * {@link H2ClientConnection.backlog}), so that small calls share one connection and its batched writes;
   * when every open one is held back by the service's flow control or stream limit, a new one is dialled
   * into a free slot, else the one with the smallest backlog is used.
   */
  #connection(): H2ClientConnection {
    if (this.#closed) throw new SnetError('DAEMON_SHUTTING_DOWN', 'the daemon is shutting down');
    const slots = this.#slots;
    let free = -1;
    let least: H2ClientConnection | undefined;
    let leastBacklog = Number.POSITIVE_INFINITY;
    for (let slot = 0; slot < slots.length; slot++) {
      const connection = slots[slot];
      if (connection === undefined || !connection.usable) {
        if (free < 0) free = slot;
        continue;
      }
      const backlog = connection.backlog;
      if (backlog === 0) return connection;
      if (backlog < leastBacklog) {
        least = connection;
        leastBacklog = backlog;
      }
    }
    if (free >= 0 || least === undefined) return this.#dial(Math.max(free, 0));
    return least;
  }

  /** A new connection in `slot` (the one there, if any, is unusable and closes by itself). */
  #dial(slot: number): H2ClientConnection {
    const options = this.#options;
    const connection = new H2ClientConnection({
      host: this.#endpoint.host,
      port: this.#endpoint.port,
      authority: this.#endpoint.authority,
      secure: this.#endpoint.secure,
      ca: options.ca,
      streamWindowBytes: options.streamWindowBytes ?? 1 << 20,
      connectionWindowBytes: options.connectionWindowBytes ?? 16 << 20,
      streamQueueBytes: writeBufferBytes,
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
      ...(options.keepaliveMs === undefined ? {} : { keepaliveMs: options.keepaliveMs }),
    });
    connection.onGone = () => {
      if (this.#slots[slot] === connection) this.#slots[slot] = undefined;
      this.#logger.debug({ endpoint: this.#endpoint.authority }, 'service connection closed');
    };
    this.#slots[slot] = connection;
    return connection;
  }

  isReachable(timeoutMs: number): Promise<boolean> {
    let connection: H2ClientConnection;
    try {
      connection = this.#connection();
    } catch {
      return Promise.resolve(false);
    }
    return connection.whenConnected(timeoutMs);
  }

  invoke(call: UpstreamCall): Promise<CallOutcome> {
    return new Promise<CallOutcome>((resolve, reject) => {
      if (call.signal.aborted) {
        reject(call.signal.reason as Error);
        return;
      }
      let connection: H2ClientConnection;
      try {
        connection = this.#connection();
      } catch (error) {
        reject(this.#unavailable(error));
        return;
      }
      const sentAt = call.timeoutMs === undefined ? 0 : performance.now();
      let settled = false;
      let responded = false;
      let retried = false;
      let started = false;
      let trailerList: string[] | undefined;
      const settle = (outcome: CallOutcome | undefined, error?: Error): void => {
        if (settled) return;
        settled = true;
        if (outcome !== undefined) resolve(outcome);
        else reject(error ?? new Error('upstream call failed'));
      };
      const cancel = (error: unknown): void => {
        // Settle first: the reset closes the stream synchronously, and its onClose must not win.
        settle(undefined, cancelledCallError(error));
        stream.cancel(H2Error.CANCEL);
      };
      const resume = (): void => stream.resume();

      const stream: H2ClientStream = connection.request(call.method, this.#requestHeaders(call), {
        onHeaders: (list) => {
          if (settled) return;
          if (responded) {
            trailerList = list;
            return;
          }
          responded = true;
          const status = statusOf(list);
          if (status !== 200) {
            // Not a gRPC answer (a web server or a gateway in front of the service).
            settle({ code: grpcStatusFromHttp(status), message: `the service answered HTTP ${status} instead of gRPC` });
            stream.cancel(H2Error.CANCEL);
            return;
          }
          if (hasGrpcStatus(list)) {
            // Trailers-only response: the status travels in the headers (gRPC PROTOCOL-HTTP2.md).
            settle(outcomeFromTrailers(headerObjectFromList(list)));
            return;
          }
          call.response.addHeaderList(forwardableResponseHeaders(list));
        },
        onData: (chunk) => {
          if (settled) return;
          let accepted: boolean;
          try {
            accepted = call.response.writeFrames(chunk);
          } catch (error) {
            cancel(error);
            return;
          }
          if (!accepted && !stream.paused) {
            stream.pause();
            call.response.onDrain(resume);
          }
        },
        onEnd: () => {
          if (trailerList !== undefined) settle(outcomeFromTrailers(headerObjectFromList(trailerList)));
        },
        onClose: (code, error) => {
          if (settled) return;
          if (code === H2Error.REFUSED_STREAM && !responded && !retried && stream.replayable) {
            // The service never processed it (above its GOAWAY's last-stream-id, or refused): once more
            // on a connection that takes streams, with the request as written so far (RFC 9113 §8.7).
            retried = true;
            let next: H2ClientConnection;
            try {
              next = this.#connection();
            } catch (failure) {
              settle(undefined, this.#unavailable(failure));
              return;
            }
            // The service gets the time left, not the time the call had when it was first sent.
            if (call.timeoutMs === undefined) next.adopt(stream);
            else next.adopt(stream, call.method, this.#requestHeaders(call, call.timeoutMs - (performance.now() - sentAt)));
            if (!started && !stream.closed) start();
            return;
          }
          if (trailerList !== undefined) {
            settle(outcomeFromTrailers(headerObjectFromList(trailerList)));
          } else if (!responded) {
            settle(undefined, this.#unavailable(error ?? new Error(`stream reset with HTTP/2 code ${code}`)));
          } else {
            settle({ code: code === 0 ? GrpcStatus.INTERNAL : grpcStatusFromRstCode(code), message: `the service ended the stream without a status (HTTP/2 code ${code})` });
          }
        },
      });
      // The body is piped once the stream is open: one refused at once (onClose runs in a microtask) may go again.
      function start(): void {
        started = true;
        call.signal.addEventListener(
          'abort',
          () => {
            if (!settled) cancel(call.signal.reason);
          },
          onceOption,
        );
        call.request.pipeFrames(stream).catch((error: unknown) => cancel(error));
      }
      if (!stream.closed) start();
    });
  }

  /** The regular request headers (the connection adds `:method`, `:scheme`, `:authority`, `:path`). */
  #requestHeaders(call: UpstreamCall, timeoutMs = call.timeoutMs): string[] {
    return appendServiceRequestHeaders([], call, this.#options.contentSubtype, this.#userAgent, timeoutMs);
  }

  #unavailable(cause: unknown): SnetError {
    return serviceUnavailableError(this.#endpoint.authority, cause);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const open = this.#slots.filter((slot): slot is H2ClientConnection => slot !== undefined);
    this.#slots.fill(undefined);
    await Promise.all(open.map((connection) => connection.close()));
  }
}

/** `:status` of a response header list: the connection checked that it comes first, once, as three digits. */
function statusOf(list: readonly string[]): number {
  return Number(list[1]);
}

function hasGrpcStatus(list: readonly string[]): boolean {
  for (let i = 0; i < list.length; i += 2) if (list[i] === 'grpc-status') return true;
  return false;
}
