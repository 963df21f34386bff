// A real ACME server for tests: Debian's `pebble` on 127.0.0.1, its directory served with a certificate of
// a throwaway test CA (trust it with NODE_EXTRA_CA_CERTS), validating HTTP-01 challenges on `httpPort` and
// TLS-ALPN-01 challenges on `tlsPort` of 127.0.0.1.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Agent, request } from 'node:https';
import { createTestCa } from './tls-certs.ts';
import { freePort } from './ports.ts';

/** A running pebble. */
export interface TestPebble {
  readonly directoryUrl: string;
  /** PEM of the CA that signs pebble's own listener (for NODE_EXTRA_CA_CERTS). */
  readonly listenerCaFile: string;
  readonly pid: number;
  /** The root that signs issued certificates (fresh per pebble run). */
  issuingRoot(): Promise<string>;
  /** What pebble printed (to debug a failed test). */
  output(): string;
  stop(): Promise<void>;
}

/** Settings of {@link startPebble}. */
export interface PebbleOptions {
  /** Where HTTP-01 challenges are fetched (the daemon's `auto_ssl_http_port`). */
  readonly httpPort: number;
  /** Where TLS-ALPN-01 handshakes go (the daemon's TLS port). @default a free port nobody listens on */
  readonly tlsPort?: number;
  /** Lifetime of issued certificates, in seconds (short ones let a test see renewals). @default pebble's 5 years */
  readonly certificateValiditySeconds?: number;
}

/** Installs Debian `pebble` when missing and starts it; challenges are validated against 127.0.0.1. */
export async function startPebble(options: PebbleOptions): Promise<TestPebble> {
  execFileSync('bash', [resolve(import.meta.dirname, '../../scripts/ensure-system-packages.sh'), 'pebble'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const ca = createTestCa();
  const issued = ca.issue('localhost');
  writeFileSync(join(ca.dir, 'pebble.crt'), issued.cert);
  writeFileSync(join(ca.dir, 'pebble.key'), issued.key);
  const listenerCaFile = join(ca.dir, 'ca.crt');
  const [port, managementPort, tlsPort] = [await freePort(), await freePort(), options.tlsPort ?? (await freePort())];
  writeFileSync(
    join(ca.dir, 'pebble.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: join(ca.dir, 'pebble.crt'),
        privateKey: join(ca.dir, 'pebble.key'),
        httpPort: options.httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        ...(options.certificateValiditySeconds === undefined ? {} : { certificateValidityPeriod: options.certificateValiditySeconds }),
      },
    }),
  );
  const child: ChildProcess = spawn('pebble', ['-config', join(ca.dir, 'pebble.json')], {
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      await once(child, 'exit');
    }
    ca.remove();
  };
  for (const deadline = Date.now() + 20_000; !/Listening on/.test(output); await new Promise((r) => setTimeout(r, 50))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop().catch(() => undefined);
      throw new Error(`pebble did not start: ${output}`);
    }
  }
  const agent = new Agent({ ca: ca.caCert });
  return {
    directoryUrl: `https://127.0.0.1:${port}/dir`,
    listenerCaFile,
    pid: child.pid as number,
    output: () => output,
    issuingRoot: () =>
      new Promise((resolveRoot, reject) => {
        request(`https://127.0.0.1:${managementPort}/roots/0`, { agent }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolveRoot(body));
        })
          .on('error', reject)
          .end();
      }),
    stop: async () => {
      await stop();
      rmSync(ca.dir, { recursive: true, force: true });
    },
  };
}
