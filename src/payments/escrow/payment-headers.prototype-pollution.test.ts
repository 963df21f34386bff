// Prototype-pollution test for the parsers that read client headers (like grpc-js
// test-prototype-pollution.ts): hostile header names must stay plain data and never reach Object.prototype.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerMapFromRawPairs, parseEscrowPaymentHeaders, parsePaymentType, getSingleHeader } from './payment-headers.ts';

const SIG_B64 = Buffer.alloc(65, 7).toString('base64');
const HOSTILE = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__'];

void describe('payment header parsing: prototype pollution', () => {
  void it('behavior: headerMapFromRawPairs() keeps hostile names as own data on a prototype-less map', () => {
    const raw: string[] = [];
    for (const name of HOSTILE) raw.push(name, '{"polluted":true}', name.toUpperCase(), 'again');
    raw.push('snet-payment-channel-id', '1', 'snet-payment-channel-nonce', '0', 'snet-payment-channel-amount', '10');
    raw.push('snet-payment-channel-signature-bin', SIG_B64);
    const headers = headerMapFromRawPairs(raw);

    assert.equal(Object.getPrototypeOf(headers), null);
    assert.deepEqual(headers['__proto__'], ['{"polluted":true}', 'again']);
    assert.deepEqual(headers['constructor'], ['{"polluted":true}', 'again']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    assert.equal(typeof ({}).toString, 'function');

    const parsed = parseEscrowPaymentHeaders(headers);
    assert.deepEqual(parsed, { ok: true, value: { channelId: 1n, nonce: 0n, amount: 10n, signature: new Uint8Array(65).fill(7) } });
  });

  void it('behavior: inherited properties of an ordinary object are never read as headers', () => {
    // A JSON-parsed object has an own "__proto__" key; a plain {} inherits "constructor" and "toString".
    const parsedJson = JSON.parse('{"__proto__": {"snet-payment-channel-id": "666"}}') as Record<string, string>;
    assert.equal(getSingleHeader(parsedJson, 'snet-payment-channel-id').ok, false);
    assert.equal(getSingleHeader({}, 'constructor').ok, false);
    assert.equal(getSingleHeader({}, 'toString').ok, false);
    const inheriting = Object.create({ 'snet-payment-type': 'free-call' }) as Record<string, string>;
    assert.deepEqual(parsePaymentType(inheriting), { ok: true, value: 'escrow' });
  });

  void it('behavior: the parsed payment is a fixed-shape object with the normal prototype and no client-chosen keys', () => {
    const result = parseEscrowPaymentHeaders(
      headerMapFromRawPairs([
        '__proto__', 'x',
        'snet-payment-channel-id', '5',
        'snet-payment-channel-nonce', '6',
        'snet-payment-channel-amount', '7',
        'snet-payment-channel-signature-bin', SIG_B64,
      ]),
    );
    assert.ok(result.ok);
    assert.deepEqual(Object.keys(result.value).sort(), ['amount', 'channelId', 'nonce', 'signature']);
    assert.equal(Object.getPrototypeOf(result.value), Object.prototype);
  });
});
