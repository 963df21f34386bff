import { once } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { SnetError } from '../../errors/index.ts';
import type { CallHandler } from '../../pipeline/index.ts';
import type { Logger } from '../../shared/index.ts';
import { CallRunner } from '../call/call-runner.ts';
import type { TransportCounters } from '../call/call-response.ts';
import { createCorsPolicy, type CorsOptions, type CorsPolicy } from '../grpc-web/cors.ts';
import type { HttpRoutes } from './http-route.ts';
import { RequestRouter } from './request-router.ts';
import { routeTlsConnection, type TlsAlpnChallengeSource } from './tls-alpn-challenge.ts';

/** TLS from files (`ssl_cert` / `ssl_key`), reloaded when they change (as Go `snetd/cmd/certs_listener.go`). */
export interface TlsFileOptions {
  /** PEM certificate chain file. */
  readonly certFile: string;
  /** PEM private key file. */
  readonly keyFile: string;
  /** How often the files are checked for changes, in ms; 0 = never. @default 3000 (the reference's period) */
  readonly reloadIntervalMs?: number;
  /**
   * Start without a certificate when the files are missing or unusable (automatic certificates before the first
   * one is issued): handshakes fail until good files appear. @default false (TLS_SETUP_FAILED at listen)
   */
  readonly mayBeMissing?: boolean;
  /** Answer TLS-ALPN-01 validations (automatic certificates) on this listener. */
  readonly acmeChallenges?: TlsAlpnChallengeSource | undefined;
}

/** Settings of the daemon's one listener. Limits are per connection unless said otherwise. */
export interface TransportOptions {
  /** Interface to bind (`daemon_endpoint` host). */
  readonly host: string;
  /** Port to bind; 0 = any free port (tests). */
  readonly port: number;
  /** Serve h2 and HTTP/1.1 over TLS 1.2+ with ALPN; absent = plaintext h2c + HTTP/1.1. */
  readonly tls?: TlsFileOptions | undefined;
  /** Largest gRPC message in either direction, in bytes (`max_message_size_in_mb` × 2^20). */
  readonly maxMessageBytes: number;
  /** Deadline for calls whose client sent no `grpc-timeout`, in ms; 0 = none (`service_timeout`). @default 100000 */
  readonly serviceTimeoutMs?: number;
  /** CORS for browsers. @default { allowedOrigins: '*' } */
  readonly cors?: CorsOptions;
  /** Request headers never forwarded to the service (lower-case), e.g. payment headers (config `forward_payment_headers`). @default [] */
  readonly dropMetadata?: readonly string[];
  /** Open client connections at most; further ones are closed on accept (bounds memory: each may hold a connection window). @default 4096 */
  readonly maxConnections?: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection. @default 1000 */
  readonly maxConcurrentStreams?: number;
  /** Largest request header block, in bytes (HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE, HTTP/1.1 max header size). @default 65536 */
  readonly maxHeaderBytes?: number;
  /** HTTP/2 stream receive window, in bytes. @default 1048576 */
  readonly streamWindowBytes?: number;
  /** HTTP/2 connection receive window, in bytes. @default 16777216 */
  readonly connectionWindowBytes?: number;
  /** A connection with no call in flight and no traffic for this long is closed, in ms. @default 300000 */
  readonly idleTimeoutMs?: number;
  /** Time to complete the TLS handshake / connection preface / HTTP/1.1 request headers, in ms (slow-loris). @default 10000 */
  readonly headersTimeoutMs?: number;
  /** Time to receive a whole HTTP/1.1 request body, in ms; 0 = none (long gRPC-Web client streams). @default 300000 */
  readonly requestTimeoutMs?: number;
  /**
   * Once the daemon has ended its side of a connection (HTTP/2 session closed after a GOAWAY, HTTP/1.1
   * `connection: close` or an error answer), the client has this long to close its side before the socket is
   * destroyed, in ms. @default 5000
   */
  readonly lingerMs?: number;
}

/** Dependencies of {@link createDaemonServer}. */
export interface DaemonServerDeps {
  readonly logger: Logger;
  /** The root call handler: usually `createRouter({ registry, fallback })` from pipeline. */
  readonly handler: CallHandler;
  /** Plain HTTP endpoints by first path segment (`heartbeat`, `encoding`). @default {} */
  readonly httpRoutes?: HttpRoutes;
}

