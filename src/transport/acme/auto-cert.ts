// Automatic certificates (auto_ssl_domain): ACME HTTP-01 against Let's Encrypt or any ACME directory,
// the key pair cached on disk (0600) and written as the files the listener already reloads, so a
// renewal before expiry needs no restart.
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import acme from 'acme-client';
import { SnetError } from '../../errors/index.ts';
import type { Logger } from '../../shared/index.ts';

/** Settings of {@link startAutoCert}. */
export interface AutoCertOptions {
  readonly domain: string;
  /** Directory for the account key and the certificate (created 0700; files 0600). */
  readonly cacheDir: string;
  /** ACME directory URL (Let's Encrypt production by default in the config). */
  readonly directoryUrl: string;
  /** Where the HTTP-01 challenge listener binds (port 80 in production). */
  readonly httpHost: string;
  readonly httpPort: number;
  /** Renew when the certificate expires within this many ms. */
  readonly renewBeforeMs: number;
}

/** A provisioned certificate kept fresh. */
export interface AutoCert {
  readonly certFile: string;
  readonly keyFile: string;
  /** Bound port of the challenge listener (the real one when 0 was asked for). */
  readonly httpPort: number;
  /** Obtains a new certificate now (renewal; also scheduled automatically). */
  renew(): Promise<void>;
  close(): Promise<void>;
}

// setTimeout cannot wait longer than 2^31-1 ms (~24.8 days): longer waits are re-armed.
const maxTimerMs = 2 ** 31 - 1;
const retryAfterFailureMs = 60 * 60 * 1000;

function writePrivate(file: string, content: string | Buffer): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, file);
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Starts the HTTP-01 challenge listener, loads the cached certificate or obtains one, and schedules its
 * renewal. Rejects with TLS_SETUP_FAILED naming the domain and the ACME directory when no certificate can be had
 * (the domain does not resolve to this host, port 80 is not reachable, the directory refuses).
 */
export async function startAutoCert(deps: { logger: Logger }, options: AutoCertOptions): Promise<AutoCert> {
  const logger = deps.logger.child({ component: 'auto-ssl' });
  mkdirSync(options.cacheDir, { recursive: true, mode: 0o700 });
  const certFile = join(options.cacheDir, `${options.domain}.crt`);
  const keyFile = join(options.cacheDir, `${options.domain}.key`);
  const accountFile = join(options.cacheDir, 'acme-account.key');
  const accountUrlFile = join(options.cacheDir, `acme-account.${new URL(options.directoryUrl).host.replace(/[^a-zA-Z0-9.-]/g, '_')}.url`);
  const tokens = new Map<string, string>();

  // Port 80 answers the challenges and sends every other GET/HEAD to https, as the reference does.
  const challengeServer = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const prefix = '/.well-known/acme-challenge/';
    const answer = url.startsWith(prefix) ? tokens.get(url.slice(prefix.length)) : undefined;
    if (answer !== undefined) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(answer);
    } else if (req.method === 'GET' || req.method === 'HEAD') {
      res.writeHead(301, { location: `https://${options.domain}${url}` }).end();
    } else {
      res.writeHead(404).end();
    }
  });
  const httpPort = await new Promise<number>((resolve, reject) => {
    challengeServer.once('error', (err) =>
      reject(new SnetError('TLS_SETUP_FAILED', `unable to bind port ${options.httpPort} for automatic SSL verification`, { cause: err, hint: 'auto_ssl_domain needs the HTTP challenge port (80) free and reachable from the internet, or the rights to bind it' })),
    );
    challengeServer.listen(options.httpPort, options.httpHost, () => {
      const address = challengeServer.address();
      resolve(typeof address === 'object' && address !== null ? address.port : options.httpPort);
    });
  });

  const obtain = async (): Promise<void> => {
    let accountKey = readOrUndefined(accountFile);
    if (accountKey === undefined) {
      accountKey = (await acme.crypto.createPrivateKey()).toString();
      writePrivate(accountFile, accountKey);
    }
    // A known account is reused by its URL: registering again makes acme-client send an empty account update,
    // which some CAs refuse.
    const accountUrl = readOrUndefined(accountUrlFile)?.trim();
    const client = new acme.Client({ directoryUrl: options.directoryUrl, accountKey, ...(accountUrl === undefined || accountUrl === '' ? {} : { accountUrl }) });
    const [key, csr] = await acme.crypto.createCsr({ commonName: options.domain });
    const cert = await client.auto({
      csr,
      termsOfServiceAgreed: true,
      challengePriority: ['http-01'],
      // acme-client's own pre-check fetches the token from port 80 of the domain, which is wrong behind a port
      // forward (auto_ssl_http_port) and only repeats what the CA checks next.
      skipChallengeVerification: true,
      challengeCreateFn: (_authz, challenge, keyAuthorization) => {
        tokens.set(challenge.token, keyAuthorization);
        return Promise.resolve();
      },
      challengeRemoveFn: (_authz, challenge) => {
        tokens.delete(challenge.token);
        return Promise.resolve();
      },
    });
    if (accountUrl === undefined) writePrivate(accountUrlFile, client.getAccountUrl());
    // Key first: the listener reloads when the certificate file changes and needs the matching key then.
    writePrivate(keyFile, key);
    writePrivate(certFile, cert);
    logger.info({ domain: options.domain, validTo: new X509Certificate(cert).validTo }, 'automatic certificate obtained');
  };

  const expiresAt = (): number | undefined => {
    const pem = readOrUndefined(certFile);
    if (pem === undefined || readOrUndefined(keyFile) === undefined) return undefined;
    try {
      return Date.parse(new X509Certificate(pem).validTo);
    } catch {
      return undefined;
    }
  };

  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const schedule = (delayMs: number): void => {
    if (closed) return;
    timer = setTimeout(() => void tick(), Math.max(1000, Math.min(maxTimerMs, delayMs)));
    timer.unref();
  };
  const tick = async (): Promise<void> => {
    const expiry = expiresAt();
    if (expiry !== undefined && expiry - Date.now() > options.renewBeforeMs) {
      schedule(expiry - options.renewBeforeMs - Date.now());
      return;
    }
    try {
      await obtain();
      const renewed = expiresAt() ?? Date.now();
      schedule(renewed - options.renewBeforeMs - Date.now());
    } catch (err) {
      logger.error({ err, domain: options.domain }, 'automatic certificate renewal failed; the current certificate is kept, retrying in 1 h');
      schedule(retryAfterFailureMs);
    }
  };

  const close = async (): Promise<void> => {
    closed = true;
    if (timer !== undefined) clearTimeout(timer);
    await new Promise<void>((resolve) => challengeServer.close(() => resolve()));
  };

  try {
    const expiry = expiresAt();
    if (expiry === undefined || expiry - Date.now() <= options.renewBeforeMs) await obtain();
    else logger.info({ domain: options.domain, cacheDir: options.cacheDir }, 'automatic certificate loaded from the cache');
  } catch (err) {
    await close();
    if (err instanceof SnetError) throw err;
    throw new SnetError('TLS_SETUP_FAILED', `cannot obtain a certificate for ${options.domain} from ${options.directoryUrl}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
      hint: `the domain must resolve to this host and port ${options.httpPort} must be reachable for the HTTP-01 challenge; check auto_ssl_domain and auto_ssl_directory_url`,
    });
  }
  schedule((expiresAt() ?? Date.now()) - options.renewBeforeMs - Date.now());
  return {
    certFile,
    keyFile,
    httpPort,
    renew: async () => {
      await obtain();
    },
    close,
  };
}
