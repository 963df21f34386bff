import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type * as grpc from '@grpc/grpc-js';
import { callUnary } from '../harness/grpc-test-client.ts';
import { createTestClient, startTestService, type TestService } from '../harness/grpc-test-service.ts';
import { encodeEchoRequest, frame, rawHttp2Request } from '../harness/raw-grpc.ts';
import { startTestDaemon, type TestDaemon } from '../harness/transport-daemon.ts';

const unaryPath = '/snet.test.TestService/Unary';
const grpcHeaders = { ':path': unaryPath, 'content-type': 'application/grpc', te: 'trailers' };

/** Writes raw bytes on a fresh TCP connection and collects what comes back until the daemon closes it. */
async function rawSocket(port: number, bytes: Buffer): Promise<Buffer> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => {});
  socket.end(bytes);
  await once(socket, 'close');
  return Buffer.concat(chunks);
}

/** The status of a raw gRPC response: trailers, or headers for trailers-only. */
function statusOf(response: { headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders }): { code: string | undefined; message: string | undefined } {
  const source = response.trailers['grpc-status'] !== undefined ? response.trailers : response.headers;
  return { code: source['grpc-status'] as string | undefined, message: source['grpc-message'] as string | undefined };
}

describe('transport: malformed input through real sockets', () => {
  let service: TestService;
  let daemon: TestDaemon;
  let client: grpc.Client;

  before(async () => {
    service = await startTestService();
    daemon = await startTestDaemon({ serviceEndpoint: `127.0.0.1:${service.port}`, transport: { maxMessageBytes: 1 << 20 } });
    client = createTestClient(daemon.target);
  });
  after(async () => {
    client.close();
    await daemon.close();
    await service.stop();
  });

  async function assertStillServing(): Promise<void> {
    const result = await callUnary(client, { text: 'alive' });
    assert.equal(result.response?.text, 'alive');
  }

  it('error: garbage bytes get HTTP 400 and the connection is closed', async () => {
    const answer = await rawSocket(daemon.port, Buffer.from('\x16\x03\x01garbage\r\n\r\n'));
    assert.match(answer.toString('latin1'), /^HTTP\/1\.1 400/);
    await assertStillServing();
  });

  it('error: a broken HTTP/2 preface closes that connection only', async () => {
    await rawSocket(daemon.port, Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x04\xff\xff\xff\xff\xff\xff\xff\xff'));
    await assertStillServing();
  });

  it('error: a declared length larger than the body is a truncated message (INTERNAL)', async () => {
    const message = encodeEchoRequest({ text: 'short' });
    const response = await rawHttp2Request(daemon.port, grpcHeaders, frame(message, 0, message.length + 100));
    const status = statusOf(response);
    assert.equal(status.code, '13');
    assert.match(status.message ?? '', /truncated/);
    await assertStillServing();
  });

  it('error: compressed flag without grpc-encoding is refused', async () => {
    const response = await rawHttp2Request(daemon.port, grpcHeaders, frame(encodeEchoRequest({ text: 'x' }), 1));
    const status = statusOf(response);
    assert.equal(status.code, '13');
    assert.match(decodeURIComponent(status.message ?? ''), /compressed but no grpc-encoding/);
  });

  it('error: an oversized declared length answers RESOURCE_EXHAUSTED before the body arrives', async () => {
    const response = await rawHttp2Request(daemon.port, grpcHeaders, frame(Buffer.alloc(10), 0, 50 << 20));
    assert.equal(statusOf(response).code, '8');
    await assertStillServing();
  });

  it('error: a wrong content-type answers HTTP 415', async () => {
    const response = await rawHttp2Request(daemon.port, { ':path': unaryPath, 'content-type': 'text/plain' }, Buffer.from('hello'));
    assert.equal(response.headers[':status'], 415);
    const overH1 = await fetch(`http://${daemon.target}${unaryPath}`, { method: 'POST', headers: { 'content-type': 'application/grpc' }, body: 'x' });
    assert.equal(overH1.status, 415);
    assert.match(await overH1.text(), /requires HTTP\/2/);
  });

  it('error: an invalid grpc-timeout answers INTERNAL', async () => {
    const response = await rawHttp2Request(daemon.port, { ...grpcHeaders, 'grpc-timeout': 'soon' }, frame(encodeEchoRequest({ text: 'x' })));
    assert.equal(statusOf(response).code, '13');
  });

  it('error: gRPC-Web text with invalid base64 answers a clear status', async () => {
    const response = await fetch(`http://${daemon.target}${unaryPath}`, { method: 'POST', headers: { 'content-type': 'application/grpc-web-text' }, body: '!!!not base64!!!' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('grpc-status'), '13');
    assert.match(decodeURIComponent(response.headers.get('grpc-message') ?? ''), /not base64/);
    await assertStillServing();
  });

  it('error: a client that resets mid-request leaves no call behind', async () => {
    const session = http2.connect(`http://127.0.0.1:${daemon.port}`);
    const stream = session.request({ ':method': 'POST', ...grpcHeaders });
    stream.on('error', () => {});
    const message = encodeEchoRequest({ text: 'x' });
    stream.write(frame(message, 0, message.length + 10));
    stream.close(http2.constants.NGHTTP2_CANCEL);
    await once(stream, 'close');
    session.close();
    await assertStillServing();
    assert.equal(daemon.server.stats().activeCalls, 0);
  });

  it('error: oversized HTTP/1.1 headers get 431 and HTTP/2 ones a refused stream', async () => {
    const answer = await rawSocket(daemon.port, Buffer.from(`GET /heartbeat HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(70_000)}\r\n\r\n`));
    assert.match(answer.toString('latin1'), /^HTTP\/1\.1 431/);
    await assert.rejects(rawHttp2Request(daemon.port, { ...grpcHeaders, 'x-big': 'a'.repeat(70_000) }, frame(encodeEchoRequest({ text: 'x' }))));
    await assertStillServing();
  });

  it('behavior: header names like __proto__ do not pollute objects', async () => {
    const hostile = JSON.parse('{"__proto__":"polluted","constructor":"b"}') as Record<string, string>;
    assert.ok(Object.hasOwn(hostile, '__proto__'));
    const response = await rawHttp2Request(daemon.port, { ...grpcHeaders, ...hostile }, frame(encodeEchoRequest({ text: 'proto' })));
    assert.equal(statusOf(response).code, '0');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
