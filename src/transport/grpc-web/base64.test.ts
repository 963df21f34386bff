import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Base64Encoder, createBase64Decoder } from './base64.ts';

async function decodeAll(chunks: string[]): Promise<Buffer> {
  const decoder = createBase64Decoder();
  const out: Buffer[] = [];
  decoder.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    decoder.on('end', resolve);
    decoder.on('error', reject);
  });
  for (const chunk of chunks) decoder.write(Buffer.from(chunk, 'latin1'));
  decoder.end();
  await done;
  return Buffer.concat(out);
}

describe('createBase64Decoder()', () => {
  it('behavior: chunk boundaries inside groups and padding between runs', async () => {
    const a = Buffer.from('first message');
    const b = Buffer.from('second');
    const text = a.toString('base64') + b.toString('base64');
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += 3) chunks.push(text.slice(i, i + 3));
    assert.deepEqual(await decodeAll(chunks), Buffer.concat([a, b]));
  });
  it('error: non-base64 input fails the stream', async () => {
    await assert.rejects(decodeAll(['!!!!']), /not base64/);
  });
});

describe('Base64Encoder', () => {
  it('behavior: streamed output equals one-shot base64', () => {
    const encoder = new Base64Encoder();
    const data = Buffer.from('0123456789abcdefghij');
    const parts = [encoder.encode(data.subarray(0, 4)), encoder.encode(data.subarray(4, 5)), encoder.encode(data.subarray(5)), encoder.flush()];
    assert.equal(Buffer.concat(parts).toString('latin1'), data.toString('base64'));
  });
});
