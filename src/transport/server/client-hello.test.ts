import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { describe, it } from 'node:test';
import { parseClientHello } from './client-hello.ts';

/** The first flight of a real node:tls client: its ClientHello, as the daemon's listener reads it. */
async function realClientHello(options: tls.ConnectionOptions): Promise<Buffer> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = tls.connect({ ...options, host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
  client.on('error', () => undefined);
  const [socket] = await accepted;
  let bytes = Buffer.alloc(0);
  while (parseClientHello(bytes) === 'incomplete') {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    bytes = Buffer.concat([bytes, chunk]);
  }
  client.destroy();
  socket.destroy();
  server.close();
  return bytes;
}

/** The same ClientHello with its handshake message split over two TLS records. */
function splitIntoTwoRecords(hello: Buffer, at: number): Buffer {
  const body = hello.subarray(5);
  const record = (fragment: Buffer): Buffer => Buffer.concat([Buffer.from([22, 3, 1, fragment.length >> 8, fragment.length & 0xff]), fragment]);
  return Buffer.concat([record(body.subarray(0, at)), record(body.subarray(at))]);
}

describe('parseClientHello()', () => {
  for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`behavior: reads the server name and the ALPN protocols of a real ${maxVersion} ClientHello`, async () => {
      const hello = await realClientHello({ servername: 'Example.ORG', ALPNProtocols: ['acme-tls/1', 'h2'], maxVersion });
      assert.deepEqual(parseClientHello(hello), { serverName: 'example.org', alpnProtocols: ['acme-tls/1', 'h2'] });
    });
  }

  it('behavior: no SNI and no ALPN give an undefined name and an empty list', async () => {
    const hello = await realClientHello({ rejectUnauthorized: false });
    assert.deepEqual(parseClientHello(hello), { serverName: undefined, alpnProtocols: [] });
  });

  it('behavior: every proper prefix is incomplete; the handshake split over two records still parses', async () => {
    const hello = await realClientHello({ servername: 'example.org', ALPNProtocols: ['h2'] });
    for (let n = 0; n < hello.length; n += 7) assert.equal(parseClientHello(hello.subarray(0, n)), 'incomplete', `prefix of ${n} bytes`);
    for (const at of [2, 40, hello.length - 20]) {
      assert.deepEqual(parseClientHello(splitIntoTwoRecords(hello, at)), { serverName: 'example.org', alpnProtocols: ['h2'] }, `split at ${at}`);
    }
  });

  it('error: bytes that are not a TLS ClientHello are refused, never thrown', async () => {
    assert.equal(parseClientHello(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')), undefined);
    assert.equal(parseClientHello(Buffer.from('G')), undefined);
    assert.equal(parseClientHello(Buffer.from([22, 3, 1, 0xff, 0xff])), undefined, 'a record longer than TLS allows');
    assert.equal(parseClientHello(Buffer.from([22, 3, 1, 0, 4, 2, 0, 0, 0])), undefined, 'a ServerHello');
    const hello = await realClientHello({ servername: 'example.org', ALPNProtocols: ['h2'] });
    // Lengths inside the message that run past its end: the extensions length, then an extension's own length.
    for (const corrupt of [0x60, 0x90, hello.length - 10]) {
      const broken = Buffer.from(hello);
      broken[corrupt] = 0xff;
      const parsed = parseClientHello(broken);
      assert.ok(parsed === undefined || typeof parsed === 'object', `byte ${corrupt}: a result or a refusal`);
    }
    const truncatedMessage = Buffer.from(hello);
    truncatedMessage.writeUIntBE(hello.length - 9 - 50, 6, 3); // the message claims fewer bytes than its fields use
    assert.equal(parseClientHello(truncatedMessage), undefined);
  });
});
