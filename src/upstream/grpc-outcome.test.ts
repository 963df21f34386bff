import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import { headerObjectFromList, outcomeFromTrailers } from './grpc-outcome.ts';

describe('headerObjectFromList()', () => {
  it('behavior: builds the same object node:http2 builds from the same raw headers (repeated names, set-cookie, cookie)', async () => {
    const sent: string[] = [
      'x-multi', 'a', 'x-multi', 'b', 'set-cookie', 'c=1', 'set-cookie', 'c=2', 'cookie', 'k=1', 'cookie', 'k=2',
      'content-type', 'application/grpc', 'grpc-status', '5', 'x-bin', 'AAEC',
    ];
    const server = http2.createServer();
    server.on('stream', (stream) => {
      stream.respond([':status', '200', ...sent], { endStream: true });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = http2.connect(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
    try {
      const request = client.request({ ':path': '/' });
      const [headers, , raw] = (await once(request, 'response')) as [http2.IncomingHttpHeaders, number, string[]];
      request.resume();
      const ours = headerObjectFromList(raw);
      assert.deepEqual(Object.fromEntries(Object.entries(ours)), { ...Object.fromEntries(Object.entries(headers)), ':status': String(headers[':status']) });
      assert.deepEqual(outcomeFromTrailers(ours), outcomeFromTrailers(headers));
    } finally {
      client.close();
      server.close();
    }
  });

  it('args: a prototype-polluting name stays an own key', () => {
    const object = headerObjectFromList(['__proto__', 'x', 'constructor', 'y']);
    assert.equal(Object.getPrototypeOf(object), null);
    assert.equal(object['__proto__' as keyof typeof object], 'x');
    assert.equal(({} as Record<string, unknown>)['x'], undefined);
  });
});
