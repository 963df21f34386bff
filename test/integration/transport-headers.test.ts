/**
 * Header semantics of the gRPC pass-through, seen on the wire: a raw node:http2 "service" records the
 * header lines it receives and answers with repeated headers and trailers; a raw HTTP/2 client reads
 * the lines the daemon sends back. Pins the reserved headers (Go `handler/grpc.go`), repeated values, the interceptor
 * override of `snet-user-address`, `grpc-timeout` re-derivation and response header/trailer forwarding.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Interceptor } from '../../src/pipeline/index.ts';
import { frame } from '../harness/raw-grpc.ts';
import { startTestDaemon, type TestDaemon } from '../harness/transport-daemon.ts';

/** Sets snet-user-address as the payment interceptor does (replacing any client value). */
const userAddress: Interceptor = (next) => (ctx) => {
  ctx.upstreamMetadata['snet-user-address'] = '0xabc';
  return next(ctx);
};

interface Seen {
  readonly raw: string[];
  readonly body: Buffer;
}

/** name → values in wire order, from a raw header list. */
function lines(raw: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const values = out.get(name) ?? [];
    values.push(raw[i + 1] as string);
    out.set(name, values);
  }
  return out;
}

describe('transport: header forwarding on the wire', () => {
  let service: http2.Http2Server;
  let servicePort: number;
  let daemon: TestDaemon;
  const seen: Seen[] = [];
  /** How the fake service answers: 'full' (headers, DATA, trailers) or 'trailers-only'. */
  let mode: 'full' | 'trailers-only' = 'full';

  before(async () => {
    service = http2.createServer();
    service.on('stream', (stream, _headers, _flags, raw: string[]) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.push({ raw, body });
        if (mode === 'trailers-only') {
          stream.respond([':status', '200', 'content-type', 'application/grpc', 'x-only', 'h', 'grpc-status', '5', 'grpc-message', 'not%20found'], { endStream: true });
          return;
        }
        stream.respond([':status', '200', 'content-type', 'application/grpc', 'x-rep', 'one', 'x-rep', 'two', 'x-single', 'v'], { waitForTrailers: true });
        stream.on('wantTrailers', () => {
          stream.sendTrailers({ 'grpc-status': '0', 'x-trailer': ['t1', 't2'], 'x-trailer-bin': Buffer.from([1, 2, 3]).toString('base64') });
        });
        stream.end(body);
      });
    });
    service.listen(0, '127.0.0.1');
    await once(service, 'listening');
    servicePort = (service.address() as AddressInfo).port;
    daemon = await startTestDaemon({ serviceEndpoint: `127.0.0.1:${servicePort}`, interceptors: [userAddress] });
  });

  after(async () => {
    await daemon.close();
    service.close();
  });

  /** One call through the daemon with the given request header lines; returns the response lines. */
  async function call(requestLines: string[], body: Buffer): Promise<{ headers: string[]; trailers: string[]; body: Buffer }> {
    const session = http2.connect(`http://${daemon.target}`);
    try {
      const stream = session.request([':method', 'POST', ':path', '/pkg.Svc/Method', 'content-type', 'application/grpc', 'te', 'trailers', ...requestLines]);
      stream.end(body);
      let headers: string[] = [];
      let trailers: string[] = [];
      const chunks: Buffer[] = [];
      stream.on('response', (_h, _f, raw: string[]) => (headers = raw));
      stream.on('trailers', (_h, _f, raw: string[]) => (trailers = raw));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      await once(stream, 'close');
      return { headers, trailers, body: Buffer.concat(chunks) };
    } finally {
      session.close();
    }
  }

  it('behavior: the service gets client metadata (repeated values kept), not reserved headers; the interceptor value replaces the client one', async () => {
    seen.length = 0;
    mode = 'full';
    const message = frame(Buffer.from('hello'));
    const answer = await call(
      [
        'x-rep',
        'a',
        'x-rep',
        'b',
        'x-bin',
        Buffer.from([9, 9]).toString('base64'),
        'snet-user-address',
        'spoofed',
        'grpc-timeout',
        '5S',
        'user-agent',
        'evil/1.0',
        'grpc-status',
        '0',
        'grpc-message',
        'x',
        'accept-encoding',
        'gzip',
        'grpc-encoding',
        'identity',
      ],
      message,
    );
    assert.deepEqual(answer.body, message);
    const request = seen[0];
    assert.ok(request);
    assert.deepEqual(request.body, message, 'the frame reaches the service as sent');
    const got = lines(request.raw);
    const joined = (name: string): string | undefined => got.get(name)?.join(', ');
    assert.equal(joined('x-rep'), 'a, b', 'both values of a repeated header reach the service');
    assert.deepEqual(got.get('x-bin'), [Buffer.from([9, 9]).toString('base64')]);
    assert.deepEqual(got.get('snet-user-address'), ['0xabc'], 'exactly one value: the interceptor one');
    assert.deepEqual(got.get('user-agent'), ['snetd-ts']);
    assert.deepEqual(got.get('content-type'), ['application/grpc']);
    assert.deepEqual(got.get('te'), ['trailers']);
    assert.deepEqual(got.get('grpc-encoding'), ['identity']);
    const timeout = got.get('grpc-timeout') ?? [];
    assert.equal(timeout.length, 1);
    assert.match(timeout[0] ?? '', /^\d+m$/, 'grpc-timeout re-derived from the deadline, in ms');
    assert.ok(Number((timeout[0] ?? '').slice(0, -1)) <= 5000);
    for (const reserved of ['grpc-status', 'grpc-message', 'accept-encoding']) assert.equal(got.get(reserved), undefined, reserved);
    assert.deepEqual(got.get(':path'), ['/pkg.Svc/Method']);
    assert.deepEqual(got.get(':authority'), [`127.0.0.1:${servicePort}`]);
  });

  it('behavior: the service headers (repeated ones too) and trailers reach the client; content-type is the daemon one', async () => {
    mode = 'full';
    const answer = await call([], frame(Buffer.from('x')));
    const headers = lines(answer.headers);
    assert.deepEqual(headers.get('x-rep'), ['one', 'two']);
    assert.deepEqual(headers.get('x-single'), ['v']);
    assert.deepEqual(headers.get('content-type'), ['application/grpc']);
    assert.deepEqual(headers.get(':status'), ['200']);
    const trailers = lines(answer.trailers);
    assert.deepEqual(trailers.get('grpc-status'), ['0']);
    assert.deepEqual(trailers.get('x-trailer'), ['t1, t2']);
    assert.deepEqual(trailers.get('x-trailer-bin'), [Buffer.from([1, 2, 3]).toString('base64')]);
  });

  it('behavior: a trailers-only answer stays trailers-only, with the service status and headers', async () => {
    mode = 'trailers-only';
    const answer = await call([], frame(Buffer.from('x')));
    const headers = lines(answer.headers);
    assert.deepEqual(headers.get('grpc-status'), ['5']);
    assert.deepEqual(headers.get('grpc-message'), ['not found'], 'decoded, then re-encoded by the daemon (a space needs no escape)');
    assert.deepEqual(headers.get('x-only'), ['h']);
    assert.deepEqual(headers.get('content-type'), ['application/grpc']);
    assert.equal(answer.body.length, 0);
  });
});
