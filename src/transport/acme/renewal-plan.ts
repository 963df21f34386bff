// When to order the next automatic certificate. A renewal window (`auto_ssl_renew_before`) at least as long
// as the certificate's lifetime would make every fresh certificate due at once: the daemon would order in a
// tight loop and soon hit the CA's rate limits (Let's Encrypt: 5 duplicate certificates a week), then fail
// for days. Validation refuses the windows it can know are too long; this guards against the rest.

/** The validity of a certificate, in epoch ms. */
export interface CertificateValidity {
  readonly notBefore: number;
  readonly notAfter: number;
}

/** The outcome of {@link planRenewal}. */
export interface RenewalPlan {
  /** Epoch ms at which the next order may start. */
  readonly at: number;
  /** The renewal window in force: the configured one, or a third of the lifetime when that was too long. */
  readonly renewBeforeMs: number;
  /** True when the configured window was not shorter than the lifetime and was replaced. */
  readonly clamped: boolean;
}

/** Orders are never closer together than this, nor than a tenth of the certificate's lifetime (test CAs issue minutes-long ones), nor than 1 s. */
export const maxMinOrderIntervalMs = 60 * 60 * 1000;

/**
 * Plans the renewal of `cert`: `renewBeforeMs` before it expires; when that window is not shorter than the
 * lifetime, when a third of the lifetime remains (the point Let's Encrypt recommends); and never sooner than
 * min(1 h, max(1 s, lifetime / 10)) after the previous order `lastOrderAt` (a clock far ahead of the CA's would
 * otherwise still find every certificate due).
 */
export function planRenewal(cert: CertificateValidity, renewBeforeMs: number, lastOrderAt: number | undefined): RenewalPlan {
  const lifetimeMs = Math.max(0, cert.notAfter - cert.notBefore);
  const clamped = renewBeforeMs >= lifetimeMs;
  const effective = clamped ? Math.floor(lifetimeMs / 3) : renewBeforeMs;
  const minIntervalMs = Math.min(maxMinOrderIntervalMs, Math.max(1000, Math.floor(lifetimeMs / 10)));
  const at = Math.max(cert.notAfter - effective, lastOrderAt === undefined ? -Infinity : lastOrderAt + minIntervalMs);
  return { at, renewBeforeMs: effective, clamped };
}
