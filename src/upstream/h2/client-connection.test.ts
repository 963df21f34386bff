import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { H2ClientConnection } from './client-connection.ts';
import type { ClientStreamEvents } from './client-stream.ts';
import { FrameFlag, FrameType, H2Error, SettingId } from './frame-constants.ts';
import { writeHpackInteger } from './hpack-encoder.ts';
import { RawH2Peer, type SeenFrame } from './testing/raw-h2-peer.ts';

interface Recorded {
  readonly events: ClientStreamEvents;
  readonly log: string[];
  readonly closed: Promise<{ code: number; error: Error | undefined }>;
}

function record(): Recorded {
  const log: string[] = [];
  let done!: (value: { code: number; error: Error | undefined }) => void;
  const closed = new Promise<{ code: number; error: Error | undefined }>((resolve) => (done = resolve));
  return {
    log,
    closed,
    events: {
      onHeaders: (list, endStream) => log.push(`${endStream ? 'trailers' : 'headers'} ${list.join('=')}`),
      onData: (chunk) => log.push(`data ${chunk.toString('latin1')}`),
      onEnd: () => log.push('end'),
      onClose: (code, error) => {
        log.push(`close ${code}`);
        done({ code, error });
      },
    },
  };
}

const settings = (pairs: [number, number][]): Buffer => {
  const buf = Buffer.alloc(6 * pairs.length);
  pairs.forEach(([id, value], i) => {
    buf.writeUInt16BE(id, 6 * i);
    buf.writeUInt32BE(value, 6 * i + 2);
  });
  return buf;
};
const u32 = (value: number): Buffer => {
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(value);
  return buf;
};
const isType = (type: number, streamId?: number) => (f: SeenFrame) => f.type === type && (streamId === undefined || f.streamId === streamId);

