import { createRequire } from 'node:module';
import type nodemailerModule from 'nodemailer';
import type { Transporter } from 'nodemailer';

/** An SMTP server and its login, as the `email` log hook and alert e-mails take them. */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
}

// nodemailer is loaded on first use, not at start-up: most daemons send no mail and CLI commands start faster.
const requireCjs = createRequire(import.meta.url);

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * A nodemailer transport with the reference's rules (Go `logger/hook.go`, net/smtp PlainAuth): PLAIN auth,
 * implicit TLS on 465, STARTTLS required elsewhere unless the host is local (as Go's `smtp.PlainAuth` insists).
 */
export function createSmtpTransport(settings: SmtpSettings): Transporter {
  const nodemailer = requireCjs('nodemailer') as typeof nodemailerModule;
  return nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.port === 465,
    requireTLS: settings.port !== 465 && !LOCAL_HOSTS.has(settings.host.toLowerCase()),
    auth: { user: settings.username, pass: settings.password },
    authMethod: 'PLAIN',
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
}
