// The header parsers against what node:http2 really delivers over a socket (malformed input
// through real sockets): both the `headers` object (repeats joined with ", ") and `rawHeaders`.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { headerMapFromRawPairs, parseEscrowPaymentHeaders, type ParseResult, type EscrowPaymentHeaders } from './payment-headers.ts';

interface Seen {
  fromHeaders: ParseResult<EscrowPaymentHeaders>;
  fromRaw: ParseResult<EscrowPaymentHeaders>;
}

const SIG = Buffer.alloc(65, 0xab);

void describe('payment headers over a real node:http2 socket', () => {
  let server: http2.Http2Server;
  let client: http2.ClientHttp2Session;
  const seen: Seen[] = [];

  before(async () => {
    server = http2.createServer();
    server.on('stream', (stream, headers, _flags, rawHeaders) => {
      // IncomingHttpHeaders must be accepted as a HeaderMap without conversion.
      seen.push({ fromHeaders: parseEscrowPaymentHeaders(headers), fromRaw: parseEscrowPaymentHeaders(headerMapFromRawPairs(rawHeaders)) });
      stream.respond({ ':status': 200 });
      stream.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await once(client, 'connect');
  });

  after(async () => {
    client.close();
    await once(client, 'close');
    server.close();
    await once(server, 'close');
  });

  async function send(headers: http2.OutgoingHttpHeaders): Promise<Seen> {
    const request = client.request({ ':method': 'POST', ':path': '/pkg.Svc/Method', 'content-type': 'application/grpc', ...headers });
    request.end();
    request.resume();
    await once(request, 'end');
    const last = seen.at(-1);
    assert.ok(last !== undefined);
    return last;
  }

  const valid = {
    'snet-payment-channel-id': '42',
    'snet-payment-channel-nonce': '3',
    'snet-payment-channel-amount': '1000',
    'snet-payment-channel-signature-bin': SIG.toString('base64').replace(/=+$/, ''),
  };

  void it('behavior: a valid escrow call parses from both header forms (unpadded base64)', async () => {
    const { fromHeaders, fromRaw } = await send(valid);
    const expected = { ok: true, value: { channelId: 42n, nonce: 3n, amount: 1000n, signature: new Uint8Array(SIG) } };
    assert.deepEqual(fromHeaders, expected);
    assert.deepEqual(fromRaw, expected);
  });

  void it('error: a repeated channel id is "too many values" from both forms (node joins repeats with ", ")', async () => {
    const { fromHeaders, fromRaw } = await send({ ...valid, 'snet-payment-channel-id': ['42', '43'] });
    for (const result of [fromHeaders, fromRaw]) {
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.message, 'too many values for key "snet-payment-channel-id": [42 43]');
    }
  });

  void it('error: a negative nonce is rejected with the reference text', async () => {
    const { fromHeaders } = await send({ ...valid, 'snet-payment-channel-nonce': '-3' });
    assert.equal(fromHeaders.ok, false);
    if (!fromHeaders.ok) assert.equal(fromHeaders.error.message, 'incorrect format "snet-payment-channel-nonce": "-3"');
  });

  void it('behavior: hostile header names do not pollute prototypes on the server side', async () => {
    const { fromRaw } = await send({ ...valid, constructor: 'x', ['__proto__' as string]: 'y', tostring: 'z' });
    assert.equal(fromRaw.ok, true);
    assert.equal(({} as Record<string, unknown>)['y'], undefined);
  });
});
