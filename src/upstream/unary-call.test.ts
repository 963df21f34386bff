import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { SnetError } from '../errors/index.ts';
import { createSilentLogger } from '../shared/index.ts';
import type { Upstream } from './call.ts';
import { createGrpcUpstream } from './grpc-upstream.ts';
import { invokeUnary } from './unary-call.ts';

// A real grpc-js server with pass-through (de)serialisers: it sees the request bytes exactly as sent.
describe('invokeUnary() through the gRPC upstream (real sockets)', () => {
  let server: grpc.Server;
  let upstream: Upstream;
  const seen: { bytes: Buffer; metadata: grpc.Metadata; deadline: grpc.Deadline }[] = [];
  const raw = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };

  before(async () => {
    server = new grpc.Server();
    server.addService(
      {
        echo: { path: '/t.S/echo', requestStream: false, responseStream: false, ...raw },
        fail: { path: '/t.S/fail', requestStream: false, responseStream: false, ...raw },
      },
      {
        echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          seen.push({ bytes: call.request, metadata: call.metadata, deadline: call.getDeadline() });
          callback(null, Buffer.concat([Buffer.from('re:'), call.request]));
        },
        fail: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback({ code: grpc.status.FAILED_PRECONDITION, details: 'no price for you' }),
      },
    );
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err === null ? resolve(p) : reject(err))));
    upstream = createGrpcUpstream({ logger: createSilentLogger() }, { endpoint: `http://127.0.0.1:${port}` });
  });

  after(async () => {
    await upstream.close();
    server.forceShutdown();
  });

  it('behavior: sends the message bytes unchanged with the metadata and deadline; returns the reply', async () => {
    const message = Uint8Array.of(0, 1, 2, 250, 255);
    const result = await invokeUnary(upstream, {
      method: '/t.S/echo',
      message,
      metadata: { 'x-client': 'yes', 'snet-payment-channel-id': '7', 'grpc-accept-encoding': 'gzip', 'user-agent': 'spoof' },
      timeoutMs: 60_000,
      signal: new AbortController().signal,
    });
    assert.deepEqual(result, { ok: true, message: Buffer.concat([Buffer.from('re:'), message]) });
    const last = seen.at(-1);
    assert.deepEqual(last?.bytes, Buffer.from(message));
    assert.deepEqual(last?.metadata.get('x-client'), ['yes']);
    assert.deepEqual(last?.metadata.get('snet-payment-channel-id'), ['7']);
    assert.notDeepEqual(last?.metadata.get('user-agent'), ['spoof']);
    assert.notEqual(last?.deadline, Infinity);
  });

  it('behavior: a non-OK status is a result, not a throw', async () => {
    const result = await invokeUnary(upstream, { method: '/t.S/fail', message: new Uint8Array(), metadata: {}, timeoutMs: undefined, signal: new AbortController().signal });
    assert.deepEqual(result, { ok: false, code: grpc.status.FAILED_PRECONDITION, message: 'no price for you' });
  });

  it('behavior: an unknown method is UNIMPLEMENTED from the service', async () => {
    const result = await invokeUnary(upstream, { method: '/t.S/nope', message: new Uint8Array(), metadata: {}, timeoutMs: undefined, signal: new AbortController().signal });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.code, grpc.status.UNIMPLEMENTED);
  });

  it('error: a service that is down rejects with UPSTREAM_UNAVAILABLE', async () => {
    const down = createGrpcUpstream({ logger: createSilentLogger() }, { endpoint: 'http://127.0.0.1:1' });
    try {
      await assert.rejects(invokeUnary(down, { method: '/t.S/echo', message: new Uint8Array(), metadata: {}, timeoutMs: undefined, signal: new AbortController().signal }), (err: unknown) => err instanceof SnetError && err.code === 'UPSTREAM_UNAVAILABLE');
    } finally {
      await down.close();
    }
  });
});
