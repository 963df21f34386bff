// How /heartbeat and grpc.health.v1.Health learn whether the AI service is up (Go `metrics/heartbeat.go`), with
// the reference's defects fixed: the grpc type accepts host:port and only SERVING counts as healthy.
import { connect as connectTcp } from 'node:net';
import { connect as connectHttp2, constants as http2Constants } from 'node:http2';

/** Health of the service behind the daemon. */
export type ServingStatus = 'SERVING' | 'NOT_SERVING';

/** Asks the service whether it is up; never throws (a failure is NOT_SERVING). */
export interface ServiceProbe {
  check(): Promise<ServingStatus>;
}

/** How to probe: `tcp` connects to the service port; `http` GETs a URL; `grpc` calls Health/Check. */
export interface ServiceProbeOptions {
  readonly type: 'tcp' | 'http' | 'grpc';
  /** tcp: host and port of the service; http: the URL; grpc: host:port (or grpc:// / http:// URL). */
  readonly target: string;
  /** Service name sent in HealthCheckRequest (grpc type). */
  readonly serviceName?: string;
  /** @default 10000 for tcp/http (the reference's value), 1000 for grpc */
  readonly timeoutMs?: number;
}

/** Builds the probe once at start-up. */
export function createServiceProbe(options: ServiceProbeOptions): ServiceProbe {
  switch (options.type) {
    case 'tcp':
      return { check: () => probeTcp(options.target, options.timeoutMs ?? 10_000) };
    case 'http':
      return { check: () => probeHttp(options.target, options.timeoutMs ?? 10_000) };
    case 'grpc':
      return { check: () => probeGrpc(options.target, options.serviceName ?? '', options.timeoutMs ?? 1_000) };
  }
}

function probeTcp(target: string, timeoutMs: number): Promise<ServingStatus> {
  const url = new URL(target.includes('://') ? target : `http://${target}`);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port, timeout: timeoutMs });
    const finish = (status: ServingStatus): void => {
      socket.destroy();
      resolve(status);
    };
    socket.once('connect', () => finish('SERVING'));
    socket.once('timeout', () => finish('NOT_SERVING'));
    socket.once('error', () => finish('NOT_SERVING'));
  });
}

async function probeHttp(url: string, timeoutMs: number): Promise<ServingStatus> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return response.status === 200 && body.length > 0 ? 'SERVING' : 'NOT_SERVING';
  } catch {
    return 'NOT_SERVING';
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

function probeGrpc(target: string, serviceName: string, timeoutMs: number): Promise<ServingStatus> {
  const authority = target.includes('://') ? target.replace(/^grpc:/, 'http:') : `http://${target}`;
  return new Promise((resolve) => {
    let settled = false;
    const session = connectHttp2(authority);
    const timer = setTimeout(() => finish('NOT_SERVING'), timeoutMs);
    function finish(status: ServingStatus): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(status);
    }
    session.on('error', () => finish('NOT_SERVING'));
    const stream = session.request({
      [http2Constants.HTTP2_HEADER_METHOD]: 'POST',
      [http2Constants.HTTP2_HEADER_PATH]: '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => finish('NOT_SERVING'));
    stream.on('end', () => {
      // HealthCheckResponse{status=1 (SERVING)} is the 2-byte message 08 01.
      const body = Buffer.concat(chunks);
      finish(body.length >= 7 && body[5] === 0x08 && body[6] === 0x01 ? 'SERVING' : 'NOT_SERVING');
    });
    stream.end(healthRequestFrame(serviceName));
  });
}
