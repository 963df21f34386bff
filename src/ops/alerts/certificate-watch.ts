// Certificate near expiry: the daemon's TLS certificate (`ssl_cert`, or the automatic one) and the etcd client certificate
// (`payment_channel_cert_path`), checked at start and then hourly; the days left also go to the metrics.
import { readCertificateValidity } from '../heartbeat/cert-details.ts';
import type { AlertDispatcher } from './alert-dispatcher.ts';

/** Settings of {@link watchCertificates}. */
export interface CertificateWatchOptions {
  /** Role → PEM file; roles with an empty path are skipped. */
  readonly files: Readonly<Record<'tls' | 'storage_client', string | undefined>>;
  /** Alert when a certificate expires within this, in ms. */
  readonly warningMs: number;
  /** The config key the TLS certificate comes from, named in the alert. @default 'ssl_cert' */
  readonly tlsKey?: string;
  /** Told the seconds left per role (the `snetd_certificate_expiry_seconds` gauge). */
  readonly onExpiry?: (role: 'tls' | 'storage_client', seconds: number | undefined) => void;
  /** @default 3600000 */
  readonly periodMs?: number;
  readonly now?: () => number;
}

/** Checks once now and then periodically; returns the stop function. */
export function watchCertificates(alerts: AlertDispatcher, options: CertificateWatchOptions): () => void {
  const now = options.now ?? Date.now;
  const check = async (): Promise<void> => {
    for (const role of ['tls', 'storage_client'] as const) {
      const file = options.files[role];
      if (file === undefined || file === '') continue;
      const validity = await readCertificateValidity(file);
      const secondsLeft = validity === undefined ? undefined : (validity.notAfterMs - now()) / 1000;
      options.onExpiry?.(role, secondsLeft);
      if (secondsLeft === undefined) continue;
      const firing = secondsLeft * 1000 < options.warningMs;
      const days = (secondsLeft / 86_400).toFixed(1);
      const label = role === 'tls' ? `TLS certificate (${options.tlsKey ?? 'ssl_cert'})` : 'etcd client certificate (payment_channel_cert_path)';
      alerts.report(
        'certificate_expiry',
        role,
        firing,
        firing ? (secondsLeft <= 0 ? `${label} has expired` : `${label} expires in ${days} days`) : `${label} is valid for ${days} more days`,
        `${file}: not after ${new Date(validity?.notAfterMs ?? 0).toISOString()}`,
      );
    }
  };
  void check();
  const timer = setInterval(() => void check(), options.periodMs ?? 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
