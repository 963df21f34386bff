import http2 from 'node:http2';
import { isIP } from 'node:net';
import { SnetError } from '../errors/index.ts';
import type { Logger } from '../shared/index.ts';
import type { CallOutcome, Upstream, UpstreamCall } from './call.ts';
import { GrpcStatus, grpcStatusFromHttp, grpcStatusFromRstCode } from './grpc-status.ts';
import { forwardableResponseHeaders, outcomeFromTrailers } from './grpc-outcome.ts';
import { parseServiceEndpoint, type ServiceEndpoint } from './service-endpoint.ts';
import { appendServiceRequestHeaders, cancelledCallError, serviceUnavailableError } from './service-request.ts';

const { NGHTTP2_CANCEL } = http2.constants;

/** Options of {@link createGrpcUpstream}. */
export interface GrpcUpstreamOptions {
  /** `service_endpoint`: `host:port`, `http://`, `grpc://` (h2c) or `https://` (TLS). */
  readonly endpoint: string;
  /**
   * Forces the content-subtype sent to the service (service metadata `encoding`: `proto` or
   * `json`, as Go `handler/grpc.go`). `undefined` keeps the client's. @default undefined
   */
  readonly contentSubtype?: 'proto' | 'json' | undefined;
  /** Extra trusted CA certificates (PEM) for an `https://` service. @default system roots */
  readonly ca?: string | Buffer | undefined;
  /** `user-agent` the service sees (the client's is not forwarded, as in the reference). @default 'snetd-ts' */
  readonly userAgent?: string | undefined;
  /** HTTP/2 stream receive window towards the service, in bytes. @default 1 MiB */
  readonly streamWindowBytes?: number | undefined;
  /** HTTP/2 connection receive window towards the service, in bytes. @default 16 MiB */
  readonly connectionWindowBytes?: number | undefined;
}

const requestOptions: http2.ClientSessionRequestOptions = { endStream: false };
const onceOption = { once: true } as const;


/**
 * The gRPC service behind the daemon, over one long-lived HTTP/2 session (re-dialled when it
 * closes or receives GOAWAY). Messages pass as raw frames in both directions with node stream
 * backpressure: a slow client pauses the service stream, whose HTTP/2 window then stops the service.
 * Throws `SnetError` CONFIG_INVALID when `endpoint` cannot be parsed.
 */
export function createGrpcUpstream(deps: { logger: Logger }, options: GrpcUpstreamOptions): Upstream {
  const parsed = parseServiceEndpoint(options.endpoint);
  if (!parsed.ok) throw parsed.error;
  return new GrpcUpstream(deps.logger, parsed.value, options);
}

class GrpcUpstream implements Upstream {
  readonly #logger: Logger;
  readonly #endpoint: ServiceEndpoint;
  readonly #options: GrpcUpstreamOptions;
  readonly #userAgent: string;
  readonly #scheme: string;
  #session: http2.ClientHttp2Session | undefined;
  #closed = false;

  constructor(logger: Logger, endpoint: ServiceEndpoint, options: GrpcUpstreamOptions) {
    this.#logger = logger;
    this.#endpoint = endpoint;
    this.#options = options;
    this.#userAgent = options.userAgent ?? 'snetd-ts';
    this.#scheme = endpoint.secure ? 'https' : 'http';
  }