/** The daemon's listener. */
export interface DaemonServer {
  /** Binds and starts serving; resolves with the bound address. Rejects with LISTEN_FAILED / TLS_SETUP_FAILED. */
  listen(): Promise<{ host: string; port: number }>;
  /**
   * Graceful stop: refuses new connections and calls, lets calls in flight finish for up to
   * `deadlineMs`, then ends the rest with UNAVAILABLE and closes every connection.
   */
  close(deadlineMs: number): Promise<void>;
  /** Live counters. @internal for tests and metrics. */
  stats(): DaemonServerStats;
  /** Replaces the CORS allow-list for the next requests (configuration service). */
  setCors(options: CorsOptions): void;
  /** Re-reads the TLS files now if they changed (they are also polled); a bad pair keeps the current one. */
  reloadTls(): void;
}

/** Live counters of a {@link DaemonServer}. */
export interface DaemonServerStats {
  /** Calls in flight (status not sent yet). */
  readonly activeCalls: number;
  /**
   * Calls whose handler chain has not returned yet: those in flight plus those the client cancelled or whose
   * deadline passed while the handler still settles (e.g. a payment reservation being released). 0 when idle.
   */
  readonly handlersRunning: number;
  /** Open client connections. */
  readonly connections: number;
  /** Calls whose service stream is paused because the client reads slower than the service writes. */
  readonly callsWaitingForClient: number;
  /** Response bytes queued in the daemon for slow clients, summed over calls in flight. */
  readonly responseBufferedBytes: number;
  /** Open HTTP/2 streams over all sessions. */
  readonly http2Streams: number;
  /** Bytes read from / written to client sockets since start (closed and open connections). */
  readonly bytesReceived: number;
  readonly bytesSent: number;
  /** Connections accepted since start, by protocol: `h2c`, `h2` (TLS), `http1`, `https1`. */
  readonly connectionsAccepted: Readonly<Record<ConnectionProtocol, number>>;
}

/** How a client connection speaks, as the listener tells it apart. */
export type ConnectionProtocol = 'h2c' | 'h2' | 'http1' | 'https1';

const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * Creates the one-port server: gRPC over HTTP/2 (h2c or h2), gRPC-Web over HTTP/1.1 and HTTP/2,
 * CORS and plain HTTP routes, routed per request by content-type.
 */
export function createDaemonServer(deps: DaemonServerDeps, options: TransportOptions): DaemonServer {
  return new DaemonServerImpl(deps, options);
}

class DaemonServerImpl implements DaemonServer {
  readonly #logger: Logger;
  readonly #options: TransportOptions;
  readonly #runner: CallRunner;
  readonly #h2: http2.Http2Server;
  readonly #h1: http.Server;
  readonly #sockets = new Set<net.Socket>();
  readonly #counters: TransportCounters = { waitingForClient: 0 };
  readonly #sessions = new Set<http2.ServerHttp2Session>();
  readonly #sessionStreams = new WeakMap<http2.Http2Session, number>();
  readonly #accepted: Record<ConnectionProtocol, number> = { h2c: 0, h2: 0, http1: 0, https1: 0 };
  // Bytes of connections already closed; open ones are read from their sockets at stats() time.
  #closedBytesReceived = 0;
  #closedBytesSent = 0;
  #front: net.Server | undefined;
  #tls: { readonly server: tls.Server; readonly options: TlsFileOptions; stamp: string | undefined } | undefined;
  #reloadTimer: NodeJS.Timeout | undefined;
  #closing = false;
  #cors: CorsPolicy;

