import type http from 'node:http';
import http2 from 'node:http2';
import type { Readable } from 'node:stream';
import type { Logger } from '../../shared/index.ts';
import type { CallRunner } from '../call/call-runner.ts';
import type { TransportCounters } from '../call/call-response.ts';
import { isGrpcContentType } from '../grpc/headers.ts';
import { GrpcResponse } from '../grpc/grpc-response.ts';
import { createBase64Decoder } from '../grpc-web/base64.ts';
import type { CorsPolicy } from '../grpc-web/cors.ts';
import { GrpcWebResponse } from '../grpc-web/grpc-web-response.ts';
import { httpOutFromResponse, httpOutFromStream, type HttpOut } from '../grpc-web/http-out.ts';
import type { HttpRoute, HttpRoutes } from './http-route.ts';

/** What the per-request router needs; built once per server. */
export interface RouterParts {
  readonly logger: Logger;
  readonly runner: CallRunner;
  readonly cors: CorsPolicy;
  readonly httpRoutes: HttpRoutes;
  readonly maxMessageBytes: number;
  readonly counters: TransportCounters;
  /** True once shutdown started: HTTP/1.1 answers carry `connection: close`. */
  readonly isClosing: () => boolean;
  /** Called once per HTTP/2 stream when it closes, with the session it belonged to (idle tracking). */
  readonly streamClosed: (session: http2.Http2Session) => void;
}

const ignoreError = (): void => {};

const http2constants = http2.constants;
const notFoundBody = Buffer.from('404 page not found\n');

/**
 * Routes each request by its content-type (not per connection like Go `snetd/cmd/mux.go`; docs/differences.md): native gRPC
 * (HTTP/2 only), gRPC-Web binary/text (HTTP/1.1 and HTTP/2), CORS preflight, plain HTTP routes.
 */
export class RequestRouter {
  readonly #parts: RouterParts;

  constructor(parts: RouterParts) {
    this.#parts = parts;
  }

