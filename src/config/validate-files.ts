// Files the daemon opens at start (TLS pairs, metadata files, the process executable): checked
// here so that `snetd config` finds what `snetd serve` would trip over, without any network.
import { accessSync, constants, readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { DaemonConfig } from './schema.ts';
import type { RawProblem } from './validate-semantics.ts';

function unreadable(path: string, mode: number): string | undefined {
  try {
    accessSync(path, mode);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'the file does not exist' : mode === constants.X_OK ? `the file is not executable (${code ?? 'error'})` : `the file cannot be read (${code ?? 'error'})`;
  }
}

/** A PEM certificate and a PEM private key that belong together; the problem otherwise. */
function keyPairProblem(certFile: string, keyFile: string): string | undefined {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(readFileSync(certFile));
  } catch {
    return `${certFile} is not a PEM certificate`;
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(readFileSync(keyFile));
  } catch {
    return `${keyFile} is not a PEM private key (an encrypted key is not supported)`;
  }
  return certificate.checkPrivateKey(key) ? undefined : `the private key in ${keyFile} does not belong to the certificate in ${certFile}`;
}

/** Missing or unreadable files named by the configuration, and TLS keys that do not match their certificate. */
export function fileProblems(config: DaemonConfig): RawProblem[] {
  const problems: RawProblem[] = [];
  const check = (key: string, path: string | undefined, mode: number = constants.R_OK): boolean => {
    if (path === undefined || path.trim() === '') return false;
    const problem = unreadable(path, mode);
    if (problem !== undefined) problems.push({ key, problem: `${problem}: ${path}` });
    return problem === undefined;
  };
  const tlsPair = (certKey: string, certFile: string | undefined, keyKey: string, keyFile: string | undefined): void => {
    const certOk = check(certKey, certFile);
    const keyOk = check(keyKey, keyFile);
    if (certOk && keyOk && certFile !== undefined && keyFile !== undefined) {
      const mismatch = keyPairProblem(certFile, keyFile);
      if (mismatch !== undefined) problems.push({ key: keyKey, problem: mismatch });
    }
  };
  tlsPair('ssl_cert', config.ssl_cert, 'ssl_key', config.ssl_key);
  tlsPair('payment_channel_cert_path', config.payment_channel_cert_path, 'payment_channel_key_path', config.payment_channel_key_path);
  check('payment_channel_ca_path', config.payment_channel_ca_path);
  if (config.blockchain_enabled) {
    check('service_metadata_file', config.service_metadata_file);
    check('org_metadata_file', config.org_metadata_file);
  }
  check('executable_path', config.executable_path, constants.X_OK);
  return problems;
}