  constructor(deps: DaemonServerDeps, options: TransportOptions) {
    this.#logger = deps.logger.child({ component: 'transport' });
    this.#options = options;
    this.#cors = createCorsPolicy(options.cors ?? { allowedOrigins: '*' });
    this.#runner = new CallRunner(this.#logger, deps.handler, {
      maxMessageBytes: options.maxMessageBytes,
      serviceTimeoutMs: options.serviceTimeoutMs ?? 100_000,
      dropMetadata: new Set((options.dropMetadata ?? []).map((name) => name.toLowerCase())),
    });
    const router = new RequestRouter({
      logger: this.#logger,
      runner: this.#runner,
      // Late-bound: setCors() swaps the policy between requests.
      cors: {
        responseHeaders: (origin, extraExposed) => this.#cors.responseHeaders(origin, extraExposed),
        preflight: (origin, requestHeaders, privateNetwork) => this.#cors.preflight(origin, requestHeaders, privateNetwork),
      },
      httpRoutes: deps.httpRoutes ?? {},
      maxMessageBytes: options.maxMessageBytes,
      counters: this.#counters,
      isClosing: () => this.#closing,
      streamClosed: (session) => this.#sessionStreams.set(session, (this.#sessionStreams.get(session) ?? 1) - 1),
    });
    const maxHeaderBytes = options.maxHeaderBytes ?? 65536;
    const connectionWindow = options.connectionWindowBytes ?? 16 << 20;
    // A plain (non-TLS) http2 server also serves TLS sockets we terminate ourselves: one code path.
    this.#h2 = http2.createServer({
      settings: {
        maxConcurrentStreams: options.maxConcurrentStreams ?? 1000,
        initialWindowSize: options.streamWindowBytes ?? 1 << 20,
        maxHeaderListSize: maxHeaderBytes,
        enablePush: false,
      },
      maxSessionMemory: 64,
    });
    this.#h2.on('session', (session: http2.ServerHttp2Session) => {
      this.#sessions.add(session);
      this.#sessionStreams.set(session, 0);
      session.on('close', () => this.#sessions.delete(session));
      session.on('error', () => {
        // Protocol errors from a client: node already closes the session.
      });
      session.once('connect', () => {
        if (connectionWindow > 65535 && !session.destroyed) session.setLocalWindowSize(connectionWindow);
      });
      if (this.#closing) session.close();
    });
    this.#h2.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
      const session = stream.session;
      if (session !== undefined) this.#sessionStreams.set(session, (this.#sessionStreams.get(session) ?? 0) + 1);
      router.onStream(stream, headers, session);
    });
    // Idle sessions only: a long server stream (health Watch) is not idle.
    this.#h2.setTimeout(options.idleTimeoutMs ?? 300_000);
    this.#h2.on('timeout', (session: http2.ServerHttp2Session) => {
      if ((this.#sessionStreams.get(session) ?? 0) === 0) session.close();
    });
    this.#h1 = http.createServer(
      {
        maxHeaderSize: maxHeaderBytes,
        headersTimeout: options.headersTimeoutMs ?? 10_000,
        requestTimeout: options.requestTimeoutMs ?? 300_000,
        keepAliveTimeout: 5_000,
        noDelay: true,
      },
      (req, res) => router.onRequest(req, res),
    );
    this.#h1.on('clientError', (error: NodeJS.ErrnoException, socket: net.Socket) => {
      if (socket.writable && !socket.destroyed) {
        const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
        socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      } else {
        socket.destroy();
      }
    });
  }

  setCors(options: CorsOptions): void {
    this.#cors = createCorsPolicy(options);
  }

  stats(): DaemonServerStats {
    return {
      activeCalls: this.#runner.activeCalls,
      handlersRunning: this.#runner.handlersRunning,
      connections: this.#sockets.size,
      callsWaitingForClient: this.#counters.waitingForClient,
      responseBufferedBytes: this.#runner.responseBufferedBytes(),
      http2Streams: this.#openStreams(),
      bytesReceived: this.#closedBytesReceived + this.#openBytes('bytesRead'),
      bytesSent: this.#closedBytesSent + this.#openBytes('bytesWritten'),
      connectionsAccepted: { ...this.#accepted },
    };
  }

  #openStreams(): number {
    let streams = 0;
    for (const session of this.#sessions) streams += this.#sessionStreams.get(session) ?? 0;
    return streams;
  }

  #openBytes(field: 'bytesRead' | 'bytesWritten'): number {
    let bytes = 0;
    for (const socket of this.#sockets) bytes += socket[field];
    return bytes;
  }

  listen(): Promise<{ host: string; port: number }> {
    let front: net.Server;
    const tlsOptions = this.#options.tls;
    if (tlsOptions === undefined) {
      front = net.createServer({ noDelay: true }, (socket) => this.#accept(socket, undefined));
    } else {
      const pair = this.#initialKeyPair(tlsOptions);
      const server = tls.createServer({
        ...(pair === undefined ? {} : { cert: pair.cert, key: pair.key }),
        minVersion: 'TLSv1.2',
        ALPNProtocols: ['h2', 'http/1.1'],
        handshakeTimeout: this.#options.headersTimeoutMs ?? 10_000,
      });
      server.on('secureConnection', (socket: tls.TLSSocket) => this.#accept(socket, socket.alpnProtocol));
      server.on('tlsClientError', (error: Error) => this.#logger.debug({ err: error }, 'TLS handshake failed'));
      this.#tls = { server, options: tlsOptions, stamp: pair?.stamp };
      this.#watchKeyPair(tlsOptions);
      const challenges = tlsOptions.acmeChallenges;
      const handshakeTimeoutMs = this.#options.headersTimeoutMs ?? 10_000;
      front =
        challenges === undefined
          ? server
          : net.createServer({ noDelay: true }, (socket) => routeTlsConnection(socket, { server, challenges, logger: this.#logger, handshakeTimeoutMs }));
    }
    front.maxConnections = this.#options.maxConnections ?? 4096;
    this.#front = front;
    return new Promise((resolve, reject) => {
      front.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          new SnetError('LISTEN_FAILED', `cannot listen on ${this.#options.host}:${this.#options.port}: ${error.code ?? error.message}`, {
            cause: error,
            hint: 'Pick a free host:port in daemon_endpoint, or stop the process that holds it.',
          }),
        );
      });
      front.listen(this.#options.port, this.#options.host, () => {
        const address = front.address() as net.AddressInfo;
        this.#logger.info({ host: address.address, port: address.port, tls: tlsOptions !== undefined }, 'daemon listening');
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  #accept(socket: net.Socket, alpn: string | false | null | undefined): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      this.#closedBytesReceived += socket.bytesRead;
      this.#closedBytesSent += socket.bytesWritten;
    });
    // After our FIN only the client's is awaited (node ends a closed HTTP/2 session's socket and waits for the peer
    // without a timeout): a client that never closes (seen with grpc-js clients in test/integration/chaos.test.ts)
    // would hold the socket, and a connection slot, forever.
    const lingerMs = this.#options.lingerMs ?? 5000;
    socket.once('finish', () => {
      if (socket.destroyed) return;
      const timer = setTimeout(() => socket.destroy(), lingerMs);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    });
    socket.on('error', () => {
      // Resets and half-open sockets are normal; the protocol servers handle their own state.
    });
    socket.setNoDelay(true);
    if (alpn === 'h2') {
      this.#accepted.h2++;
      this.#h2.emit('connection', socket);
      return;
    }
    if (alpn === 'http/1.1') {
      this.#accepted.https1++;
      this.#h1.emit('connection', socket);
      return;
    }
    // No ALPN (plaintext, or a TLS client without it): the first bytes tell HTTP/2 prior knowledge
    // (the connection preface) from HTTP/1.x. The bytes are put back before handing the socket on.
    const headersTimeoutMs = this.#options.headersTimeoutMs ?? 10_000;
    socket.setTimeout(headersTimeoutMs, () => socket.destroy());
    const sniff = (): void => {
      const chunk = socket.read() as Buffer | null;
      if (chunk === null) {
        socket.once('readable', sniff);
        return;
      }
      const n = Math.min(chunk.length, preface.length);
      if (chunk.length < preface.length && preface.subarray(0, n).equals(chunk.subarray(0, n)) && chunk.length < 3) {
        // Too few bytes to decide ("PR" could still be either): wait for more.
        socket.unshift(chunk);
        socket.once('readable', sniff);
        return;
      }
      socket.setTimeout(0);
      socket.unshift(chunk);
      const tlsSocket = alpn !== undefined;
      if (preface.subarray(0, n).equals(chunk.subarray(0, n))) {
        this.#accepted[tlsSocket ? 'h2' : 'h2c']++;
        this.#h2.emit('connection', socket);
      } else {
        this.#accepted[tlsSocket ? 'https1' : 'http1']++;
        this.#h1.emit('connection', socket);
      }
    };
    socket.once('readable', sniff);
  }

  /** The pair to start with; undefined (no certificate yet) only when the options allow it. */
  #initialKeyPair(options: TlsFileOptions): KeyPair | undefined {
    try {
      return loadKeyPair(options);
    } catch (error) {
      if (options.mayBeMissing !== true) throw error;
      this.#logger.info({ certFile: options.certFile }, 'no usable TLS certificate yet; TLS handshakes fail until it is issued');
      return undefined;
    }
  }

  #watchKeyPair(options: TlsFileOptions): void {
    const intervalMs = options.reloadIntervalMs ?? 3000;
    if (intervalMs <= 0) return;
    this.#reloadTimer = setInterval(() => this.reloadTls(), intervalMs);
    this.#reloadTimer.unref();
  }

  reloadTls(): void {
    const current = this.#tls;
    if (current === undefined) return;
    let stamp: string;
    try {
      stamp = fileStamp(current.options);
    } catch (error) {
      // Before the first automatic certificate the files do not exist yet: that is expected, not worth a warning.
      if (current.stamp !== undefined || current.options.mayBeMissing !== true) this.#logger.warn({ err: error }, 'TLS files unreadable; keeping the current certificate');
      return;
    }
    if (stamp === current.stamp) return;
    try {
      const next = loadKeyPair(current.options);
      current.server.setSecureContext({ cert: next.cert, key: next.key });
      current.stamp = next.stamp;
      this.#logger.info({ certFile: current.options.certFile }, 'TLS certificate reloaded');
    } catch (error) {
      // Half-written files or a mismatched pair: keep serving the last good one (as Go `snetd/cmd/certs_listener.go`).
      this.#logger.warn({ err: error }, 'TLS reload failed; keeping the current certificate');
    }
  }

  /** Resolves when every HTTP/2 session has closed (after GOAWAY, once its streams ended). */
  #sessionsClosed(): Promise<void> {
    const open = [...this.#sessions].filter((session) => !session.destroyed);
    return Promise.all(open.map((session) => once(session, 'close'))).then(() => undefined);
  }

  /** True if `work` settles within `ms`, false on timeout. */
  async #within(ms: number, work: Promise<void>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, ms));
    });
    try {
      return await Promise.race([work.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(deadlineMs: number): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#runner.startClosing();
    if (this.#reloadTimer !== undefined) clearInterval(this.#reloadTimer);
    const front = this.#front;
    const frontClosed = new Promise<void>((resolve) => {
      if (front === undefined || !front.listening) resolve();
      else front.close(() => resolve());
    });
    for (const session of this.#sessions) session.close();
    this.#h1.closeIdleConnections();
    const deadlineAt = Date.now() + Math.max(0, deadlineMs);
    const drained = await this.#within(deadlineAt - Date.now(), this.#runner.idle().then(() => this.#sessionsClosed()));
    if (!drained) {
      this.#logger.warn({ activeCalls: this.#runner.activeCalls }, 'shutdown deadline reached; ending calls in flight');
      this.#runner.abortAll();
      // Let the UNAVAILABLE statuses reach the clients before the sockets go, and the aborted calls' handlers
      // (payment releases) finish before the caller closes storage.
      await this.#within(1000, Promise.all([this.#sessionsClosed(), this.#runner.idle()]).then(() => undefined));
    }
    this.#h1.closeIdleConnections();
    this.#h1.closeAllConnections();
    for (const session of this.#sessions) session.destroy();
    for (const socket of this.#sockets) socket.destroy();
    this.#h1.close();
    this.#h2.close();
    await frontClosed;
  }
}

interface KeyPair {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly stamp: string;
}

function fileStamp(options: TlsFileOptions): string {
  const cert = statSync(options.certFile);
  const key = statSync(options.keyFile);
  return `${cert.mtimeMs}:${cert.size}:${key.mtimeMs}:${key.size}`;
}

/** Reads and validates the pair (a mismatched key fails here, not at the first handshake). */
function loadKeyPair(options: TlsFileOptions): KeyPair {
  try {
    const stamp = fileStamp(options);
    const cert = readFileSync(options.certFile);
    const key = readFileSync(options.keyFile);
    tls.createSecureContext({ cert, key });
    return { cert, key, stamp };
  } catch (error) {
    throw new SnetError('TLS_SETUP_FAILED', `cannot load the TLS key pair (ssl_cert "${options.certFile}", ssl_key "${options.keyFile}")`, {
      cause: error,
      hint: 'Check that ssl_cert and ssl_key point to a readable PEM certificate chain and its private key.',
    });
  }
}
