// How /heartbeat and grpc.health.v1.Health learn whether the AI service is up (Go `metrics/heartbeat.go`), with
// the reference's defects fixed: the grpc type accepts host:port and only SERVING counts as healthy.
import { connect as connectTcp } from 'node:net';
import { connect as connectHttp2, constants as http2Constants, type IncomingHttpHeaders } from 'node:http2';

/** Health of the service behind the daemon. */
export type ServingStatus = 'SERVING' | 'NOT_SERVING';

/** Asks the service whether it is up; never throws (a failure is NOT_SERVING). */
export interface ServiceProbe {
  check(): Promise<ServingStatus>;
  /**
   * Why the last check found the service down (`certificate verification failed: …`, `HTTP 503`, `connect
   * ECONNREFUSED …`), or undefined after a healthy one: the down alert and log say it, so an owner sees at once
   * that e.g. a self-signed certificate, not the service, is the problem.
   */
  readonly lastFailure?: string | undefined;
}

/**
 * How to probe: `tcp` connects to the service port; `http` GETs a URL (`https://` too: the certificate is
 * verified against Node's CA store plus `NODE_EXTRA_CA_CERTS`, as any TLS client of the daemon); `grpc` calls
 * Health/Check over plaintext HTTP/2.
 */
export interface ServiceProbeOptions {
  readonly type: 'tcp' | 'http' | 'grpc';
  /** tcp: host and port of the service; http: the URL; grpc: host:port (or grpc:// / http:// URL). */
  readonly target: string;
  /** Service name sent in HealthCheckRequest (grpc type). */
  readonly serviceName?: string;
  /** @default 10000 for tcp/http (the reference's value), 1000 for grpc */
  readonly timeoutMs?: number;
}

/** What one check found: the status, and why when it is down. */
type ProbeResult = readonly [ServingStatus, string | undefined];

const serving: ProbeResult = ['SERVING', undefined];

/** Builds the probe once at start-up. */
export function createServiceProbe(options: ServiceProbeOptions): ServiceProbe {
  const run = probeOf(options);
  let lastFailure: string | undefined;
  return {
    async check() {
      const [status, failure] = await run();
      lastFailure = failure;
      return status;
    },
    get lastFailure() {
      return lastFailure;
    },
  };
}

function probeOf(options: ServiceProbeOptions): () => Promise<ProbeResult> {
  switch (options.type) {
    case 'tcp':
      return () => probeTcp(options.target, options.timeoutMs ?? 10_000);
    case 'http':
      return () => probeHttp(options.target, options.timeoutMs ?? 10_000);
    case 'grpc':
      return () => probeGrpc(options.target, options.serviceName ?? '', options.timeoutMs ?? 1_000);
  }
}

/** The reason of a failed fetch: undici hides the socket or TLS error in `cause`. */
function failureOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as Error & { code?: unknown }).code;
  const tls = typeof code === 'string' && /CERT|UNABLE_TO|VERIFY|^ERR_TLS/.test(code);
  return `${tls ? 'certificate verification failed: ' : ''}${cause.message}`;
}

function probeTcp(target: string, timeoutMs: number): Promise<ProbeResult> {
  const url = new URL(target.includes('://') ? target : `http://${target}`);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port, timeout: timeoutMs });
    const finish = (result: ProbeResult): void => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => finish(serving));
    socket.once('timeout', () => finish(['NOT_SERVING', `no TCP connection to ${host}:${port} within ${timeoutMs} ms`]));
    socket.once('error', (error) => finish(['NOT_SERVING', error.message]));
  });
}

async function probeHttp(url: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    if (response.status !== 200) return ['NOT_SERVING', `HTTP ${response.status}`];
    return body.length > 0 ? serving : ['NOT_SERVING', 'HTTP 200 with an empty body'];
  } catch (error) {
    return ['NOT_SERVING', failureOf(error)];
  }
}

/** HealthCheckRequest{service} as a gRPC frame: field 1, length-delimited string. */
function healthRequestFrame(serviceName: string): Buffer {
  const name = Buffer.from(serviceName, 'utf8');
  const message = name.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a]), encodeVarint(name.length), name]);
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

function encodeVarint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

function probeGrpc(target: string, serviceName: string, timeoutMs: number): Promise<ProbeResult> {
  const authority = target.includes('://') ? target.replace(/^grpc:/, 'http:') : `http://${target}`;
  return new Promise((resolve) => {
    let settled = false;
    const session = connectHttp2(authority);
    const timer = setTimeout(() => finish(['NOT_SERVING', `no Health/Check answer within ${timeoutMs} ms`]), timeoutMs);
    function finish(result: ProbeResult): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(result);
    }
    session.on('error', (error: Error) => finish(['NOT_SERVING', error.message]));
    const stream = session.request({
      [http2Constants.HTTP2_HEADER_METHOD]: 'POST',
      [http2Constants.HTTP2_HEADER_PATH]: '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const chunks: Buffer[] = [];
    let grpcStatus: string | undefined;
    stream.on('trailers', (trailers: IncomingHttpHeaders) => {
      grpcStatus = String(trailers['grpc-status'] ?? '');
    });
    stream.on('response', (headers: IncomingHttpHeaders) => {
      // A trailers-only answer (e.g. UNIMPLEMENTED: no Health service) carries grpc-status in the headers.
      if (headers['grpc-status'] !== undefined) grpcStatus = String(headers['grpc-status']);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (error: Error) => finish(['NOT_SERVING', error.message]));
    stream.on('end', () => {
      // HealthCheckResponse{status=1 (SERVING)} is the 2-byte message 08 01.
      const body = Buffer.concat(chunks);
      if (body.length >= 7 && body[5] === 0x08 && body[6] === 0x01) finish(serving);
      else if (grpcStatus !== undefined && grpcStatus !== '0') finish(['NOT_SERVING', `Health/Check failed with gRPC status ${grpcStatus}`]);
      else finish(['NOT_SERVING', `Health/Check answered status ${body.length >= 7 && body[5] === 0x08 ? (body[6] ?? 0) : 0} (only 1, SERVING, is healthy)`]);
    });
    stream.end(healthRequestFrame(serviceName));
  });
}
