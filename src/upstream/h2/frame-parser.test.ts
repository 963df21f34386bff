import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FrameParser, type FrameHandler } from './frame-parser.ts';
import { FrameFlag, FrameType, H2Error, writeFrameHeader } from './frame-constants.ts';

function frame(type: number, flags: number, streamId: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  const out = Buffer.alloc(9 + body.length);
  writeFrameHeader(out, 0, body.length, type, flags, streamId);
  body.copy(out, 9);
  return out;
}

/** Records what the parser reports as a readable event list. */
function recorder(): { handler: FrameHandler; events: string[] } {
  const events: string[] = [];
  let data = '';
  const handler: FrameHandler = {
    onDataStart: (streamId, frameBytes, flags) => {
      data = '';
      events.push(`data-start ${streamId} ${frameBytes} ${flags}`);
    },
    onData: (chunk) => {
      data += chunk.toString('latin1');
    },
    onDataEnd: () => events.push(`data "${data}"`),
    onHeaderBlock: (streamId, flags, block) => events.push(`headers ${streamId} ${flags} ${block.toString('latin1')}`),
    onFrame: (type, flags, streamId, payload) => events.push(`frame ${type} ${flags} ${streamId} ${payload.toString('hex')}`),
    onConnectionError: (code, reason) => events.push(`error ${code} ${reason}`),
  };
  return { handler, events };
}

const sample = Buffer.concat([
  frame(FrameType.SETTINGS, 0, 0, Buffer.from('000400100000', 'hex')),
  frame(FrameType.HEADERS, FrameFlag.END_HEADERS, 1, 'abc'),
  frame(FrameType.DATA, 0, 1, 'hello world'),
  frame(FrameType.DATA, FrameFlag.PADDED | FrameFlag.END_STREAM, 1, Buffer.concat([Buffer.from([3]), Buffer.from('xyz'), Buffer.alloc(3)])),
  frame(FrameType.PING, 0, 0, Buffer.alloc(8, 7)),
]);
const sampleEvents = [
  'frame 4 0 0 000400100000',
  'headers 1 4 abc',
  'data-start 1 11 0',
  'data "hello world"',
  'data-start 1 7 9',
  'data "xyz"',
  'frame 6 0 0 0707070707070707',
];

describe('FrameParser', () => {
  it('behavior: several frames in one chunk', () => {
    const { handler, events } = recorder();
    new FrameParser(handler).push(sample);
    assert.deepEqual(events, sampleEvents);
  });

  it('behavior: any split across chunks gives the same frames (down to one byte per chunk)', () => {
    for (let size = 1; size <= sample.length; size++) {
      const { handler, events } = recorder();
      const parser = new FrameParser(handler);
      for (let i = 0; i < sample.length; i += size) parser.push(sample.subarray(i, i + size));
      assert.deepEqual(events, sampleEvents, `chunk size ${size}`);
    }
  });

  it('behavior: DATA payloads stream as views of the chunk without a copy', () => {
    const views: Buffer[] = [];
    const { handler } = recorder();
    const input = frame(FrameType.DATA, 0, 1, 'x'.repeat(1000));
    new FrameParser({ ...handler, onData: (chunk) => views.push(chunk) }).push(input);
    assert.equal(views.length, 1);
    assert.equal(views[0]?.buffer, input.buffer);
  });

  it('behavior: HEADERS with padding and priority, then CONTINUATION frames join into one block', () => {
    const { handler, events } = recorder();
    const parser = new FrameParser(handler);
    const first = Buffer.concat([Buffer.from([2]), Buffer.alloc(5), Buffer.from('ab'), Buffer.alloc(2)]);
    parser.push(frame(FrameType.HEADERS, FrameFlag.PADDED | FrameFlag.PRIORITY | FrameFlag.END_STREAM, 3, first));
    parser.push(frame(FrameType.CONTINUATION, 0, 3, 'cd'));
    parser.push(frame(FrameType.CONTINUATION, FrameFlag.END_HEADERS, 3, 'ef'));
    assert.deepEqual(events, [`headers 3 ${FrameFlag.PADDED | FrameFlag.PRIORITY | FrameFlag.END_STREAM} abcdef`]);
  });

  it('behavior: unknown frame types and PRIORITY are handed on as frames (the connection ignores them)', () => {
    const { handler, events } = recorder();
    new FrameParser(handler).push(Buffer.concat([frame(0xfa, 0xff, 0, 'zz'), frame(FrameType.PRIORITY, 0, 1, Buffer.alloc(5))]));
    assert.deepEqual(events, ['frame 250 255 0 7a7a', 'frame 2 0 1 0000000000']);
  });

  it('error: a frame above the advertised size is a FRAME_SIZE_ERROR and parsing stops', () => {
    const { handler, events } = recorder();
    const parser = new FrameParser(handler);
    parser.push(Buffer.concat([frame(FrameType.DATA, 0, 1, Buffer.alloc(16_385)), frame(FrameType.PING, 0, 0, Buffer.alloc(8))]));
    assert.equal(events.length, 1);
    assert.match(events[0] as string, new RegExp(`^error ${H2Error.FRAME_SIZE_ERROR} `));
    assert.equal(parser.failed, true);
  });

  it('error: padding longer than the frame, interleaved header blocks, stray CONTINUATION, DATA on stream 0', () => {
    const cases: Buffer[] = [
      frame(FrameType.DATA, FrameFlag.PADDED, 1, Buffer.from([5, 1, 2])),
      frame(FrameType.HEADERS, FrameFlag.PADDED | FrameFlag.END_HEADERS, 1, Buffer.from([9, 1])),
      Buffer.concat([frame(FrameType.HEADERS, 0, 1, 'a'), frame(FrameType.DATA, 0, 1, 'b')]),
      Buffer.concat([frame(FrameType.HEADERS, 0, 1, 'a'), frame(FrameType.CONTINUATION, FrameFlag.END_HEADERS, 3, 'b')]),
      frame(FrameType.CONTINUATION, FrameFlag.END_HEADERS, 1, 'a'),
      frame(FrameType.DATA, 0, 0, 'a'),
    ];
    for (const input of cases) {
      const { handler, events } = recorder();
      new FrameParser(handler).push(input);
      assert.equal(events.length, 1, input.toString('hex'));
      assert.match(events[0] as string, new RegExp(`^error ${H2Error.PROTOCOL_ERROR} `));
    }
  });

  it('error: a CONTINUATION flood is cut off (count and block size)', () => {
    const { handler, events } = recorder();
    const parser = new FrameParser(handler, { maxContinuationFrames: 3 });
    parser.push(frame(FrameType.HEADERS, 0, 1, 'a'));
    for (let i = 0; i < 10; i++) parser.push(frame(FrameType.CONTINUATION, 0, 1, 'b'));
    assert.deepEqual(events.map((e) => e.split(' ')[1]), [String(H2Error.ENHANCE_YOUR_CALM)]);
    const big = recorder();
    const parser2 = new FrameParser(big.handler, { maxHeaderBlockBytes: 100 });
    parser2.push(frame(FrameType.HEADERS, 0, 1, Buffer.alloc(60)));
    parser2.push(frame(FrameType.CONTINUATION, 0, 1, Buffer.alloc(60)));
    assert.deepEqual(big.events.map((e) => e.split(' ')[1]), [String(H2Error.ENHANCE_YOUR_CALM)]);
  });
});
