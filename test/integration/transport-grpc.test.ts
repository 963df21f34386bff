import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { SnetError } from '../../src/errors/index.ts';
import type { Interceptor } from '../../src/pipeline/index.ts';
import { callBidi, callClientStream, callServerStream, callUnary } from '../harness/grpc-test-client.ts';
import { createTestClient, startTestService, testStatusDetails, type TestService } from '../harness/grpc-test-service.ts';
import { freePort } from '../harness/ports.ts';
import { startTestDaemon, type TestDaemon } from '../harness/transport-daemon.ts';

/** Adds snet-user-address the way the payment interceptor will, and rejects calls flagged by the client. */
const paymentLike: Interceptor = (next) => async (ctx) => {
  if (ctx.requestMetadata['x-reject'] !== undefined) throw new SnetError('UPSTREAM_UNAVAILABLE', 'rejected by interceptor');
  const first = await ctx.request.first();
  ctx.upstreamMetadata['snet-user-address'] = '0x1234';
  ctx.upstreamMetadata['x-first-message-bytes'] = String(first?.byteLength ?? -1);
  return next(ctx);
};

describe('transport: gRPC passthrough (h2c)', () => {
  let service: TestService;
  let daemon: TestDaemon;
  let client: grpc.Client;

  before(async () => {
    service = await startTestService();
    daemon = await startTestDaemon({ serviceEndpoint: `127.0.0.1:${service.port}`, interceptors: [paymentLike] });
    client = createTestClient(daemon.target);
  });
  after(async () => {
    client.close();
    await daemon.close();
    await service.stop();
  });

  it('behavior: unary call passes bytes, response headers, trailers and metadata', async () => {
    const result = await callUnary(client, { text: 'hello', payload: Buffer.from([1, 2, 3]) }, { metadata: { 'snet-payment-channel-id': '7', 'snet-user-address': 'spoofed' } });
    assert.equal(result.error, undefined);
    assert.equal(result.response?.text, 'hello');
    assert.deepEqual([...(result.response?.payload ?? [])], [1, 2, 3]);
    assert.deepEqual(result.headers?.get('x-response-header'), ['header-value']);
    assert.deepEqual(result.status.metadata.get('x-trailer'), ['trailer-value']);
    const seen = result.response?.metadata ?? {};
    assert.equal(seen['snet-payment-channel-id'], '7');
    assert.equal(seen['snet-user-address'], '0x1234', 'the interceptor value replaces the client one');
    assert.equal(Number(seen['x-first-message-bytes']) > 0, true);
    assert.match(seen['user-agent'] ?? '', /snetd-ts/);
  });

  it('error: service status, message, details and trailers reach the client', async () => {
    const result = await callUnary(client, { failCode: 7, failMessage: 'nope: ünïcode %' });
    assert.equal(result.status.code, 7);
    assert.equal(result.status.details, 'nope: ünïcode %');
    assert.deepEqual(result.status.metadata.get('grpc-status-details-bin'), [testStatusDetails]);
    assert.deepEqual(result.status.metadata.get('x-trailer'), ['trailer-value']);
  });

  it('behavior: client, server and bidi streaming', async () => {
    const clientStream = await callClientStream(client, [{ text: 'a' }, { text: 'b', payload: Buffer.alloc(1000) }, { text: 'c' }]);
    assert.equal(clientStream.error, undefined);
    assert.equal(clientStream.response?.text, 'a,b,c');
    assert.equal(clientStream.response?.index, 1000);

    const serverStream = await callServerStream(client, { text: 's', repeat: 50, chunkBytes: 10_000 });
    assert.equal(serverStream.error, undefined);
    assert.equal(serverStream.response?.length, 50);
    assert.deepEqual(serverStream.response?.map((r) => r.index), [...Array(50).keys()]);
    assert.deepEqual(serverStream.headers?.get('x-response-header'), ['header-value']);
    assert.deepEqual(serverStream.status.metadata.get('x-trailer'), ['trailer-value']);

    const bidi = await callBidi(client, [{ text: '1' }, { text: '2' }, { text: '3', payload: Buffer.alloc(200_000, 1) }]);
    assert.equal(bidi.error, undefined);
    assert.deepEqual(bidi.response?.map((r) => r.text), ['1', '2', '3']);
    assert.equal(bidi.response?.[2]?.payload.length, 200_000);
  });

  it('behavior: server stream that fails after messages keeps messages and status', async () => {
    const result = await callServerStream(client, { repeat: 3, chunkBytes: 10, failCode: 9, failMessage: 'late failure' });
    assert.equal(result.response?.length, 3);
    assert.equal(result.status.code, 9);
    assert.equal(result.status.details, 'late failure');
  });

  it('behavior: gzip-compressed messages pass through', async () => {
    const gzipClient = createTestClient(daemon.target, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': 2 });
    try {
      const result = await callUnary(gzipClient, { text: 'zip', payload: Buffer.alloc(50_000, 7) });
      assert.equal(result.error, undefined);
      assert.equal(result.response?.payload.length, 50_000);
    } finally {
      gzipClient.close();
    }
  });

  it('error: a message over max_message_size answers RESOURCE_EXHAUSTED and the daemon stays up', async () => {
    const big = await callUnary(client, { payload: Buffer.alloc(5 << 20) });
    assert.equal(big.status.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(big.status.details, /larger than the limit/);
    const reply = await callServerStream(client, { repeat: 1, chunkBytes: 5 << 20 });
    assert.equal(reply.status.code, grpc.status.RESOURCE_EXHAUSTED, 'an oversized service response is refused too');
    const ok = await callUnary(client, { text: 'still up' });
    assert.equal(ok.response?.text, 'still up');
  });

  it('error: an interceptor SnetError maps through the status table', async () => {
    const result = await callUnary(client, { text: 'x' }, { metadata: { 'x-reject': '1' } });
    assert.equal(result.status.code, grpc.status.UNAVAILABLE);
    assert.equal(result.status.details, 'rejected by interceptor');
  });

  it('behavior: the client deadline is enforced and the service sees the cancellation', async () => {
    const cancelled = once(service.events, 'cancelled');
    const result = await callUnary(client, { delayMs: 30_000 }, { deadlineMs: 300 });
    assert.equal(result.status.code, grpc.status.DEADLINE_EXCEEDED);
    await cancelled;
  });

  it('behavior: a client cancel reaches the service', async () => {
    const started = once(service.events, 'call');
    const cancelled = once(service.events, 'cancelled');
    const pending = callUnary(client, { delayMs: 30_000 }, { onCall: (call) => void started.then(() => call.cancel()) });
    const result = await pending;
    assert.equal(result.status.code, grpc.status.CANCELLED);
    await cancelled;
    assert.equal(daemon.server.stats().activeCalls, 0);
  });

  it('behavior: service_timeout applies when the client sends no deadline', async () => {
    const strict = await startTestDaemon({ serviceEndpoint: `127.0.0.1:${service.port}`, transport: { serviceTimeoutMs: 200 } });
    const strictClient = createTestClient(strict.target);
    try {
      const result = await callUnary(strictClient, { delayMs: 30_000 });
      assert.equal(result.status.code, grpc.status.DEADLINE_EXCEEDED);
    } finally {
      strictClient.close();
      await strict.close();
    }
  });
});

describe('transport: service dies mid-stream', () => {
  it('error: the client gets a status, not a hang; the next call gets UNAVAILABLE', async () => {
    const dying = await startTestService();
    const daemon = await startTestDaemon({ serviceEndpoint: `127.0.0.1:${dying.port}` });
    const client = createTestClient(daemon.target);
    try {
      const call = (client as unknown as Record<string, (r: object) => grpc.ClientReadableStream<unknown>>).ServerStream!({ repeat: 1000, chunkBytes: 10, delayMs: 20 });
      const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
      call.on('error', () => {});
      await once(call, 'data');
      await dying.stop();
      const ended = await status;
      assert.notEqual(ended.code, grpc.status.OK);
      const after = await callUnary(client, { text: 'x' });
      assert.equal(after.status.code, grpc.status.UNAVAILABLE);
    } finally {
      client.close();
      await daemon.close();
    }
  });
});

describe('transport: service restart', () => {
  it('behavior: the daemon re-dials the service after its connection closed', async () => {
    const first = await startTestService();
    const port = first.port;
    const daemon = await startTestDaemon({ serviceEndpoint: `127.0.0.1:${port}` });
    const client = createTestClient(daemon.target);
    let second: TestService | undefined;
    try {
      assert.equal((await callUnary(client, { text: 'before' })).response?.text, 'before');
      await first.stop();
      assert.equal((await callUnary(client, { text: 'while down' })).status.code, grpc.status.UNAVAILABLE);
      second = await startTestService({ port });
      assert.equal((await callUnary(client, { text: 'after' })).response?.text, 'after');
    } finally {
      client.close();
      await daemon.close();
      await second?.stop();
    }
  });
});

describe('transport: upstream down', () => {
  it('error: answers UNAVAILABLE with a clear message, and health says NOT_SERVING', async () => {
    // Free a moment ago: nothing listens there.
    const port = await freePort();
    const daemon = await startTestDaemon({ serviceEndpoint: `127.0.0.1:${port}` });
    const client = createTestClient(daemon.target);
    try {
      const result = await callUnary(client, { text: 'x' });
      assert.equal(result.status.code, grpc.status.UNAVAILABLE);
      assert.match(result.status.details, new RegExp(`service at 127.0.0.1:${port} is unavailable: ECONNREFUSED`));
    } finally {
      client.close();
      await daemon.close();
    }
  });
});