  #currentSession(): http2.ClientHttp2Session {
    const existing = this.#session;
    if (existing !== undefined && !existing.closed && !existing.destroyed) return existing;
    if (this.#closed) throw new SnetError('DAEMON_SHUTTING_DOWN', 'the daemon is shutting down');
    const connectionWindow = this.#options.connectionWindowBytes ?? 16 << 20;
    const session = http2.connect(this.#endpoint.origin, {
      settings: { initialWindowSize: this.#options.streamWindowBytes ?? 1 << 20, enablePush: false },
      // SNI carries host names only: an IP address there is deprecated (DEP0123) and means nothing.
      ...(this.#endpoint.secure ? { ALPNProtocols: ['h2'], ...(isIP(this.#endpoint.host) === 0 ? { servername: this.#endpoint.host } : {}), ...(this.#options.ca === undefined ? {} : { ca: this.#options.ca }) } : {}),
    });
    const forget = (): void => {
      if (this.#session === session) this.#session = undefined;
    };
    session.on('error', (error: Error) => {
      forget();
      this.#logger.debug({ err: error, endpoint: this.#endpoint.authority }, 'service connection failed');
    });
    session.on('goaway', forget);
    session.on('close', forget);
    session.once('connect', () => {
      if (connectionWindow > 65535) session.setLocalWindowSize(connectionWindow);
    });
    // The listening server keeps the process alive; an idle service connection must not.
    session.unref();
    this.#session = session;
    return session;
  }

  isReachable(timeoutMs: number): Promise<boolean> {
    let session: http2.ClientHttp2Session;
    try {
      session = this.#currentSession();
    } catch {
      return Promise.resolve(false);
    }
    if (!session.connecting) return Promise.resolve(!session.destroyed);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        session.off('connect', onConnect);
        session.off('close', onClose);
        resolve(ok);
      };
      const onConnect = (): void => done(true);
      const onClose = (): void => done(false);
      const timer = setTimeout(onClose, timeoutMs);
      session.once('connect', onConnect);
      session.once('close', onClose);
    });
  }

  invoke(call: UpstreamCall): Promise<CallOutcome> {
    return new Promise<CallOutcome>((resolve, reject) => {
      if (call.signal.aborted) {
        reject(call.signal.reason as Error);
        return;
      }
      const headers = this.#requestHeaders(call);
      let stream: http2.ClientHttp2Stream;
      try {
        stream = this.#currentSession().request(headers, requestOptions);
      } catch (error) {
        reject(this.#unavailable(error));
        return;
      }
      let settled = false;
      let responded = false;
      let trailers: http2.IncomingHttpHeaders | undefined;
      let streamError: unknown;

      const settle = (outcome: CallOutcome | undefined, error?: Error): void => {
        if (settled) return;
        settled = true;
        // The abort listener is left on the call's own signal: onAbort does nothing once settled.
        if (outcome !== undefined) resolve(outcome);
        else reject(error ?? new Error('upstream call failed'));
      };
      const cancel = (error: unknown): void => {
        if (!stream.closed) stream.close(NGHTTP2_CANCEL);
        settle(undefined, cancelledCallError(error));
      };
      const onAbort = (): void => {
        if (!settled) cancel(call.signal.reason);
      };
      call.signal.addEventListener('abort', onAbort, onceOption);

      call.request.pipeFrames(stream).catch((error: unknown) => cancel(error));

      stream.on('response', (responseHeaders: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader, _flags: number, rawHeaders: string[]) => {
        responded = true;
        const status = responseHeaders[':status'] ?? 200;
        if (status !== 200) {
          // Not a gRPC answer (a web server or a gateway in front of the service).
          settle({ code: grpcStatusFromHttp(status), message: `the service answered HTTP ${status} instead of gRPC` });
          if (!stream.closed) stream.close(NGHTTP2_CANCEL);
          return;
        }
        if (responseHeaders['grpc-status'] !== undefined) {
          // Trailers-only response: the status travels in the headers (gRPC PROTOCOL-HTTP2.md).
          settle(outcomeFromTrailers(responseHeaders));
          return;
        }
        call.response.addHeaderList(forwardableResponseHeaders(rawHeaders));
      });
      const resume = (): void => {
        stream.resume();
      };
      stream.on('data', (chunk: Buffer) => {
        if (settled) return;
        let accepted: boolean;
        try {
          accepted = call.response.writeFrames(chunk);
        } catch (error) {
          cancel(error);
          return;
        }
        if (!accepted) {
          stream.pause();
          call.response.onDrain(resume);
        }
      });
      stream.on('trailers', (received: http2.IncomingHttpHeaders) => {
        trailers = received;
      });
      // The status is settled at 'end', after the last DATA was handed on: 'trailers' is not held
      // back by pause() and could overtake buffered messages.
      stream.on('end', () => {
        if (trailers !== undefined) settle(outcomeFromTrailers(trailers));
      });
      stream.on('error', (error: Error) => {
        streamError = error;
      });
      stream.on('close', () => {
        if (settled) return;
        if (trailers !== undefined) {
          settle(outcomeFromTrailers(trailers));
        } else if (!responded) {
          settle(undefined, this.#unavailable(streamError ?? new Error(`stream reset with HTTP/2 code ${stream.rstCode}`)));
        } else {
          const code = stream.rstCode === undefined || stream.rstCode === 0 ? GrpcStatus.INTERNAL : grpcStatusFromRstCode(stream.rstCode);
          settle({ code, message: `the service ended the stream without a status (HTTP/2 code ${stream.rstCode ?? 0})` });
        }
      });
    });
  }

  /**
   * The service-hop request headers as a flat list: node:http2 takes it without copying it into an
   * object first (`request([…])`, Node 24), which the object form does on every call.
   */
  #requestHeaders(call: UpstreamCall): string[] {
    const pseudo = [':method', 'POST', ':path', call.method, ':scheme', this.#scheme, ':authority', this.#endpoint.authority];
    return appendServiceRequestHeaders(pseudo, call, this.#options.contentSubtype, this.#userAgent);
  }

  #unavailable(cause: unknown): SnetError {
    return serviceUnavailableError(this.#endpoint.authority, cause);
  }

  close(): Promise<void> {
    this.#closed = true;
    const session = this.#session;
    this.#session = undefined;
    if (session === undefined || session.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      session.once('close', () => resolve());
      session.destroy();
    });
  }
}
