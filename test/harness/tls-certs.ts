/**
 * A throwaway test CA and server certificates for 127.0.0.1, made with Debian's `openssl` (present
 * installed through `scripts/ensure-system-packages.sh openssl` when missing).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface IssuedCert {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface TestCa {
  readonly dir: string;
  readonly caCert: Buffer;
  /** Issues a certificate for IP 127.0.0.1 / DNS localhost with the given common name. */
  issue(commonName: string): IssuedCert;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Creates a CA in a fresh temp directory. Installs Debian `openssl` first when it is missing. */
export function createTestCa(): TestCa {
  execFileSync('bash', [path.join(import.meta.dirname, '..', '..', 'scripts', 'ensure-system-packages.sh'), 'openssl'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const dir = mkdtempSync(path.join(tmpdir(), 'snetd-tls-'));
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=snetd-test-ca', '-days', '2'], dir);
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
  let serial = 1;
  return {
    dir,
    caCert: readFileSync(path.join(dir, 'ca.crt')),
    issue(commonName) {
      const name = `leaf-${serial}`;
      openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${commonName}`], dir);
      openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(serial++), '-out', `${name}.crt`, '-days', '2', '-extfile', 'san.ext'], dir);
      return { cert: readFileSync(path.join(dir, `${name}.crt`)), key: readFileSync(path.join(dir, `${name}.key`)) };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
