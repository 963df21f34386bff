// Automatic certificates (auto_ssl_domain): ACME HTTP-01 or TLS-ALPN-01 against Let's Encrypt or any ACME
// directory, the key pair cached on disk (0600) and written as the files the listener already reloads, so a
// renewal before expiry needs no restart.
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import tls from 'node:tls';
import { SnetError } from '../../errors/index.ts';
import type { Logger } from '../../shared/index.ts';
import type { TlsAlpnChallengeSource } from '../server/tls-alpn-challenge.ts';
import { planRenewal, type CertificateValidity } from './renewal-plan.ts';

/** How the CA checks that we control the domain: a token on port 80, or a certificate on the TLS port. */
export type AcmeChallengeType = 'http-01' | 'tls-alpn-01';

/** Settings of {@link createAutoCert}. */
export interface AutoCertOptions {
  readonly domain: string;
  /** Directory for the account key and the certificate (created 0700; files 0600). */
  readonly cacheDir: string;
  /** ACME directory URL (Let's Encrypt production by default in the config). */
  readonly directoryUrl: string;
  readonly challenge: AcmeChallengeType;
  /** Where the HTTP-01 challenge listener binds (port 80 in production); unused for TLS-ALPN-01. */
  readonly httpHost: string;
  readonly httpPort: number;
  /** Renew when the certificate expires within this many ms (a third of its lifetime when that is longer). */
  readonly renewBeforeMs: number;
}

/** A certificate kept fresh: the files the listener serves, and the TLS-ALPN-01 answers it needs. */
export interface AutoCert {
  readonly certFile: string;
  readonly keyFile: string;
  /** TLS-ALPN-01: the challenge certificates the daemon's listener must answer with; undefined for HTTP-01. */
  readonly tlsAlpnChallenges: TlsAlpnChallengeSource | undefined;
  /**
   * Loads the cached certificate or obtains one (for TLS-ALPN-01 the listener must be up first), then keeps it
   * renewed. Resolves with the bound HTTP-01 port (undefined for TLS-ALPN-01). Rejects with TLS_SETUP_FAILED
   * naming the domain and the ACME directory when no certificate can be had.
   */
  start(): Promise<{ httpPort: number | undefined }>;
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

/** The HTTP-01 listener: answers the challenge tokens and sends every other GET/HEAD to https, as the reference does. */
async function listenForHttpChallenges(options: AutoCertOptions, tokens: ReadonlyMap<string, string>): Promise<http.Server> {
  const server = http.createServer((req, res) => {
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new SnetError('TLS_SETUP_FAILED', `unable to bind port ${options.httpPort} for automatic SSL verification`, { cause: err, hint: 'auto_ssl_domain with the http-01 challenge needs the HTTP challenge port (80) free and reachable from the internet, or the rights to bind it; auto_ssl_challenge tls-alpn-01 needs no port 80' })),
    );
    server.listen(options.httpPort, options.httpHost, () => resolve());
  });
  return server;
}

/**
 * The automatic certificate of `options.domain`: nothing happens until {@link AutoCert.start}. `onCertificate`
 * is called after a new certificate is written (the listener reloads it at once instead of at its next poll).
 */
