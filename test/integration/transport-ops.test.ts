import assert from 'node:assert/strict';
import { once } from 'node:events';
import { renameSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createClient } from '@connectrpc/connect';
import { createGrpcWebTransport } from '@connectrpc/connect-node';
import { SnetError } from '../../src/errors/index.ts';
import type { HealthStatus } from '../../src/services/index.ts';
import { callUnary } from '../harness/grpc-test-client.ts';
import { createTestClient, startTestService, type TestService } from '../harness/grpc-test-service.ts';
import { testServiceDesc } from '../harness/grpc-web-descriptors.ts';
import { encodeEchoRequest, frame } from '../harness/raw-grpc.ts';
import { createTestCa, type TestCa } from '../harness/tls-certs.ts';
import { startTestDaemon } from '../harness/transport-daemon.ts';

const identity = (b: Buffer): Buffer => b;
const HealthClient = grpc.makeGenericClientConstructor(
  {
    Check: { path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
    Watch: { path: '/grpc.health.v1.Health/Watch', requestStream: false, responseStream: true, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
    List: { path: '/grpc.health.v1.Health/List', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
  },
  'Health',
);
type HealthClientType = InstanceType<typeof HealthClient> & {
  Check(req: Buffer, cb: (e: grpc.ServiceError | null, r?: Buffer) => void): void;
  List(req: Buffer, cb: (e: grpc.ServiceError | null, r?: Buffer) => void): void;
  Watch(req: Buffer): grpc.ClientReadableStream<Buffer>;
};
/** HealthCheckResponse.status: 1 SERVING, 2 NOT_SERVING. */
const statusByte = (response: Buffer | undefined): number | undefined => (response?.[0] === 0x08 ? response[1] : undefined);

function healthCall(client: HealthClientType, method: 'Check' | 'List'): Promise<{ error: grpc.ServiceError | null; response: Buffer | undefined }> {
  return new Promise((resolve) => client[method](Buffer.alloc(0), (error, response) => resolve({ error, response })));
}

/** Resolves once `predicate` holds, re-checking on each turn of the event loop (bounded by the test timeout). */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('transport: health service', () => {
  it('behavior: Check answers SERVING / NOT_SERVING, Watch streams changes, both skip the paid chain', async () => {
    let status: HealthStatus = 'SERVING';
    const rejectAll = () => () => Promise.reject(new SnetError('UPSTREAM_UNAVAILABLE', 'the payment chain must not see health calls'));
    const daemon = await startTestDaemon({ healthProbe: { check: () => Promise.resolve(status) }, watchIntervalMs: 10, interceptors: [rejectAll] });
    const client = new HealthClient(daemon.target, grpc.credentials.createInsecure()) as HealthClientType;
    try {
      assert.equal(statusByte((await healthCall(client, 'Check')).response), 1);
      status = 'NOT_SERVING';
      const down = await healthCall(client, 'Check');
      assert.equal(down.error, null, 'NOT_SERVING is an answer, not an error');
      assert.equal(statusByte(down.response), 2);
      const list = await healthCall(client, 'List');
      assert.equal(list.error?.code, grpc.status.UNIMPLEMENTED);

      status = 'SERVING';
      const watch = client.Watch(Buffer.alloc(0));
      const seen: number[] = [];
      const ended = new Promise<grpc.StatusObject>((resolve) => watch.on('status', resolve));
      watch.on('error', () => {});
      await new Promise<void>((resolve) => {
        watch.on('data', (message: Buffer) => {
          seen.push(statusByte(message) ?? -1);
          if (seen.length === 1) status = 'NOT_SERVING';
          if (seen.length === 2) resolve();
        });
      });
      assert.deepEqual(seen, [1, 2]);
      watch.cancel();
      assert.equal((await ended).code, grpc.status.CANCELLED);
    } finally {
      client.close();
      await daemon.close();
    }
  });
});

describe('transport: health Watch and shutdown', () => {
  it('behavior: a graceful close ends open Watch streams with OK instead of waiting for the deadline', async () => {
    const daemon = await startTestDaemon({ healthProbe: { check: () => Promise.resolve('SERVING' as const) }, watchIntervalMs: 10 });
    const client = new HealthClient(daemon.target, grpc.credentials.createInsecure()) as HealthClientType;
    try {
      const watch = client.Watch(Buffer.alloc(0));
      watch.on('error', () => {});
      const ended = new Promise<grpc.StatusObject>((resolve) => watch.on('status', resolve));
      await once(watch, 'data');
      await daemon.server.close(60_000);
      assert.equal((await ended).code, grpc.status.OK);
    } finally {
      client.close();
      await daemon.close();
    }
  });
});

describe('transport: echo mode (passthrough_enabled false)', () => {
  it('behavior: any method gets its first request message back', async () => {
    const daemon = await startTestDaemon();
    const client = createTestClient(daemon.target);
    try {
      const result = await callUnary(client, { text: 'echo me', payload: Buffer.from([5, 6]) });
      assert.equal(result.error, undefined);
      assert.equal(result.response?.text, 'echo me');
      assert.deepEqual([...(result.response?.payload ?? [])], [5, 6]);
    } finally {
      client.close();
      await daemon.close();
    }
  });
});

describe('transport: backpressure and graceful shutdown', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
  });
  after(async () => {
    await service.stop();
  });

  it('behavior: a client that does not read pauses the service stream; the daemon buffers a bounded amount', async () => {
    const daemon = await startTestDaemon({ serviceEndpoint: `127.0.0.1:${service.port}`, transport: { maxMessageBytes: 1 << 20 } });
    const chunkBytes = 256 << 10;
    const repeat = 400; // 100 MiB in total
    const session = http2.connect(`http://${daemon.target}`);
    try {
      const stream = session.request({ ':method': 'POST', ':path': '/snet.test.TestService/ServerStream', 'content-type': 'application/grpc', te: 'trailers' });
      stream.end(frame(encodeEchoRequest({ repeat, chunkBytes })));
      await once(stream, 'response');
      stream.pause();
      await until(() => daemon.server.stats().callsWaitingForClient >= 1);
      const stats = daemon.server.stats();
      assert.ok(stats.responseBufferedBytes < 4 << 20, `daemon queued ${stats.responseBufferedBytes} bytes for the client`);
      assert.ok(service.stats.serverStreamBytes < (repeat * chunkBytes) / 2, `service wrote ${service.stats.serverStreamBytes} bytes before being paused`);

      let received = 0;
      let trailers: http2.IncomingHttpHeaders = {};
      stream.on('trailers', (t: http2.IncomingHttpHeaders) => (trailers = t));
      stream.on('data', (chunk: Buffer) => (received += chunk.length));
      stream.resume();
      await once(stream, 'end');
      assert.equal(trailers['grpc-status'], '0');
      assert.ok(received > repeat * chunkBytes, 'every message arrived once the client read again');
    } finally {
      session.close();
      await daemon.close();
    }
  });

  it('behavior: close() lets a call in flight finish, refuses new connections, then stops', async () => {
    const daemon = await startTestDaemon({ serviceEndpoint: `127.0.0.1:${service.port}` });
    const client = createTestClient(daemon.target);
    try {
      const called = once(service.events, 'call');
      const inFlight = callUnary(client, { text: 'finish me', delayMs: 300 });
      await called;
      const closing = daemon.server.close(10_000);
      const result = await inFlight;
      assert.equal(result.error, undefined);
      assert.equal(result.response?.text, 'finish me');
      await closing;
      const late = createTestClient(daemon.target);
      const refused = await callUnary(late, { text: 'late' }, { deadlineMs: 2000 });
      late.close();
      assert.equal(refused.status.code, grpc.status.UNAVAILABLE);
    } finally {
      client.close();
      await daemon.close();
    }
  });

  it('behavior: calls still running at the shutdown deadline end with UNAVAILABLE', async () => {
    const daemon = await startTestDaemon({ serviceEndpoint: `127.0.0.1:${service.port}` });
    const client = createTestClient(daemon.target);
    try {
      const called = once(service.events, 'call');
      const cancelled = once(service.events, 'cancelled');
      const inFlight = callUnary(client, { delayMs: 60_000 });
      await called;
      await daemon.server.close(50);
      const result = await inFlight;
      assert.equal(result.status.code, grpc.status.UNAVAILABLE);
      assert.match(result.status.details, /daemon stopped before the call ended/);
      await cancelled;
    } finally {
      client.close();
      await daemon.close();
    }
  });
});

