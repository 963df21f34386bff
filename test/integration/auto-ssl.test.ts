// Automatic certificates against a real ACME server (pebble on 127.0.0.1) through `snetd serve`: the HTTP-01
// challenge answered by the daemon, a gRPC call over the issued certificate, the certificate cached 0600,
// renewal without a restart, and a clear start-up error when the domain cannot be validated.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
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

describe('automatic certificates (auto_ssl_domain) against pebble', () => {
  let dir: string;
  let pebble: TestPebble;
  let challengePort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snetd-acme-'));
    challengePort = await freePort();
    pebble = await startPebble({ httpPort: challengePort });
  });
  after(async () => {
    await pebble.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const serve = (port: number, extra: string[]): RunningCli =>
    startSnetd(
      ['serve', '--set', 'blockchain_enabled=false', '--set', 'passthrough_enabled=false', '--set', `daemon_endpoint=127.0.0.1:${port}`, '--set', 'log.output.type=stdout',
        '--set', 'auto_ssl_domain=localhost', '--set', `auto_ssl_cache_dir=${join(dir, 'certs')}`, '--set', `auto_ssl_directory_url=${pebble.directoryUrl}`,
        '--set', `auto_ssl_http_port=${challengePort}`, ...extra],
      { cwd: dir, env: { NODE_EXTRA_CA_CERTS: pebble.listenerCaFile } },
    );

  it('behavior: HTTP-01 certificate from pebble, a gRPC call over it, cached 0600, renewed without a restart', async () => {
    const port = await freePort();
    // renew_before longer than pebble's validity: every check renews, so a renewal happens within seconds.
    const daemon = serve(port, ['--set', 'auto_ssl_renew_before=999999h']);
    try {
      await daemon.waitFor(/successfully started/);
      const root = await pebble.issuingRoot();
      const first = await servedCertificate(port, root);
      assert.match(first.issuer, /Pebble/i);
      for (const file of ['localhost.crt', 'localhost.key', 'acme-account.key']) assert.equal(statSync(join(dir, 'certs', file)).mode & 0o777, 0o600, file);
      const client = new grpc.Client(`localhost:${port}`, grpc.credentials.createSsl(Buffer.from(root)));
      try {
        const echoed = await new Promise<Buffer>((resolve, reject) => {
          client.makeUnaryRequest('/any.Service/Echo', (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 0x02, 0x68, 0x69]), (error, value) => (error === null && value !== undefined ? resolve(value) : reject(error ?? new Error('no reply'))));
        });
        assert.deepEqual([...echoed], [0x0a, 0x02, 0x68, 0x69]);
      } finally {
        client.close();
      }
      await daemon.waitFor(/TLS certificate reloaded/);
      const second = await servedCertificate(port, root);
      assert.notEqual(second.serial, first.serial, 'the listener serves the renewed certificate, same process');
    } finally {
      await daemon.stop();
    }
  });

  it('error: a domain the CA cannot validate stops the start with a clear error naming it', async () => {
    const port = await freePort();
    const result = await runSnetd(
      ['serve', '--set', 'blockchain_enabled=false', '--set', 'passthrough_enabled=false', '--set', `daemon_endpoint=127.0.0.1:${port}`, '--set', 'log.output.type=stdout',
        '--set', 'auto_ssl_domain=nowhere.invalid', '--set', `auto_ssl_cache_dir=${join(dir, 'certs-bad')}`, '--set', `auto_ssl_directory_url=${pebble.directoryUrl}`,
        '--set', `auto_ssl_http_port=${await freePort()}`],
      { cwd: dir, env: { NODE_EXTRA_CA_CERTS: pebble.listenerCaFile } },
    );
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /cannot obtain a certificate for nowhere\.invalid/);
  });
});
