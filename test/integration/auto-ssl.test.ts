// Automatic certificates against a real ACME server (pebble on 127.0.0.1) through `snetd serve`: the HTTP-01
// and TLS-ALPN-01 challenges answered by the daemon, a gRPC call over the issued certificate, the certificate
// cached 0600, renewal without a restart, the renewal-loop guard, and clear start-up errors when the domain
// cannot be validated or the renewal window cannot work.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { privateKeyToAddress } from '../../src/blockchain/index.ts';
import { startPebble, type TestPebble } from '../harness/pebble.ts';
import { freePort } from '../harness/ports.ts';
import { runSnetd, startSnetd, type RunningCli } from '../harness/run-cli.ts';

function servedCertificate(port: number, ca: string): Promise<{ serial: string; issuer: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca, ALPNProtocols: ['h2'] }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve({ serial: cert.serialNumber, issuer: String(cert.issuer.CN ?? '') });
    });
    socket.on('error', reject);
  });
}

async function echoOverTls(port: number, root: string): Promise<number[]> {
  const client = new grpc.Client(`localhost:${port}`, grpc.credentials.createSsl(Buffer.from(root)));
  try {
    const echoed = await new Promise<Buffer>((resolve, reject) => {
      client.makeUnaryRequest('/any.Service/Echo', (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 0x02, 0x68, 0x69]), (error, value) => (error === null && value !== undefined ? resolve(value) : reject(error ?? new Error('no reply'))));
    });
    return [...echoed];
  } finally {
    client.close();
  }
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

const adminKey = `0x${'44'.repeat(32)}` as const;

/** Pebble's certificates live this long here, so that renewals happen within a test. */
const lifetimeSeconds = 30;

