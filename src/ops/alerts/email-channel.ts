// Alert e-mails to `alerts_email` over SMTP (the `alerts.smtp` section, or the `email` log hook's server).
import { createSmtpTransport, type SmtpSettings } from '../logging/hooks/smtp-transport.ts';
import type { AlertChannel, AlertEvent } from './alert-event.ts';

/** Settings of {@link createEmailAlertChannel}. */
export interface EmailAlertOptions {
  readonly smtp: SmtpSettings;
  readonly from: string;
  /** `alerts_email`. */
  readonly to: string;
  /** Who is alerting, printed in every message. */
  readonly daemon: { readonly daemonId: string; readonly organizationId: string; readonly serviceId: string; readonly network: string; readonly version: string };
}

/** The e-mail text of an alert (plain text, CRLF lines). */
export function formatAlertEmail(event: AlertEvent, daemon: EmailAlertOptions['daemon']): { subject: string; text: string } {
  const subject = `[snetd ${daemon.organizationId}/${daemon.serviceId}] ${event.firing ? 'ALERT' : 'RESOLVED'}: ${event.message}`;
  const lines = [
    event.message,
    '',
    `Details: ${event.details}`,
    `Alert: ${event.kind}${event.subject === '' ? '' : ` (${event.subject})`}, ${event.firing ? 'firing' : 'resolved'}`,
    `Time UTC: ${new Date(event.atMs).toISOString()}`,
    `OrgID: ${daemon.organizationId}`,
    `ServiceID: ${daemon.serviceId}`,
    `Network: ${daemon.network}`,
    `Daemon ID: ${daemon.daemonId}`,
    `Daemon version: ${daemon.version}`,
  ];
  return { subject, text: `${lines.join('\r\n')}\r\n` };
}

/** Creates the channel; the SMTP connection is opened per message by nodemailer. */
export function createEmailAlertChannel(options: EmailAlertOptions): AlertChannel {
  const transport = createSmtpTransport(options.smtp);
  return {
    name: 'email',
    async send(event) {
      const { subject, text } = formatAlertEmail(event, options.daemon);
      await transport.sendMail({ from: options.from, to: options.to, subject, text });
    },
    close() {
      transport.close();
      return Promise.resolve();
    },
  };
}