export function createAutoCert(deps: { logger: Logger; onCertificate?: () => void }, options: AutoCertOptions): AutoCert {
  const logger = deps.logger.child({ component: 'auto-ssl' });
  const certFile = join(options.cacheDir, `${options.domain}.crt`);
  const keyFile = join(options.cacheDir, `${options.domain}.key`);
  const accountFile = join(options.cacheDir, 'acme-account.key');
  const accountUrlFile = join(options.cacheDir, `acme-account.${new URL(options.directoryUrl).host.replace(/[^a-zA-Z0-9.-]/g, '_')}.url`);
  const tokens = new Map<string, string>();
  const alpnContexts = new Map<string, tls.SecureContext>();
  const tlsAlpnChallenges: TlsAlpnChallengeSource | undefined =
    options.challenge === 'tls-alpn-01'
      ? {
          get pending() {
            return alpnContexts.size > 0;
          },
          contextFor: (serverName) => alpnContexts.get(serverName),
        }
      : undefined;
  let challengeServer: http.Server | undefined;
  let lastOrderAt: number | undefined;

  const obtain = async (): Promise<void> => {
    lastOrderAt = Date.now();
    mkdirSync(options.cacheDir, { recursive: true, mode: 0o700 });
    // Loaded only to obtain or renew a certificate (~0.3 s of CPU): a restart with a valid cached certificate,
    // and every daemon without auto_ssl_domain, starts without it.
    const { default: acme } = await import('acme-client');
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
      challengePriority: [options.challenge],
      // acme-client's own pre-check fetches the token from port 80 (or connects to 443) of the domain, which is
      // wrong behind a port forward and only repeats what the CA checks next.
      skipChallengeVerification: true,
      challengeCreateFn: async (authz, challenge, keyAuthorization) => {
        // acme-client falls back to another type when the CA does not offer ours; we can answer only ours.
        if (challenge.type !== options.challenge) throw new Error(`the CA does not offer the ${options.challenge} challenge for ${authz.identifier.value} (auto_ssl_challenge)`);
        if (challenge.type === 'http-01') {
          tokens.set(challenge.token, keyAuthorization);
          return;
        }
        // RFC 8737: a self-signed certificate for the name carrying the key authorization's digest.
        const [alpnKey, alpnCert] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization, await acme.crypto.createPrivateEcdsaKey());
        alpnContexts.set(authz.identifier.value.toLowerCase(), tls.createSecureContext({ key: alpnKey, cert: alpnCert, minVersion: 'TLSv1.2' }));
      },
      challengeRemoveFn: (authz, challenge) => {
        tokens.delete(challenge.token);
        alpnContexts.delete(authz.identifier.value.toLowerCase());
        return Promise.resolve();
      },
    });
    if (accountUrl === undefined) writePrivate(accountUrlFile, client.getAccountUrl());
    // Key first: the listener reloads when the certificate file changes and needs the matching key then.
    writePrivate(keyFile, key);
    writePrivate(certFile, cert);
    logger.info({ domain: options.domain, challenge: options.challenge, validTo: new X509Certificate(cert).validTo }, 'automatic certificate obtained');
    deps.onCertificate?.();
  };

  /** The cached certificate's validity, when the cache holds a usable key pair. */
  const cached = (): CertificateValidity | undefined => {
    const pem = readOrUndefined(certFile);
    const key = readOrUndefined(keyFile);
    if (pem === undefined || key === undefined) return undefined;
    try {
      tls.createSecureContext({ cert: pem, key });
      const x509 = new X509Certificate(pem);
      return { notBefore: Date.parse(x509.validFrom), notAfter: Date.parse(x509.validTo) };
    } catch {
      return undefined;
    }
  };

  /** When the next order may start; warns (once per certificate) when the renewal window had to be shortened. */
  let warnedFor: number | undefined;
  const nextOrderAt = (validity: CertificateValidity | undefined): number => {
    if (validity === undefined) return Date.now();
    const plan = planRenewal(validity, options.renewBeforeMs, lastOrderAt);
    if (plan.clamped && warnedFor !== validity.notAfter) {
      warnedFor = validity.notAfter;
      const lifetimeSeconds = Math.round((validity.notAfter - validity.notBefore) / 1000);
      logger.warn(
        { domain: options.domain, renewBeforeSeconds: Math.round(options.renewBeforeMs / 1000), lifetimeSeconds, renewAt: new Date(plan.at).toISOString() },
        `auto_ssl_renew_before (${Math.round(options.renewBeforeMs / 1000)}s) is not shorter than the certificate's lifetime (${lifetimeSeconds}s): renewing when a third of the lifetime remains instead of in a loop; set auto_ssl_renew_before below the lifetime`,
      );
    }
    return plan.at;
  };

  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const schedule = (at: number): void => {
    if (closed) return;
    timer = setTimeout(() => void tick(), Math.max(1000, Math.min(maxTimerMs, at - Date.now())));
    timer.unref();
  };
  const tick = async (): Promise<void> => {
    const due = nextOrderAt(cached());
    if (due > Date.now()) {
      schedule(due);
      return;
    }
    try {
      await obtain();
      schedule(nextOrderAt(cached()));
    } catch (err) {
      logger.error({ err, domain: options.domain }, 'automatic certificate renewal failed; the current certificate is kept, retrying in 1 h');
      schedule(Date.now() + retryAfterFailureMs);
    }
  };

  const close = async (): Promise<void> => {
    closed = true;
    if (timer !== undefined) clearTimeout(timer);
    const server = challengeServer;
    challengeServer = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  const start = async (): Promise<{ httpPort: number | undefined }> => {
    mkdirSync(options.cacheDir, { recursive: true, mode: 0o700 });
    let httpPort: number | undefined;
    if (options.challenge === 'http-01') {
      challengeServer = await listenForHttpChallenges(options, tokens);
      const address = challengeServer.address();
      httpPort = typeof address === 'object' && address !== null ? address.port : options.httpPort;
    }
    try {
      if (nextOrderAt(cached()) <= Date.now()) await obtain();
      else logger.info({ domain: options.domain, cacheDir: options.cacheDir }, 'automatic certificate loaded from the cache');
    } catch (err) {
      await close();
      if (err instanceof SnetError) throw err;
      throw new SnetError('TLS_SETUP_FAILED', `cannot obtain a certificate for ${options.domain} from ${options.directoryUrl}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
        hint:
          options.challenge === 'http-01'
            ? `the domain must resolve to this host and port ${options.httpPort} must be reachable for the HTTP-01 challenge; check auto_ssl_domain and auto_ssl_directory_url`
            : 'the domain must resolve to this host and its port 443 must reach daemon_endpoint for the TLS-ALPN-01 challenge; check auto_ssl_domain and auto_ssl_directory_url',
      });
    }
    schedule(nextOrderAt(cached()));
    return { httpPort };
  };

  return { certFile, keyFile, tlsAlpnChallenges, start, renew: obtain, close };
}