describe('transport: TLS', () => {
  let ca: TestCa;
  let service: TestService;
  before(async () => {
    ca = createTestCa();
    service = await startTestService();
  });
  after(async () => {
    await service.stop();
    ca.remove();
  });

  function writePair(dir: string, pair: { cert: Buffer; key: Buffer }): { certFile: string; keyFile: string } {
    const certFile = path.join(dir, 'daemon.crt');
    const keyFile = path.join(dir, 'daemon.key');
    // Rename into place so the reloader never reads a half-written file.
    writeFileSync(`${certFile}.tmp`, pair.cert);
    writeFileSync(`${keyFile}.tmp`, pair.key);
    renameSync(`${keyFile}.tmp`, keyFile);
    renameSync(`${certFile}.tmp`, certFile);
    return { certFile, keyFile };
  }

  function peerCommonName(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: ca.caCert, ALPNProtocols: ['h2'] }, () => {
        const name = socket.getPeerCertificate().subject.CN;
        socket.destroy();
        resolve(Array.isArray(name) ? String(name[0]) : String(name));
      });
      socket.on('error', reject);
    });
  }

  it('behavior: gRPC (h2) and gRPC-Web (HTTP/1.1 and h2) over TLS 1.2+, certificate swapped without restart', async () => {
    const files = writePair(ca.dir, ca.issue('first'));
    const daemon = await startTestDaemon({ serviceEndpoint: `127.0.0.1:${service.port}`, transport: { tls: { ...files, reloadIntervalMs: 20 } } });
    // SNI names the certificate's DNS name: an IP address as TLS server name is deprecated (DEP0123).
    const client = createTestClient(`127.0.0.1:${daemon.port}`, grpc.credentials.createSsl(ca.caCert), { 'grpc.ssl_target_name_override': 'localhost' });
    try {
      const result = await callUnary(client, { text: 'secure' });
      assert.equal(result.response?.text, 'secure');

      for (const httpVersion of ['1.1', '2'] as const) {
        const web = createClient(
          testServiceDesc,
          createGrpcWebTransport({ baseUrl: `https://127.0.0.1:${daemon.port}`, httpVersion, nodeOptions: { ca: ca.caCert } }),
        ) as unknown as { unary(r: object): Promise<{ text: string }> };
        assert.equal((await web.unary({ text: `web ${httpVersion}` })).text, `web ${httpVersion}`);
      }

      await assert.rejects(
        new Promise((resolve, reject) => {
          const socket = tls.connect({ host: '127.0.0.1', port: daemon.port, ca: ca.caCert, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }, () => resolve(socket));
          socket.on('error', reject);
        }),
      );

      assert.equal(await peerCommonName(daemon.port), 'first');
      writePair(ca.dir, ca.issue('second'));
      let name = await peerCommonName(daemon.port);
      while (name !== 'second') name = await peerCommonName(daemon.port);
      assert.equal(name, 'second');
      const again = await callUnary(client, { text: 'after swap' });
      assert.equal(again.response?.text, 'after swap');
    } finally {
      client.close();
      await daemon.close();
    }
  });

  it('behavior: an https:// service endpoint is called over TLS', async () => {
    const secureService = await startTestService({ tls: ca.issue('service') });
    const daemon = await startTestDaemon({ serviceEndpoint: `https://127.0.0.1:${secureService.port}`, serviceCa: ca.caCert });
    const client = createTestClient(daemon.target);
    try {
      const result = await callUnary(client, { text: 'to tls service' });
      assert.equal(result.response?.text, 'to tls service');
    } finally {
      client.close();
      await daemon.close();
      await secureService.stop();
    }
  });
});