  /**
   * An HTTP/2 stream (h2c or h2). Never throws: a failure resets only this stream. `session` is
   * handed back to `streamClosed` when the stream closes.
   */
  onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, session: http2.Http2Session | undefined): void {
    try {
      this.#onStream(stream, headers, session);
    } catch (error) {
      this.#parts.logger.error({ err: error }, 'request handling failed');
      if (!stream.destroyed) stream.close(http2constants.NGHTTP2_INTERNAL_ERROR);
    }
  }

  /** An HTTP/1.1 request (plaintext or TLS with ALPN http/1.1). Never throws. */
  onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    try {
      this.#onRequest(req, res);
    } catch (error) {
      this.#parts.logger.error({ err: error }, 'request handling failed');
      res.destroy();
    }
  }

  #onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, session: http2.Http2Session | undefined): void {
    // RST from the client or a failed write: the call sees 'close' below and cancels.
    stream.on('error', ignoreError);
    // One 'close' listener per stream does the session's stream count and the call's client-gone.
    let clientGone: (() => void) | undefined;
    stream.on('close', () => {
      if (session !== undefined) this.#parts.streamClosed(session);
      if (clientGone !== undefined && (!stream.writableFinished || stream.rstCode !== 0)) clientGone();
    });
    const onClientGone = (listener: () => void): void => {
      clientGone = listener;
    };
    const contentType = headers['content-type'] ?? '';
    const method = headers[':method'];
    const path = headers[':path'] ?? '/';
    if (contentType.startsWith('application/grpc-web')) {
      if (method !== 'POST') return this.#respondPlain(httpOutFromStream(stream), 405, 'gRPC-Web requires POST\n');
      this.#grpcWeb(path, headers, stream, httpOutFromStream(stream), '2', stream.session?.socket?.remoteAddress, onClientGone);
      return;
    }
    if (isGrpcContentType(contentType)) {
      if (method !== 'POST') return this.#respondPlain(httpOutFromStream(stream), 405, 'gRPC requires POST\n');
      const response = new GrpcResponse(stream, contentType, this.#parts.maxMessageBytes, this.#parts.counters);
      this.#parts.runner.run({
        method: path,
        protocol: 'grpc',
        httpVersion: '2',
        headers,
        remoteAddress: session?.socket?.remoteAddress,
        body: stream,
        response,
        onClientGone,
      });
      return;
    }
    this.#plain(method ?? 'GET', path, headers, httpOutFromStream(stream));
    stream.resume();
  }

  #onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.#parts.isClosing()) res.shouldKeepAlive = false;
    const contentType = req.headers['content-type'] ?? '';
    const path = req.url ?? '/';
    const out = httpOutFromResponse(res);
    if (contentType.startsWith('application/grpc-web')) {
      if (req.method !== 'POST') return this.#respondPlain(out, 405, 'gRPC-Web requires POST\n');
      this.#grpcWeb(path, req.headers, req, out, '1.1', req.socket.remoteAddress, (listener) => {
        res.once('close', () => {
          if (!res.writableFinished) listener();
        });
      });
      return;
    }
    if (isGrpcContentType(contentType)) {
      // Native gRPC needs HTTP/2 trailers (PROTOCOL-HTTP2.md); say so instead of failing obscurely.
      req.resume();
      return this.#respondPlain(out, 415, 'native gRPC requires HTTP/2 (h2c prior knowledge or TLS with ALPN h2); use gRPC-Web over HTTP/1.1\n');
    }
    req.resume();
    this.#plain(req.method ?? 'GET', path, req.headers, out);
  }

  #grpcWeb(
    path: string,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    body: Readable,
    out: HttpOut,
    httpVersion: '1.1' | '2',
    remoteAddress: string | undefined,
    onClientGone: (listener: () => void) => void,
  ): void {
    const contentType = String(headers['content-type']);
    const text = contentType.startsWith('application/grpc-web-text');
    const plus = contentType.indexOf('+');
    const subtype = plus === -1 ? 'proto' : contentType.slice(plus + 1);
    const origin = headers.origin;
    const response = new GrpcWebResponse(out, {
      contentType: `${text ? 'application/grpc-web-text' : 'application/grpc-web'}+${subtype}`,
      text,
      cors: this.#parts.cors.responseHeaders(typeof origin === 'string' ? origin : undefined),
      maxMessageBytes: this.#parts.maxMessageBytes,
      counters: this.#parts.counters,
    });
    let source = body;
    if (text) {
      const decoder = createBase64Decoder();
      body.pipe(decoder);
      // A bad base64 body fails the decoder (REQUEST_MALFORMED); the rest of the body is drained so
      // the status can still be sent. A client that goes away ends the decoder too.
      decoder.once('error', () => {
        body.unpipe(decoder);
        body.resume();
      });
      body.once('close', () => {
        if (!body.readableEnded) decoder.destroy();
      });
      source = decoder;
    }
    this.#parts.runner.run({
      method: path,
      protocol: text ? 'grpc-web-text' : 'grpc-web',
      httpVersion,
      headers,
      remoteAddress,
      body: source,
      response,
      onClientGone,
    });
  }

  #plain(method: string, path: string, headers: Readonly<Record<string, string | string[] | undefined>>, out: HttpOut): void {
    const origin = typeof headers.origin === 'string' ? headers.origin : undefined;
    if (method === 'OPTIONS') {
      const requestMethod = headers['access-control-request-method'];
      if (requestMethod === undefined) return out.head(204, {}, true);
      const requestHeaders = headers['access-control-request-headers'];
      const preflight = this.#parts.cors.preflight(
        origin,
        typeof requestHeaders === 'string' ? requestHeaders : undefined,
        headers['access-control-request-private-network'] === 'true',
      );
      return out.head(preflight.status, preflight.headers, true);
    }
    // Routing uses the first path segment only, as the reference's mux does (Go `snetd/cmd/serve.go` `newHTTPHandler`).
    const queryAt = path.indexOf('?');
    const pathOnly = queryAt === -1 ? path : path.slice(0, queryAt);
    const slash = pathOnly.indexOf('/', 1);
    const segment = pathOnly.slice(1, slash === -1 ? undefined : slash);
    const route: HttpRoute | undefined = Object.hasOwn(this.#parts.httpRoutes, segment) ? this.#parts.httpRoutes[segment] : undefined;
    if (route === undefined) {
      if (method === 'POST' && pathOnly.split('/').length === 3) {
        return this.#respondPlain(out, 415, `unsupported content-type "${String(headers['content-type'] ?? '')}": use application/grpc (HTTP/2) or application/grpc-web\n`);
      }
      out.head(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(notFoundBody.byteLength), ...this.#parts.cors.responseHeaders(origin) });
      out.end(notFoundBody);
      return;
    }
    Promise.resolve()
      .then(() => route({ method, path: pathOnly, headers }))
      .then(
        (answer) => {
          if (out.isGone()) return;
          const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
          try {
            out.head(answer.status, { ...this.#parts.cors.responseHeaders(origin), ...answer.headers, 'content-length': String(body.byteLength) });
            out.end(body);
          } catch (error) {
            this.#parts.logger.debug({ err: error, path: pathOnly }, 'could not send the HTTP answer');
          }
        },
        (error: unknown) => {
          this.#parts.logger.error({ err: error, path: pathOnly }, 'HTTP route failed');
          try {
            if (!out.isGone()) this.#respondPlain(out, 500, 'internal error\n');
          } catch {
            // The client is gone; nothing to answer.
          }
        },
      );
  }

  #respondPlain(out: HttpOut, status: number, text: string): void {
    const body = Buffer.from(text);
    out.head(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.byteLength) });
    out.end(body);
  }
}
