import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Code, ConnectError, createClient, type Client } from '@connectrpc/connect';
import { createGrpcWebTransport as createNodeGrpcWebTransport } from '@connectrpc/connect-node';
import { createGrpcWebTransport } from '@connectrpc/connect-web';
import type { DescService } from '@bufbuild/protobuf';
import { startTestService, type TestService } from '../harness/grpc-test-service.ts';
import { testServiceDesc } from '../harness/grpc-web-descriptors.ts';
import { decodeEchoResponse, decodeTextBody, encodeEchoRequest, frame, parseFrames, rawHttp2Request } from '../harness/raw-grpc.ts';
import { startTestDaemon, type TestDaemon } from '../harness/transport-daemon.ts';

interface EchoResponse {
  text: string;
  index: number;
  payload: Uint8Array;
}
type TestClient = Client<DescService> & {
  unary(request: object, options?: object): Promise<EchoResponse>;
  serverStream(request: object): AsyncIterable<EchoResponse>;
  clientStream(requests: AsyncIterable<object>): Promise<EchoResponse>;
  bidi(requests: AsyncIterable<object>): AsyncIterable<EchoResponse>;
};

async function* messages(...items: object[]): AsyncGenerator<object> {
  for (const item of items) yield await Promise.resolve(item);
}

describe('transport: gRPC-Web', () => {
  let service: TestService;
  let daemon: TestDaemon;
  let baseUrl: string;
  let h1: TestClient;
  let h2: TestClient;

  before(async () => {
    service = await startTestService();
    daemon = await startTestDaemon({
      serviceEndpoint: `127.0.0.1:${service.port}`,
      httpRoutes: {
        heartbeat: () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"Online"}\n' }),
        encoding: () => ({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'proto\n' }),
      },
    });
    baseUrl = `http://${daemon.target}`;
    h1 = createClient(testServiceDesc, createGrpcWebTransport({ baseUrl })) as unknown as TestClient;
    h2 = createClient(testServiceDesc, createNodeGrpcWebTransport({ baseUrl, httpVersion: '2' })) as unknown as TestClient;
  });
  after(async () => {
    await daemon.close();
    await service.stop();
  });

  for (const version of ['1.1', '2'] as const) {
    const client = (): TestClient => (version === '1.1' ? h1 : h2);

    it(`behavior: unary over HTTP/${version} with response headers and trailers`, async () => {
      let headers: Headers | undefined;
      let trailers: Headers | undefined;
      const response = await client().unary(
        { text: `web ${version}`, payload: new Uint8Array([9, 8, 7]) },
        { onHeader: (h: Headers) => (headers = h), onTrailer: (t: Headers) => (trailers = t) },
      );
      assert.equal(response.text, `web ${version}`);
      assert.deepEqual([...response.payload], [9, 8, 7]);
      assert.equal(headers?.get('x-response-header'), 'header-value');
      assert.equal(trailers?.get('x-trailer'), 'trailer-value');
    });

    it(`behavior: server streaming over HTTP/${version}`, async () => {
      const indexes: number[] = [];
      let bytes = 0;
      for await (const message of client().serverStream({ repeat: 20, chunkBytes: 50_000 })) {
        indexes.push(message.index);
        bytes += message.payload.length;
      }
      assert.deepEqual(indexes, [...Array(20).keys()]);
      assert.equal(bytes, 20 * 50_000);
    });

    it(`error: service status over HTTP/${version}`, async () => {
      // The test service's grpc-status-details-bin says PERMISSION_DENIED/"why"; connect reads it.
      await assert.rejects(client().unary({ failCode: 7, failMessage: 'not yours' }), (error: unknown) => {
        assert.ok(error instanceof ConnectError);
        assert.equal(error.code, Code.PermissionDenied);
        assert.equal(error.details.length, 0);
        return true;
      });
    });
  }

  it('behavior: client and bidi streaming over HTTP/2', async () => {
    const total = await h2.clientStream(messages({ text: 'a' }, { text: 'b' }));
    assert.equal(total.text, 'a,b');
    const echoed: string[] = [];
    for await (const message of h2.bidi(messages({ text: 'x' }, { text: 'y' }))) echoed.push(message.text);
    assert.deepEqual(echoed, ['x', 'y']);
  });

  it('behavior: text mode (base64) over HTTP/1.1', async () => {
    const body = frame(encodeEchoRequest({ text: 'texty', repeat: 3, chunkBytes: 4 })).toString('base64');
    const response = await fetch(`${baseUrl}/snet.test.TestService/ServerStream`, {
      method: 'POST',
      headers: { 'content-type': 'application/grpc-web-text', 'x-grpc-web': '1', origin: 'https://app.example' },
      body,
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/grpc-web-text+proto');
    assert.equal(response.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.match(response.headers.get('access-control-expose-headers') ?? '', /grpc-status.*x-response-header/);
    const parsed = parseFrames(decodeTextBody(await response.text()));
    assert.deepEqual(parsed.messages.map((m) => decodeEchoResponse(m).index), [0, 1, 2]);
    assert.equal(parsed.trailers?.['grpc-status'], '0');
    assert.equal(parsed.trailers?.['x-trailer'], 'trailer-value');
  });

  it('behavior: text mode over HTTP/2, request split in padded runs', async () => {
    // Each message base64-encoded on its own ("one" pads), as browser clients do.
    const body = Buffer.from(frame(encodeEchoRequest({ text: 'one' })).toString('base64') + frame(encodeEchoRequest({ text: 'two!' })).toString('base64'));
    assert.match(body.toString(), /=.+/, 'padding inside the body');
    const response = await rawHttp2Request(daemon.port, { ':path': '/snet.test.TestService/ClientStream', 'content-type': 'application/grpc-web-text+proto' }, body);
    assert.equal(response.headers[':status'], 200);
    const parsed = parseFrames(decodeTextBody(response.body.toString('latin1')));
    assert.equal(decodeEchoResponse(parsed.messages[0] as Buffer).text, 'one,two!');
    assert.equal(parsed.trailers?.['grpc-status'], '0');
  });

  it('error: a service that sent its headers and then failed without a message: headers stay headers, the status is a trailer frame', async () => {
    const response = await fetch(`${baseUrl}/snet.test.TestService/Unary`, {
      method: 'POST',
      headers: { 'content-type': 'application/grpc-web+proto' },
      body: frame(encodeEchoRequest({ failCode: 3, failMessage: 'bad arg' })),
    });
    assert.equal(response.status, 200);
    // The test service sends x-response-header, then its error: as its own answer is not trailers-only, neither is
    // the daemon's (folded into one header block, the client would read the service's headers as trailers).
    assert.equal(response.headers.get('x-response-header'), 'header-value');
    assert.equal(response.headers.get('grpc-status'), null);
    const parsed = parseFrames(Buffer.from(await response.arrayBuffer()));
    assert.equal(parsed.messages.length, 0);
    assert.equal(parsed.trailers?.['grpc-status'], '3');
    assert.equal(parsed.trailers?.['grpc-message'], 'bad arg');
  });

  it('error: a daemon refusal is a trailers-only gRPC-Web answer (status in the headers, empty body)', async () => {
    const response = await fetch(`${baseUrl}/snet.test.TestService/Unary`, {
      method: 'POST',
      headers: { 'content-type': 'application/grpc-web+proto' },
      // A frame announcing more bytes than the body has: refused by the daemon before the service answers.
      body: Buffer.from([0, 0, 0, 0, 9, 1, 2]),
    });
    assert.equal(response.status, 200);
    assert.notEqual(response.headers.get('grpc-status'), null);
    assert.notEqual(response.headers.get('grpc-status'), '0');
    assert.equal((await response.arrayBuffer()).byteLength, 0);
  });

  it('behavior: CORS preflight echoes the requested headers', async () => {
    const response = await fetch(`${baseUrl}/snet.test.TestService/Unary`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-grpc-web,snet-payment-channel-id',
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.equal(response.headers.get('access-control-allow-headers'), 'content-type,x-grpc-web,snet-payment-channel-id');
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /POST/);
  });

  it('behavior: CORS allow-list refuses other origins', async () => {
    const strict = await startTestDaemon({ serviceEndpoint: `127.0.0.1:${service.port}`, transport: { cors: { allowedOrigins: ['https://good.example'] } } });
    try {
      const good = await fetch(`http://${strict.target}/x.Y/Z`, { method: 'OPTIONS', headers: { origin: 'https://good.example', 'access-control-request-method': 'POST' } });
      assert.equal(good.headers.get('access-control-allow-origin'), 'https://good.example');
      const bad = await fetch(`http://${strict.target}/x.Y/Z`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      assert.equal(bad.headers.get('access-control-allow-origin'), null);
    } finally {
      await strict.close();
    }
  });

  it('behavior: /heartbeat and /encoding over HTTP/1.1 and HTTP/2, 404 elsewhere', async () => {
    const heartbeat = await fetch(`${baseUrl}/heartbeat`);
    assert.equal(heartbeat.status, 200);
    assert.equal(heartbeat.headers.get('content-type'), 'application/json');
    assert.deepEqual(await heartbeat.json(), { status: 'Online' });
    const encoding = await fetch(`${baseUrl}/encoding/anything`);
    assert.equal(await encoding.text(), 'proto\n');
    const missing = await fetch(`${baseUrl}/nothing`);
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), '404 page not found\n');
    const overH2 = await rawHttp2Request(daemon.port, { ':method': 'GET', ':path': '/heartbeat' }, undefined);
    assert.equal(overH2.headers[':status'], 200);
    assert.equal(overH2.body.toString(), '{"status":"Online"}\n');
  });
});
