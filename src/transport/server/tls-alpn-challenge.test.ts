import assert from 'node:assert/strict';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { createTestCa, type TestCa } from '../../../test/harness/tls-certs.ts';
import { createEchoHandler } from '../../pipeline/index.ts';
import { createSilentLogger } from '../../shared/index.ts';
import { createDaemonServer, type DaemonServer } from './daemon-server.ts';
import type { TlsAlpnChallengeSource } from './tls-alpn-challenge.ts';

interface Handshake {
  readonly subject: string;
  readonly alpn: string | false | null;
}

function handshake(port: number, options: tls.ConnectionOptions): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
      const subject = String(socket.getPeerCertificate().subject.CN);
      resolve({ subject, alpn: socket.alpnProtocol });
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

/** A challenge source as the ACME client keeps it, switched on and off by the test. */
function challengeSource(serverName: string, context: tls.SecureContext): TlsAlpnChallengeSource & { pending: boolean } {
  return { pending: true, contextFor: (name) => (name === serverName ? context : undefined) };
}

describe('TLS-ALPN-01 on the daemon listener', () => {
  let ca: TestCa;
  let dir: string;
  let certFile: string;
  let keyFile: string;
  let challengeContext: tls.SecureContext;

  before(() => {
    ca = createTestCa();
    dir = mkdtempSync(join(tmpdir(), 'snetd-alpn-'));
    const daemon = ca.issue('daemon');
    [certFile, keyFile] = [join(dir, 'daemon.crt'), join(dir, 'daemon.key')];
    writeFileSync(certFile, daemon.cert);
    writeFileSync(keyFile, daemon.key);
    const challenge = ca.issue('acme-challenge');
    challengeContext = tls.createSecureContext({ cert: challenge.cert, key: challenge.key });
  });
  after(() => {
    ca.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (challenges: TlsAlpnChallengeSource, files = { certFile, keyFile }, mayBeMissing = false): Promise<{ server: DaemonServer; port: number }> => {
    const server = createDaemonServer(
      { logger: createSilentLogger(), handler: createEchoHandler() },
      { host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20, tls: { ...files, mayBeMissing, acmeChallenges: challenges, reloadIntervalMs: 0 } },
    );
    return { server, port: (await server.listen()).port };
  };

  it('behavior: while a challenge is pending, a validation gets the challenge certificate and every other client the real one', async () => {
    const { server, port } = await start(challengeSource('localhost', challengeContext));
    try {
      assert.deepEqual(await handshake(port, { servername: 'localhost', ALPNProtocols: ['acme-tls/1'] }), { subject: 'acme-challenge', alpn: 'acme-tls/1' });
      assert.deepEqual(await handshake(port, { servername: 'LOCALHOST', ALPNProtocols: ['acme-tls/1'], maxVersion: 'TLSv1.2' }), { subject: 'acme-challenge', alpn: 'acme-tls/1' }, 'TLS 1.2, name in upper case');
      assert.deepEqual(await handshake(port, { servername: 'localhost', ALPNProtocols: ['h2'] }), { subject: 'daemon', alpn: 'h2' });
      assert.deepEqual(await handshake(port, { servername: 'localhost' }), { subject: 'daemon', alpn: false }, 'no ALPN offered');
      // The bytes read to find the ALPN offer reach the real server intact: a whole HTTPS request is answered.
      const status = await new Promise<number>((resolve, reject) => {
        https.get({ host: '127.0.0.1', port, path: '/nothing-here', servername: 'localhost', ca: ca.caCert }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      assert.equal(status, 404);
    } finally {
      await server.close(1000);
    }
  });

  it('behavior: a validation for another name, or after the challenge ended, never gets the challenge certificate', async () => {
    const source = challengeSource('localhost', challengeContext);
    const { server, port } = await start(source);
    try {
      const other = await handshake(port, { servername: 'example.org', ALPNProtocols: ['acme-tls/1'] }).catch((error: Error) => error);
      assert.ok(other instanceof Error || other.subject === 'daemon', 'refused or the real certificate');
      source.pending = false;
      const late = await handshake(port, { servername: 'localhost', ALPNProtocols: ['acme-tls/1'] }).catch((error: Error) => error);
      assert.ok(late instanceof Error || late.subject === 'daemon', 'refused or the real certificate');
      assert.deepEqual(await handshake(port, { servername: 'localhost', ALPNProtocols: ['h2'] }), { subject: 'daemon', alpn: 'h2' });
    } finally {
      await server.close(1000);
    }
  });

  it('error: bytes that are not TLS, or a client that sends nothing useful, are closed and the listener keeps serving', async () => {
    const { server, port } = await start(challengeSource('localhost', challengeContext));
    try {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      socket.end('GET / HTTP/1.1\r\n\r\n');
      await once(socket, 'close');
      const reset = net.connect({ host: '127.0.0.1', port });
      reset.on('error', () => undefined);
      await once(reset, 'connect');
      reset.write(Buffer.from([22, 3, 1, 0, 200, 1])); // the start of a ClientHello, then a reset
      reset.resetAndDestroy();
      assert.deepEqual(await handshake(port, { servername: 'localhost', ALPNProtocols: ['acme-tls/1'] }), { subject: 'acme-challenge', alpn: 'acme-tls/1' });
    } finally {
      await server.close(1000);
    }
  });

  it('behavior: with mayBeMissing the listener starts before the certificate exists and serves it once reloaded', async () => {
    const later = { certFile: join(dir, 'later.crt'), keyFile: join(dir, 'later.key') };
    const { server, port } = await start(challengeSource('localhost', challengeContext), later, true);
    try {
      await assert.rejects(handshake(port, { servername: 'localhost', ALPNProtocols: ['h2'] }), 'no certificate yet: the handshake fails');
      assert.equal((await handshake(port, { servername: 'localhost', ALPNProtocols: ['acme-tls/1'] })).subject, 'acme-challenge', 'the challenge is answered meanwhile');
      copyFileSync(keyFile, later.keyFile);
      copyFileSync(certFile, later.certFile);
      server.reloadTls();
      assert.deepEqual(await handshake(port, { servername: 'localhost', ALPNProtocols: ['h2'] }), { subject: 'daemon', alpn: 'h2' });
    } finally {
      await server.close(1000);
    }
  });
});
