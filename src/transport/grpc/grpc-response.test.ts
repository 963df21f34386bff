import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import { describe, it } from 'node:test';
import type { CallOutcome } from '../../upstream/index.ts';
import { GrpcResponse } from './grpc-response.ts';

/** One request through a real node:http2 pair; `answer` drives the daemon-side GrpcResponse. */
async function exchange(answer: (response: GrpcResponse) => void): Promise<{ headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders | undefined }> {
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.resume();
    answer(new GrpcResponse(stream, 'application/grpc', 1 << 20, { waitingForClient: 0 }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const client = http2.connect(`http://127.0.0.1:${port}`);
  try {
    const stream = client.request({ ':method': 'POST', ':path': '/p.S/M', 'content-type': 'application/grpc' }, { endStream: true });
    let trailers: http2.IncomingHttpHeaders | undefined;
    stream.on('trailers', (t: http2.IncomingHttpHeaders) => (trailers = t));
    const [headers] = (await once(stream, 'response')) as [http2.IncomingHttpHeaders];
    stream.resume();
    await once(stream, 'close');
    return { headers, trailers };
  } finally {
    client.close();
    server.close();
  }
}

const failed: CallOutcome = { code: 5, message: 'not found', trailers: { 'x-trailer': 't' } };

describe('GrpcResponse', () => {
  it('behavior: the service\'s own response headers stay response headers when an error follows without a message', async () => {
    const { headers, trailers } = await exchange((response) => {
      response.addHeaderList(['x-service-header', 'sent']);
      setImmediate(() => response.finish(failed));
    });
    assert.equal(headers['x-service-header'], 'sent');
    assert.equal(headers['grpc-status'], undefined, 'not folded into a trailers-only answer');
    assert.equal(trailers?.['grpc-status'], '5');
    assert.equal(trailers?.['x-trailer'], 't');
    assert.equal(trailers?.['x-service-header'], undefined);
  });

  it('behavior: with no service headers and no message the answer is trailers-only (daemon refusals)', async () => {
    const { headers, trailers } = await exchange((response) => response.finish(failed));
    assert.equal(headers['grpc-status'], '5');
    assert.equal(headers['x-trailer'], 't');
    assert.equal(trailers, undefined);
  });
});
