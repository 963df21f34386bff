import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createEchoHandler } from '../../pipeline/index.ts';
import { createSilentLogger } from '../../shared/index.ts';
import { createDaemonServer, type DaemonServer } from './daemon-server.ts';

/** Waits until the server holds no connection; false if it still does after `boundMs`. */
async function connectionsGone(server: DaemonServer, boundMs: number): Promise<boolean> {
  const end = Date.now() + boundMs;
  while (server.stats().connections !== 0) {
    if (Date.now() > end) return false;
    await delay(10);
  }
  return true;
}

/** A client that never closes its side: it reads everything and keeps the socket half-open. */
async function halfOpenClient(port: number, bytes: Buffer): Promise<net.Socket> {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await once(socket, 'connect');
  socket.on('error', () => undefined);
  socket.resume();
  socket.write(bytes);
  return socket;
}

describe('createDaemonServer() connection linger', () => {
  const frame = (type: number, payload: Buffer): Buffer => {
    const header = Buffer.alloc(9);
    header.writeUIntBE(payload.length, 0, 3);
    header[3] = type;
    return Buffer.concat([header, payload]);
  };

  for (const [name, bytes] of [
    ['an HTTP/1.1 request answered 400', Buffer.from('\x16\x03\x01 not http\r\n\r\n')],
    // Preface, empty SETTINGS, GOAWAY(NO_ERROR): the daemon closes the session and ends the socket.
    ['an HTTP/2 session the client ended with GOAWAY', Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(4, Buffer.alloc(0)), frame(7, Buffer.alloc(8))])],
  ] as const) {
    it(`behavior: after ${name}, a client that never closes its side loses the socket after lingerMs`, async () => {
      const server = createDaemonServer({ logger: createSilentLogger(), handler: createEchoHandler() }, { host: '127.0.0.1', port: 0, maxMessageBytes: 1024, lingerMs: 100 });
      const { port } = await server.listen();
      const client = await halfOpenClient(port, bytes);
      try {
        await once(client, 'end');
        assert.equal(server.stats().connections, 1, 'the daemon ended its side and waits for the client');
        assert.ok(await connectionsGone(server, 10_000), 'the half-open socket is destroyed once lingerMs passed');
      } finally {
        client.destroy();
        await server.close(1000);
      }
    });
  }
});
