import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEnvelopeDecoder, createFrameScanner, encodeEnvelope, type FrameRules } from './envelope.ts';

const rules: FrameRules = { maxMessageBytes: 1000, compressionDeclared: false, direction: 'request' };

function chunked(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

describe('createEnvelopeDecoder()', () => {
  it('behavior: reassembles envelopes fed in 2-byte chunks', () => {
    const stream = Buffer.concat([encodeEnvelope(0, Buffer.from('hello')), encodeEnvelope(0, Buffer.alloc(0)), encodeEnvelope(0, Buffer.from('world!'))]);
    const decoder = createEnvelopeDecoder(rules);
    const seen: string[] = [];
    for (const chunk of chunked(stream, 2)) {
      const result = decoder.push(chunk);
      assert.ok(result.ok);
      for (const envelope of result.value) seen.push(Buffer.from(envelope.data).toString());
    }
    assert.deepEqual(seen, ['hello', '', 'world!']);
    assert.ok(decoder.end().ok);
  });

  it('behavior: a message inside one chunk is a view, not a copy', () => {
    const chunk = encodeEnvelope(0, Buffer.from('abc'));
    const result = createEnvelopeDecoder(rules).push(chunk);
    assert.ok(result.ok);
    assert.equal(result.value[0]?.data.buffer, chunk.buffer);
  });

  it('error: refuses a declared length over the limit before the body arrives', () => {
    const prefix = Buffer.from([0, 0, 0, 0x03, 0xe9]); // 1001 bytes declared
    const result = createEnvelopeDecoder(rules).push(prefix);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'REQUEST_TOO_LARGE');
    assert.equal(result.error.message, 'request message of 1001 bytes is larger than the limit of 1000 bytes');
  });

  it('error: compressed flag without a declared encoding', () => {
    const result = createEnvelopeDecoder(rules).push(encodeEnvelope(1, Buffer.from('x')));
    assert.ok(!result.ok);
    assert.equal(result.error.message, 'request message is marked compressed but no grpc-encoding was declared');
    assert.ok(createEnvelopeDecoder({ ...rules, compressionDeclared: true }).push(encodeEnvelope(1, Buffer.from('x'))).ok);
  });

  it('error: unknown flag bits and truncated input', () => {
    const flagged = createEnvelopeDecoder(rules).push(encodeEnvelope(0x80, Buffer.from('x')));
    assert.ok(!flagged.ok);
    assert.equal(flagged.error.code, 'REQUEST_MALFORMED');
    const decoder = createEnvelopeDecoder(rules);
    assert.ok(decoder.push(encodeEnvelope(0, Buffer.from('abcdef')).subarray(0, 8)).ok);
    const end = decoder.end();
    assert.ok(!end.ok);
    assert.match(end.error.message, /truncated/);
  });
});

describe('createFrameScanner()', () => {
  it('behavior: follows frame boundaries across 1-byte chunks', () => {
    const stream = Buffer.concat([encodeEnvelope(0, Buffer.alloc(300)), encodeEnvelope(0, Buffer.alloc(7))]);
    const scanner = createFrameScanner(rules);
    for (const chunk of chunked(stream, 1)) assert.equal(scanner.scan(chunk), undefined);
    assert.equal(scanner.end(), undefined);
  });

  it('error: the second frame of a chunk is over the limit', () => {
    const stream = Buffer.concat([encodeEnvelope(0, Buffer.alloc(10)), encodeEnvelope(0, Buffer.alloc(1001))]);
    assert.equal(createFrameScanner(rules).scan(stream)?.code, 'REQUEST_TOO_LARGE');
  });

  it('error: a declared length of 2^32 − 1 split over chunks is read unsigned and refused', () => {
    const scanner = createFrameScanner({ ...rules, maxMessageBytes: 2 ** 31 });
    assert.equal(scanner.scan(Buffer.from([0, 0xff, 0xff])), undefined);
    const error = scanner.scan(Buffer.from([0xff, 0xff, 1]));
    assert.equal(error?.code, 'REQUEST_TOO_LARGE');
    assert.match(error.message, /of 4294967295 bytes/);
  });

  it('behavior: a length just under 2^31 passes the check and the scanner then waits for its payload', () => {
    const scanner = createFrameScanner({ ...rules, maxMessageBytes: 2 ** 31 });
    assert.equal(scanner.scan(Buffer.from([0, 0x7f, 0xff, 0xff, 0xff])), undefined);
    assert.equal(scanner.end()?.code, 'REQUEST_MALFORMED');
  });

  it('error: end in the middle of a prefix or a payload', () => {
    const inPrefix = createFrameScanner(rules);
    inPrefix.scan(Buffer.from([0, 0]));
    assert.equal(inPrefix.end()?.code, 'REQUEST_MALFORMED');
    const inPayload = createFrameScanner(rules);
    inPayload.scan(encodeEnvelope(0, Buffer.alloc(10)).subarray(0, 9));
    assert.equal(inPayload.end()?.code, 'REQUEST_MALFORMED');
  });
});
