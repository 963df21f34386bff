/**
 * Interop of the built-in HTTP/2 upstream with a second HTTP/2 implementation: a grpc C-core
 * service (Debian python3-grpcio, installed by scripts/ensure-system-packages.sh) behind the daemon.
 * C-core answers with HPACK Huffman strings and its dynamic table, and paces with its own windows.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { startTestDaemon, type TestDaemon } from '../harness/transport-daemon.ts';

const repoDir = path.join(import.meta.dirname, '..', '..');
const identity = (b: Buffer): Buffer => b;
const method = (name: string, stream: boolean): grpc.MethodDefinition<Buffer, Buffer> => ({
  path: `/interop.Echo/${name}`,
  requestStream: stream,
  responseStream: stream,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
});
const EchoClient = grpc.makeGenericClientConstructor({ Unary: method('Unary', false), Bidi: method('Bidi', true), Fail: method('Fail', false) }, 'Echo');
type Client = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

interface UnaryOutcome {
  readonly error: grpc.ServiceError | null;
  readonly response: Buffer | undefined;
  readonly headers: grpc.Metadata | undefined;
  readonly status: grpc.StatusObject;
}

function unary(client: Client, name: string, payload: Buffer): Promise<UnaryOutcome> {
  return new Promise((resolve) => {
    let headers: grpc.Metadata | undefined;
    let error: grpc.ServiceError | null = null;
    let response: Buffer | undefined;
    const call = client[name]!(payload, (e: grpc.ServiceError | null, r?: Buffer) => {
      error = e;
      response = r;
    }) as grpc.ClientUnaryCall;
    call.on('metadata', (m: grpc.Metadata) => (headers = m));
    call.on('status', (status: grpc.StatusObject) => setImmediate(() => resolve({ error, response, headers, status })));
  });
}

describe('upstream: builtin engine against a grpc C-core service (python3-grpcio)', () => {
  let service: ChildProcess;
  let daemon: TestDaemon;
  let client: Client;

  before(async () => {
    execFileSync('bash', [path.join(repoDir, 'scripts', 'ensure-system-packages.sh'), 'python3-grpcio'], { stdio: 'inherit' });
    service = spawn('/usr/bin/python3', [path.join(repoDir, 'test', 'harness', 'python-grpc-echo.py')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let port = 0;
    for await (const line of createInterface({ input: service.stdout! })) {
      port = (JSON.parse(line) as { port: number }).port;
      break;
    }
    daemon = await startTestDaemon({ serviceEndpoint: `127.0.0.1:${port}`, upstreamEngine: 'builtin', transport: { maxMessageBytes: 8 << 20 } });
    client = new EchoClient(daemon.target, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 }) as unknown as Client;
  });
  after(async () => {
    client?.close();
    await daemon?.close();
    if (service?.exitCode === null && service.pid !== undefined) {
      process.kill(service.pid, 'SIGTERM');
      await once(service, 'exit');
    }
  });

  it('behavior: unary calls of several sizes, response headers and trailers (HPACK dynamic table across calls)', async () => {
    for (const size of [0, 100, 100_000, 3 << 20, 100]) {
      const payload = Buffer.alloc(size);
      for (let i = 0; i < size; i += 997) payload[i] = i & 0xff;
      const result = await unary(client, 'Unary', payload);
      assert.equal(result.error, null, `size ${size}`);
      assert.ok(result.response?.equals(payload), `size ${size}`);
      assert.deepEqual(result.headers?.get('x-impl'), ['c-core']);
      assert.deepEqual(result.status.metadata.get('x-trailer'), [`t-${size}`]);
    }
  });

  it('error: the service status, message and trailers reach the client', async () => {
    const result = await unary(client, 'Fail', Buffer.from('x'));
    assert.equal(result.status.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(result.status.details, 'bad input');
    assert.deepEqual(result.status.metadata.get('x-why'), ['because']);
  });

  it('behavior: 64 concurrent calls and a bidi stream of 200 messages', async () => {
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => unary(client, 'Unary', Buffer.alloc(10_000, i))));
    for (const [i, result] of results.entries()) assert.ok(result.response?.equals(Buffer.alloc(10_000, i)));
    const call = client.Bidi!() as grpc.ClientDuplexStream<Buffer, Buffer>;
    const received: Buffer[] = [];
    call.on('data', (chunk: Buffer) => received.push(chunk));
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    for (let i = 0; i < 200; i++) call.write(Buffer.alloc(20_000, i));
    call.end();
    assert.equal((await status).code, grpc.status.OK);
    assert.equal(received.length, 200);
    assert.ok(received.every((m, i) => m.equals(Buffer.alloc(20_000, i))));
  });
});