describe('automatic certificates (auto_ssl_domain) against pebble', () => {
  let dir: string;
  let pebble: TestPebble;
  let challengePort: number;
  /** The daemon port of the TLS-ALPN-01 test: pebble's validation port is fixed when it starts. */
  let alpnPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snetd-acme-'));
    writeFileSync(join(dir, 'admin.key'), `${adminKey.slice(2)}\n`, { mode: 0o600 });
    challengePort = await freePort();
    alpnPort = await freePort();
    pebble = await startPebble({ httpPort: challengePort, tlsPort: alpnPort, certificateValiditySeconds: lifetimeSeconds });
  });
  after(async () => {
    await pebble.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const daemonFlags = (port: number, cacheDir: string, extra: string[]): string[] => [
    '--set', 'blockchain_enabled=false', '--set', 'passthrough_enabled=false', '--set', `daemon_endpoint=127.0.0.1:${port}`, '--set', 'log.output.type=stdout',
    '--set', 'auto_ssl_domain=localhost', '--set', `auto_ssl_cache_dir=${join(dir, cacheDir)}`, '--set', `auto_ssl_directory_url=${pebble.directoryUrl}`,
    '--set', `auto_ssl_http_port=${challengePort}`, '--set', `authentication_addresses=${privateKeyToAddress(adminKey)}`, ...extra,
  ];
  const serve = (port: number, cacheDir: string, extra: string[]): RunningCli =>
    startSnetd(['serve', ...daemonFlags(port, cacheDir, extra)], { cwd: dir, env: { NODE_EXTRA_CA_CERTS: pebble.listenerCaFile } });
  const alpnFlags = ['--set', 'auto_ssl_challenge=tls-alpn-01', '--set', 'auto_ssl_renew_before=25s'];
  // The first reload is the first certificate (the listener starts without one); the second is a renewal.
  const renewed = /TLS certificate reloaded[\s\S]*TLS certificate reloaded/;

  it('behavior: HTTP-01 certificate from pebble, a gRPC call over it, cached 0600 and reused after a restart; a renewal window longer than the lifetime renews once, not in a loop', async () => {
    const port = await freePort();
    // 1000h against 30 s certificates: without the guard every fresh certificate would be due at once.
    const daemon = serve(port, 'certs', ['--set', 'auto_ssl_renew_before=1000h']);
    try {
      await daemon.waitFor(/successfully started/);
      const root = await pebble.issuingRoot();
      const first = await servedCertificate(port, root);
      assert.match(first.issuer, /Pebble/i);
      for (const file of ['localhost.crt', 'localhost.key', 'acme-account.key']) assert.equal(statSync(join(dir, 'certs', file)).mode & 0o777, 0o600, file);
      assert.deepEqual(await echoOverTls(port, root), [0x0a, 0x02, 0x68, 0x69]);
      await daemon.waitFor(/auto_ssl_renew_before \(3600000s\) is not shorter than the certificate's lifetime \(\d+s\): renewing when a third of the lifetime remains/);
      // Renewed when a third of the lifetime remains, by the same process: exactly one more order so far.
      await daemon.waitFor(renewed);
      assert.equal(count(daemon.output(), 'automatic certificate obtained'), 2, daemon.output());
      const second = await servedCertificate(port, root);
      assert.notEqual(second.serial, first.serial, 'the listener serves the renewed certificate, same process');
    } finally {
      await daemon.stop();
    }
    // A restart reuses the cached certificate (about a third of its lifetime left, more than this window): no order.
    const restarted = serve(port, 'certs', ['--set', 'auto_ssl_renew_before=2s']);
    try {
      await restarted.waitFor(/successfully started/);
      assert.match(restarted.output(), /automatic certificate loaded from the cache/);
      assert.equal(count(restarted.output(), 'automatic certificate obtained'), 0);
      assert.match((await servedCertificate(port, await pebble.issuingRoot())).issuer, /Pebble/i);
    } finally {
      await restarted.stop();
    }
  });

  it('behavior: TLS-ALPN-01 certificate from pebble answered on the daemon port (no HTTP listener), a gRPC call over it, renewed by TLS-ALPN-01; snetd admin over it', async () => {
    const daemon = serve(alpnPort, 'certs-alpn', alpnFlags);
    try {
      await daemon.waitFor(/successfully started/);
      assert.match(daemon.output(), /answered a TLS-ALPN-01 validation handshake/);
      assert.match(daemon.output(), /automatic certificate in use[^\n]*"challenge":"tls-alpn-01"/);
      const refused = await new Promise<string>((resolve) => {
        const probe = net.connect({ host: '127.0.0.1', port: challengePort }, () => {
          probe.destroy();
          resolve('connected');
        });
        probe.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
      assert.equal(refused, 'ECONNREFUSED', 'no HTTP-01 listener with tls-alpn-01');
      const root = await pebble.issuingRoot();
      const first = await servedCertificate(alpnPort, root);
      assert.match(first.issuer, /Pebble/i);
      assert.deepEqual(await echoOverTls(alpnPort, root), [0x0a, 0x02, 0x68, 0x69]);
      // The automatic certificate is the one watched for expiry (alerts.certificate_warning and the gauge).
      const metrics = await new Promise<string>((resolve, reject) => {
        https.get({ host: '127.0.0.1', port: alpnPort, path: '/metrics', servername: 'localhost', ca: root }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(body));
        }).on('error', reject);
      });
      const secondsLeft = Number(/snetd_certificate_expiry_seconds\{certificate="tls"\} (\S+)/.exec(metrics)?.[1]);
      assert.ok(secondsLeft > 0 && secondsLeft <= lifetimeSeconds, `certificate expiry gauge ${secondsLeft}`);
      await daemon.waitFor(renewed);
      const second = await servedCertificate(alpnPort, root);
      assert.notEqual(second.serial, first.serial, 'the listener serves the renewed certificate, same process');
      assert.deepEqual(await echoOverTls(alpnPort, root), [0x0a, 0x02, 0x68, 0x69], 'gRPC over the renewed certificate');
      assert.ok(count(daemon.output(), 'answered a TLS-ALPN-01 validation handshake') >= 2, 'the renewal was validated by TLS-ALPN-01 too');
      assert.doesNotMatch(daemon.output(), /is not shorter than the certificate's lifetime/);
      // `snetd admin` with the same configuration calls 127.0.0.1 and checks the certificate against the domain.
      writeFileSync(join(dir, 'pebble-root.pem'), root);
      const status = await runSnetd(['admin', 'status', '--key-file', join(dir, 'admin.key'), ...daemonFlags(alpnPort, 'certs-alpn', alpnFlags)], {
        cwd: dir,
        // grpc-js trusts GRPC_DEFAULT_SSL_ROOTS_FILE_PATH instead of Node's store when that is set (as on some hosts).
        env: { NODE_EXTRA_CA_CERTS: join(dir, 'pebble-root.pem'), GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: join(dir, 'pebble-root.pem') },
      });
      assert.deepEqual([status.code, status.stdout], [0, 'IDLE\n'], status.stderr);
      assert.equal(statSync(join(dir, 'certs-alpn', 'localhost.key')).mode & 0o777, 0o600);
    } finally {
      await daemon.stop();
    }
  });

  it('error: a renewal window that cannot work is refused at start-up, naming the key', async () => {
    const result = await runSnetd(
      ['serve', '--set', 'blockchain_enabled=false', '--set', 'passthrough_enabled=false', '--set', `daemon_endpoint=127.0.0.1:${await freePort()}`, '--set', 'log.output.type=stdout',
        '--set', 'auto_ssl_domain=example.org', '--set', 'auto_ssl_renew_before=2400h'],
      { cwd: dir },
    );
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /auto_ssl_renew_before[\s\S]*must be shorter than Let's Encrypt's certificate lifetime/);
  });

  for (const challenge of ['http-01', 'tls-alpn-01']) {
    it(`error: a domain the CA cannot validate stops the start with a clear error naming it (${challenge})`, async () => {
      const port = await freePort();
      const result = await runSnetd(
        ['serve', '--set', 'blockchain_enabled=false', '--set', 'passthrough_enabled=false', '--set', `daemon_endpoint=127.0.0.1:${port}`, '--set', 'log.output.type=stdout',
          '--set', 'auto_ssl_domain=nowhere.invalid', '--set', `auto_ssl_cache_dir=${join(dir, `certs-bad-${challenge}`)}`, '--set', `auto_ssl_directory_url=${pebble.directoryUrl}`,
          '--set', `auto_ssl_http_port=${await freePort()}`, '--set', `auto_ssl_challenge=${challenge}`],
        { cwd: dir, env: { NODE_EXTRA_CA_CERTS: pebble.listenerCaFile } },
      );
      assert.notEqual(result.code, 0);
      assert.match(result.stdout + result.stderr, /cannot obtain a certificate for nowhere\.invalid/);
      assert.match(result.stdout + result.stderr, challenge === 'http-01' ? /HTTP-01 challenge/ : /TLS-ALPN-01 challenge/);
    });
  }
});