describe('H2ClientConnection', () => {
  let peer: RawH2Peer;
  let conn: H2ClientConnection | undefined;
  const connect = async (peerSettings: [number, number][] = []): Promise<H2ClientConnection> => {
    peer = await RawH2Peer.start();
    conn = new H2ClientConnection({ host: '127.0.0.1', port: peer.port, authority: `127.0.0.1:${peer.port}` });
    await peer.connection();
    peer.send(FrameType.SETTINGS, 0, 0, settings(peerSettings));
    await peer.waitFor((f) => f.type === FrameType.SETTINGS && f.flags === FrameFlag.ACK);
    return conn;
  };
  afterEach(async () => {
    await conn?.close();
    conn = undefined;
    await peer.close();
  });

  it('behavior: preface and SETTINGS, a request and its response, trailers end the stream', async () => {
    const c = await connect();
    const first = peer.frames.find(isType(FrameType.SETTINGS));
    assert.deepEqual(first?.payload, settings([[SettingId.ENABLE_PUSH, 0], [SettingId.INITIAL_WINDOW_SIZE, 1 << 20], [SettingId.MAX_HEADER_LIST_SIZE, 65_535]]));
    const update = peer.frames.find(isType(FrameType.WINDOW_UPDATE, 0));
    assert.equal(update?.payload.readUInt32BE(0), (16 << 20) - 65_535);

    const r = record();
    const stream = c.request('/pkg.S/M', ['content-type', 'application/grpc', 'te', 'trailers', 'x-a', '1', 'x-a', '2'], r.events);
    stream.write(Buffer.from('request'));
    stream.end();
    const headers = await peer.waitFor(isType(FrameType.HEADERS, 1));
    assert.deepEqual(headers.headers, [':method', 'POST', ':scheme', 'http', ':authority', `127.0.0.1:${peer.port}`, ':path', '/pkg.S/M', 'content-type', 'application/grpc', 'te', 'trailers', 'x-a', '1', 'x-a', '2']);
    assert.equal(headers.flags & FrameFlag.END_STREAM, 0);
    const data = await peer.waitFor(isType(FrameType.DATA, 1));
    assert.equal(data.payload.toString(), 'request');
    await peer.waitFor((f) => f.type === FrameType.DATA && f.streamId === 1 && f.flags === FrameFlag.END_STREAM);

    peer.send(FrameType.HEADERS, FrameFlag.END_HEADERS, 1, RawH2Peer.headerBlock('200', ['content-type', 'application/grpc']));
    peer.send(FrameType.DATA, 0, 1, Buffer.from('answer'));
    peer.send(FrameType.HEADERS, FrameFlag.END_HEADERS | FrameFlag.END_STREAM, 1, RawH2Peer.headerBlock(undefined, ['grpc-status', '0']));
    const closed = await r.closed;
    assert.equal(closed.code, 0);
    assert.deepEqual(r.log, [':status=200=content-type=application/grpc', 'data answer', 'trailers grpc-status=0', 'end', 'close 0'].map((e, i) => (i === 0 ? `headers ${e}` : e)));
    assert.equal(c.activeStreams, 0);
  });

  it('error: a consumer callback that throws fails this connection (GOAWAY, every call closed), never the process', async () => {
    const c = await connect();
    const other = record();
    c.request('/pkg.S/Other', ['te', 'trailers'], other.events).end();
    const throwing = record();
    const events: ClientStreamEvents = {
      ...throwing.events,
      onData: () => {
        throw new Error('bug in a consumer');
      },
    };
    c.request('/pkg.S/M', ['te', 'trailers'], events).end();
    await peer.waitFor(isType(FrameType.HEADERS, 3));
    peer.send(FrameType.HEADERS, FrameFlag.END_HEADERS, 3, RawH2Peer.headerBlock('200', ['content-type', 'application/grpc']));
    peer.send(FrameType.DATA, 0, 3, Buffer.from('answer'));
    const [mine, theirs] = await Promise.all([throwing.closed, other.closed]);
    assert.equal(mine.code, H2Error.INTERNAL_ERROR);
    assert.match(String(mine.error?.message), /internal error while reading: bug in a consumer/);
    assert.equal(theirs.code, H2Error.INTERNAL_ERROR);
    const goaway = await peer.waitFor(isType(FrameType.GOAWAY, 0));
    assert.equal(goaway.payload.readUInt32BE(4), H2Error.INTERNAL_ERROR);
    assert.equal(c.usable, false);
  });

  it('behavior: PING is acknowledged with the same payload', async () => {
    await connect();
    await peer.roundTrip();
  });

  it('behavior: keepalive PINGs; a PING left unanswered fails the connection', async () => {
    // The interval is driven by hand (mocked setInterval), so no race with a loaded machine decides the outcome.
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      peer = await RawH2Peer.start();
      conn = new H2ClientConnection({ host: '127.0.0.1', port: peer.port, authority: 'x', keepaliveMs: 1000 });
      await peer.connection();
      const r = record();
      conn.request('/p', [], r.events);
      mock.timers.tick(1000);
      const ping = await peer.waitFor((f) => f.type === FrameType.PING && f.flags === 0);
      peer.send(FrameType.PING, FrameFlag.ACK, 0, ping.payload);
      // The client answers the peer's own PING after it has read the ACK sent before it.
      await peer.roundTrip();
      const from = peer.frames.length;
      mock.timers.tick(1000);
      await peer.waitFor((f) => f.type === FrameType.PING && f.flags === 0, from);
      assert.equal(conn.usable, true, 'an answered PING keeps the connection');
      // Not answered: the next interval gives up on the connection.
      mock.timers.tick(1000);
      const closed = await r.closed;
      assert.match(String(closed.error?.message), /keepalive PING/);
      assert.equal(conn.usable, false);
    } finally {
      mock.timers.reset();
    }
  });

  it('error: SETTINGS not acknowledged within the bound fail the connection with SETTINGS_TIMEOUT (mocked timers)', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      for (const acknowledged of [true, false]) {
        peer = await RawH2Peer.start();
        conn = new H2ClientConnection({ host: '127.0.0.1', port: peer.port, authority: 'x', settingsAckTimeoutMs: 5000 });
        assert.equal(await conn.whenConnected(60_000), true);
        const r = record();
        conn.request('/p', [], r.events);
        await peer.waitFor(isType(FrameType.HEADERS, 1));
        if (acknowledged) {
          peer.send(FrameType.SETTINGS, FrameFlag.ACK, 0);
          await peer.roundTrip();
        }
        mock.timers.tick(4999);
        await peer.roundTrip();
        assert.equal(conn.usable, true, 'not before the bound');
        mock.timers.tick(1);
        if (acknowledged) {
          await peer.roundTrip();
          assert.equal(conn.usable, true, 'an acknowledged SETTINGS keeps the connection');
        } else {
          const closed = await r.closed;
          assert.equal(closed.code, H2Error.SETTINGS_TIMEOUT);
          assert.match(String(closed.error?.message), /did not acknowledge SETTINGS within 5000 ms/);
          const goaway = await peer.waitFor(isType(FrameType.GOAWAY));
          assert.equal(goaway.payload.readUInt32BE(4), H2Error.SETTINGS_TIMEOUT);
        }
        await conn.close();
        await peer.close();
      }
      conn = undefined;
      peer = await RawH2Peer.start();
    } finally {
      mock.timers.reset();
    }
  });

  it('error: a service that floods PINGs while it does not read fails the connection (ENHANCE_YOUR_CALM); one that reads does not', async () => {
    const c = await connect();
    const r = record();
    c.request('/p', [], r.events);
    const pings = (count: number): Buffer => {
      const frame = Buffer.alloc(17);
      frame.writeUIntBE(8, 0, 3);
      frame[3] = FrameType.PING;
      return Buffer.concat(Array.from({ length: count }, () => frame));
    };
    // 5000 PINGs in batches of 500, each batch answered before the next: no flood.
    for (let i = 0; i < 10; i++) {
      peer.sendRaw(pings(500));
      await peer.roundTrip();
    }
    assert.equal(c.usable, true);
    // The service stops reading: once the kernel buffers are full, the answers pile up in the daemon.
    const socket = peer.socket as import('node:net').Socket;
    socket.pause();
    let sent = 0;
    let closed = false;
    void r.closed.then(() => (closed = true));
    // Batches of 500, half the limit: only answers that cannot be written add up to it.
    while (!closed && sent < 4_000_000) {
      peer.sendRaw(pings(500));
      sent += 500;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const result = await r.closed;
    assert.equal(result.code, H2Error.ENHANCE_YOUR_CALM);
    assert.match(String(result.error?.message), /more than 1000 control frames to answer/);
    assert.equal(c.usable, false);
  });

  it('behavior: a zero send window stalls DATA; WINDOW_UPDATE and an INITIAL_WINDOW_SIZE change release it', async () => {
    const c = await connect([[SettingId.INITIAL_WINDOW_SIZE, 0]]);
    const r = record();
    const stream = c.request('/p', [], r.events);
    assert.equal(stream.write(Buffer.alloc(1000, 0x61)), true);
    await peer.roundTrip();
    assert.equal(peer.frames.filter(isType(FrameType.DATA, 1)).length, 0, 'nothing may be sent without window');
    assert.equal(stream.writableLength, 1000);

    peer.send(FrameType.WINDOW_UPDATE, 0, 1, u32(400));
    const part = await peer.waitFor(isType(FrameType.DATA, 1));
    assert.equal(part.payload.length, 400);
    const from = peer.frames.length;
    // +1000 on every open stream: the window goes from 0 to 1000, enough for the 600 left.
    peer.send(FrameType.SETTINGS, 0, 0, settings([[SettingId.INITIAL_WINDOW_SIZE, 1000]]));
    const rest = await peer.waitFor(isType(FrameType.DATA, 1), from);
    assert.equal(rest.payload.length, 600);
    assert.equal(stream.writableLength, 0);
  });

  it('behavior: write() reports "full" above the queue limit and drain fires once the window opens', async () => {
    const c = await connect([[SettingId.INITIAL_WINDOW_SIZE, 0]]);
    const stream = c.request('/p', [], record().events);
    assert.equal(stream.write(Buffer.alloc(100 << 10)), true);
    assert.equal(stream.write(Buffer.alloc(100 << 10)), false);
    const drained = new Promise<void>((resolve) => stream.once('drain', resolve));
    peer.send(FrameType.WINDOW_UPDATE, 0, 0, u32(1 << 20));
    peer.send(FrameType.WINDOW_UPDATE, 0, 1, u32(1 << 20));
    await drained;
    assert.ok(stream.writableLength <= 128 << 10);
  });

  it('behavior: with huge windows but a service that does not read, buffering stops at the socket limit', async () => {
    peer = await RawH2Peer.start();
    conn = new H2ClientConnection({ host: '127.0.0.1', port: peer.port, authority: 'x', socketHighWaterBytes: 64 << 10 });
    const socket = await peer.connection();
    peer.send(FrameType.SETTINGS, 0, 0, settings([[SettingId.INITIAL_WINDOW_SIZE, 0x7fff_ffff]]));
    peer.send(FrameType.WINDOW_UPDATE, 0, 0, u32(0x7fff_ffff - 65_535));
    await peer.roundTrip();
    socket.pause();
    const stream = conn.request('/p', [], record().events);
    const chunk = Buffer.alloc(1 << 20);
    let written = 0;
    // Each write is handed on within the windows; only the socket limit can say "full".
    while (stream.write(chunk)) {
      written += chunk.length;
      if (written > 256 << 20) break;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    assert.ok(written < 256 << 20, `write() never reported full after ${written} bytes`);
    const drained = new Promise<void>((resolve) => stream.once('drain', resolve));
    socket.resume();
    await drained;
  });

  it('behavior: a large body is split at the peer frame size and connection window', async () => {
    const c = await connect();
    const stream = c.request('/p', [], record().events);
    stream.write(Buffer.alloc(100_000, 1));
    stream.end();
    // Only 65 535 bytes of connection and stream window: the rest waits for WINDOW_UPDATEs.
    await peer.roundTrip();
    const sent = () => peer.frames.filter(isType(FrameType.DATA, 1));
    assert.ok(sent().every((f) => f.payload.length <= 16_384));
    assert.equal(sent().reduce((n, f) => n + f.payload.length, 0), 65_535);
    peer.send(FrameType.WINDOW_UPDATE, 0, 0, u32(1 << 20));
    await peer.roundTrip();
    assert.equal(sent().reduce((n, f) => n + f.payload.length, 0), 65_535, 'the stream window still holds it');
    peer.send(FrameType.WINDOW_UPDATE, 0, 1, u32(1 << 20));
    await peer.waitFor((f) => f.type === FrameType.DATA && (f.flags & FrameFlag.END_STREAM) !== 0);
    assert.equal(sent().reduce((n, f) => n + f.payload.length, 0), 100_000);
  });

  it('behavior: a paused stream withholds its WINDOW_UPDATE until resumed', async () => {
    const c = await connect();
    const r = record();
    const stream = c.request('/p', [], r.events);
    peer.send(FrameType.HEADERS, FrameFlag.END_HEADERS, 1, RawH2Peer.headerBlock('200', []));
    stream.pause();
    for (let i = 0; i < 20; i++) peer.send(FrameType.DATA, 0, 1, Buffer.alloc(16_384));
    await peer.roundTrip();
    assert.equal(peer.frames.filter(isType(FrameType.WINDOW_UPDATE, 1)).length, 0);
    stream.resume();
    const update = await peer.waitFor(isType(FrameType.WINDOW_UPDATE, 1));
    assert.equal(update.payload.readUInt32BE(0), 20 * 16_384);
  });

  it('behavior: MAX_CONCURRENT_STREAMS makes further streams wait until one closes', async () => {
    const c = await connect([[SettingId.MAX_CONCURRENT_STREAMS, 1]]);
    const one = record();
    const two = record();
    c.request('/one', [], one.events).end();
    c.request('/two', [], two.events).end();
    await peer.roundTrip();
    assert.deepEqual(peer.frames.filter(isType(FrameType.HEADERS)).map((f) => f.streamId), [1]);
    peer.send(FrameType.HEADERS, FrameFlag.END_HEADERS | FrameFlag.END_STREAM, 1, RawH2Peer.headerBlock('200', ['grpc-status', '0']));
    await one.closed;
    const second = await peer.waitFor(isType(FrameType.HEADERS, 3));
    assert.equal(second.headers?.[7], '/two');
  });

  it('behavior: RST_STREAM both ways', async () => {
    const c = await connect();
    const a = record();
    c.request('/a', [], a.events);
    peer.send(FrameType.RST_STREAM, 0, 1, u32(H2Error.REFUSED_STREAM));
    assert.equal((await a.closed).code, H2Error.REFUSED_STREAM);
    const b = record();
    const stream = c.request('/b', [], b.events);
    stream.cancel();
    const rst = await peer.waitFor(isType(FrameType.RST_STREAM, 3));
    assert.equal(rst.payload.readUInt32BE(0), H2Error.CANCEL);
    assert.equal((await b.closed).code, H2Error.CANCEL);
  });

  it('behavior: GOAWAY refuses streams above last-stream-id, finishes the others, and takes no new streams', async () => {
    const c = await connect();
    let gone = false;
    c.onGone = () => (gone = true);
    const a = record();
    const b = record();
    c.request('/a', [], a.events).end();
    c.request('/b', [], b.events).end();
    await peer.waitFor(isType(FrameType.HEADERS, 3));
    const goaway = Buffer.alloc(8);
    goaway.writeUInt32BE(1, 0);
    peer.send(FrameType.GOAWAY, 0, 0, goaway);
    const refused = await b.closed;
    assert.equal(refused.code, H2Error.REFUSED_STREAM);
    assert.match(String(refused.error?.message), /GOAWAY/);
    assert.equal(gone, true);
    assert.equal(c.usable, false);
    peer.send(FrameType.HEADERS, FrameFlag.END_HEADERS | FrameFlag.END_STREAM, 1, RawH2Peer.headerBlock('200', ['grpc-status', '0']));
    assert.equal((await a.closed).code, 0);
  });

  it('behavior: a stream refused by GOAWAY goes again on another connection with its header block and the body written so far', async () => {
    const c = await connect();
    const second = new H2ClientConnection({ host: '127.0.0.1', port: peer.port, authority: `127.0.0.1:${peer.port}` });
    try {
      const log: string[] = [];
      let done!: () => void;
      const closed = new Promise<void>((resolve) => (done = resolve));
      const events: ClientStreamEvents = {
        onHeaders: (list) => log.push(list.join('=')),
        onData: () => {},
        onEnd: () => {},
        onClose: (code) => {
          log.push(`close ${code}`);
          if (code === H2Error.REFUSED_STREAM && stream.replayable) second.adopt(stream);
          else done();
        },
      };
      const stream = c.request('/p', ['x-a', '1'], events);
      stream.write(Buffer.from('one,'));
      stream.write(Buffer.from('two'));
      await peer.waitFor((f) => f.type === FrameType.DATA && f.payload.toString() === 'two');
      const goaway = Buffer.alloc(8);
      peer.send(FrameType.GOAWAY, 0, 0, goaway);
      const again = await peer.waitFor((f) => f.type === FrameType.HEADERS && f.connection === 1);
      assert.deepEqual(again.headers?.slice(6), [':path', '/p', 'x-a', '1']);
      stream.end();
      const end = await peer.waitFor((f) => f.type === FrameType.DATA && f.connection === 1 && (f.flags & FrameFlag.END_STREAM) !== 0);
      const body = peer.frames.filter((f) => f.type === FrameType.DATA && f.connection === 1).map((f) => f.payload.toString()).join('');
      assert.equal(body, 'one,two');
      assert.equal(end.streamId, 1);
      peer.send(FrameType.HEADERS, FrameFlag.END_HEADERS, 1, RawH2Peer.headerBlock('200', []));
      await peer.roundTrip();
      assert.equal(stream.replayable, false, 'a stream the service answered is never replayed');
      peer.send(FrameType.HEADERS, FrameFlag.END_HEADERS | FrameFlag.END_STREAM, 1, RawH2Peer.headerBlock(undefined, ['grpc-status', '0']));
      await closed;
      assert.deepEqual(log, [`close ${H2Error.REFUSED_STREAM}`, ':status=200', 'grpc-status=0', 'close 0']);
    } finally {
      await second.close();
    }
  });

  it('behavior: a body larger than the queue limit is not kept for a replay', async () => {
    const c = await connect([[SettingId.INITIAL_WINDOW_SIZE, 0]]);
    const stream = c.request('/p', [], record().events);
    stream.write(Buffer.alloc(100 << 10));
    assert.equal(stream.replayable, true);
    stream.write(Buffer.alloc(100 << 10));
    assert.equal(stream.replayable, false);
  });

  it('error: a protocol error of the peer fails every stream and sends GOAWAY, without throwing', async () => {
    const bad: [string, (p: RawH2Peer) => void, number][] = [
      ['DATA on an idle stream', (p) => p.send(FrameType.DATA, 0, 99, Buffer.from('x')), H2Error.PROTOCOL_ERROR],
      ['a bad HPACK block', (p) => p.send(FrameType.HEADERS, FrameFlag.END_HEADERS, 1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), H2Error.COMPRESSION_ERROR],
      ['an oversized frame', (p) => p.send(FrameType.PING, 0, 0, Buffer.alloc(20_000)), H2Error.FRAME_SIZE_ERROR],
      ['PUSH_PROMISE', (p) => p.send(FrameType.PUSH_PROMISE, FrameFlag.END_HEADERS, 1, Buffer.alloc(4)), H2Error.PROTOCOL_ERROR],
      ['a zero connection WINDOW_UPDATE', (p) => p.send(FrameType.WINDOW_UPDATE, 0, 0, u32(0)), H2Error.PROTOCOL_ERROR],
      ['a bad MAX_FRAME_SIZE', (p) => p.send(FrameType.SETTINGS, 0, 0, settings([[SettingId.MAX_FRAME_SIZE, 100]])), H2Error.PROTOCOL_ERROR],
    ];
    for (const [what, act, code] of bad) {
      const c = await connect();
      const r = record();
      c.request('/p', [], r.events);
      await peer.waitFor(isType(FrameType.HEADERS, 1));
      act(peer);
      const closed = await r.closed;
      assert.equal(closed.code, code, what);
      assert.ok(closed.error instanceof Error, what);
      const goaway = await peer.waitFor(isType(FrameType.GOAWAY));
      assert.equal(goaway.payload.readUInt32BE(4), code, what);
      assert.equal(c.usable, false, what);
      await c.close();
      await peer.close();
    }
    conn = undefined;
    peer = await RawH2Peer.start();
  });

  it('error: a response header list above the limit resets only that stream (the HPACK table stays in step)', async () => {
    const c = await connect();
    const r = record();
    c.request('/p', [], r.events);
    // One 4000-byte entry added to the dynamic table, then referenced 20 times (index 62): 80 KB decoded from ~4 KB.
    const block = Buffer.alloc(4100);
    let off = 0;
    block[off++] = 0x40;
    block[off++] = 1;
    block[off++] = 0x78; // name "x"
    off = writeHpackInteger(block, off, 4000, 7, 0);
    off += block.write('v'.repeat(4000), off, 'latin1');
    for (let i = 0; i < 20; i++) block[off++] = 0x80 | 62;
    peer.send(FrameType.HEADERS, FrameFlag.END_HEADERS, 1, block.subarray(0, off));
    const rst = await peer.waitFor(isType(FrameType.RST_STREAM, 1));
    assert.equal(rst.payload.readUInt32BE(0), H2Error.ENHANCE_YOUR_CALM);
    assert.equal((await r.closed).code, H2Error.ENHANCE_YOUR_CALM);
    // The connection lives on, and the table entry is usable by the next response.
    const next = record();
    c.request('/q', [], next.events).end();
    await peer.waitFor(isType(FrameType.HEADERS, 3));
    peer.send(FrameType.HEADERS, FrameFlag.END_HEADERS | FrameFlag.END_STREAM, 3, Buffer.concat([Buffer.from([0x88, 0x80 | 62])]));
    assert.equal((await next.closed).code, 0);
    assert.equal(next.log[0], `trailers :status=200=x=${'v'.repeat(4000)}`);
  });

  it('error: an invalid response header field resets only that stream (PROTOCOL_ERROR); invalid values are dropped', async () => {
    const c = await connect();
    const r = record();
    c.request('/p', [], r.events);
    peer.send(FrameType.HEADERS, FrameFlag.END_HEADERS, 1, RawH2Peer.headerBlock('200', ['content-type', 'application/grpc', 'Upper', 'x']));
    const rst = await peer.waitFor(isType(FrameType.RST_STREAM, 1));
    assert.equal(rst.payload.readUInt32BE(0), H2Error.PROTOCOL_ERROR);
    const closed = await r.closed;
    assert.equal(closed.code, H2Error.PROTOCOL_ERROR);
    assert.match(String(closed.error?.message), /invalid response header: upper-case header name "Upper"/);
    assert.equal(r.log.length, 1, 'no headers are handed on');
    const next = record();
    c.request('/q', [], next.events).end();
    await peer.waitFor(isType(FrameType.HEADERS, 3));
    peer.send(FrameType.HEADERS, FrameFlag.END_HEADERS | FrameFlag.END_STREAM, 3, RawH2Peer.headerBlock('200', ['grpc-status', '0', 'x-bad', 'a\r\nb', 'x-ok', '1']));
    assert.equal((await next.closed).code, 0);
    assert.equal(next.log[0], 'trailers :status=200=grpc-status=0=x-ok=1');
  });

  it('error: arbitrary frames from the service never throw and never leave a call hanging', async () => {
    const frameArb = fc.record({ type: fc.integer({ min: 0, max: 10 }), flags: fc.integer({ min: 0, max: 255 }), streamId: fc.constantFrom(0, 1, 2, 3, 5), payload: fc.uint8Array({ maxLength: 40 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 8 }), async (frames) => {
        const c = await connect();
        const r = record();
        c.request('/p', [], r.events);
        await peer.waitFor(isType(FrameType.HEADERS, 1));
        for (const f of frames) peer.send(f.type, f.flags, f.streamId, Buffer.from(f.payload));
        // Either the connection still answers a PING, or the call was closed: never neither.
        const outcome = await Promise.race([peer.roundTrip().then(() => 'alive'), r.closed.then(() => 'closed')]);
        assert.ok(outcome === 'alive' || outcome === 'closed');
        await c.close();
        await r.closed;
        await peer.close();
      }),
      { numRuns: 40 },
    );
    conn = undefined;
    peer = await RawH2Peer.start();
  });

  it('error: the service closing the socket fails open streams; a refused connect fails the stream', async () => {
    const c = await connect();
    const r = record();
    c.request('/p', [], r.events);
    await peer.waitFor(isType(FrameType.HEADERS, 1));
    peer.socket?.destroy();
    const closed = await r.closed;
    assert.equal(closed.code, H2Error.INTERNAL_ERROR);
    assert.ok(closed.error instanceof Error);

    const port = peer.port;
    await peer.close();
    const refused = new H2ClientConnection({ host: '127.0.0.1', port, authority: 'x' });
    const r2 = record();
    refused.request('/p', [], r2.events);
    const failed = await r2.closed;
    assert.equal((failed.error as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    assert.equal(await refused.whenConnected(1000), false);
    peer = await RawH2Peer.start();
  });
});
