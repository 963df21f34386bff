import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameParser, type FrameHandler } from './frame-parser.ts';
import { HpackDecoder } from './hpack-decoder.ts';
import { writeFrameHeader } from './frame-constants.ts';

/** Counts what the parser reports; a handler that never throws. */
function countingHandler(): FrameHandler & { errors: number; frames: number } {
  const handler = {
    errors: 0,
    frames: 0,
    onDataStart: () => handler.frames++,
    onData: () => {},
    onDataEnd: () => {},
    onHeaderBlock: () => handler.frames++,
    onFrame: () => handler.frames++,
    onConnectionError: () => handler.errors++,
  };
  return handler;
}

describe('h2 parsers on arbitrary input', () => {
  it('behavior: the HPACK decoder never throws and reports a result for any block', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }), (blocks) => {
        const decoder = new HpackDecoder(4096, 8192);
        for (const block of blocks) {
          const out: string[] = [];
          const result = decoder.decode(Buffer.from(block), 0, block.length, out);
          assert.ok(result === undefined || result === 'compression' || result === 'too-large');
          assert.equal(out.length % 2, 0);
          if (result === 'compression') break;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('behavior: the frame parser never throws, reports at most one connection error, and chunking does not change what it sees', () => {
    const frameArb = fc.record({ type: fc.integer({ min: 0, max: 12 }), flags: fc.integer({ min: 0, max: 255 }), streamId: fc.integer({ min: 0, max: 7 }), payload: fc.uint8Array({ maxLength: 64 }) });
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 12 }), fc.integer({ min: 1, max: 40 }), (frames, chunkSize) => {
        const bytes = Buffer.concat(
          frames.map((f) => {
            const buf = Buffer.alloc(9 + f.payload.length);
            writeFrameHeader(buf, 0, f.payload.length, f.type, f.flags, f.streamId);
            Buffer.from(f.payload).copy(buf, 9);
            return buf;
          }),
        );
        const whole = countingHandler();
        new FrameParser(whole).push(bytes);
        const chunked = countingHandler();
        const parser = new FrameParser(chunked);
        for (let i = 0; i < bytes.length; i += chunkSize) parser.push(bytes.subarray(i, i + chunkSize));
        assert.ok(whole.errors <= 1);
        assert.equal(chunked.errors, whole.errors);
        assert.equal(chunked.frames, whole.frames);
      }),
      { numRuns: 2000 },
    );
  });
});
