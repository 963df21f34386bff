import type { LogHookConfig } from '../logging-options.ts';
import { compileGoTimeLayout, GO_TIME_STRING_LAYOUT } from '../go-time-layout.ts';
import type { LogEntry, LogHookType } from './log-hook.ts';
import { createQueuedHook, queueLimitsFromSettings } from './queued-hook.ts';
import { settingInteger, settingString } from './hook-settings.ts';
import { parseHookLevels } from './hook-levels.ts';
import { createSmtpTransport } from './smtp-transport.ts';

/** Subject of every hook e-mail, as in the reference (`logger/hook.go`). */
export const EMAIL_HOOK_SUBJECT = 'Daemon hook!';

/** The reference error text for a bad e-mail section (Go `logger/hook.go`), followed by what exactly is wrong. */
const INVALID = 'unable to create instance of mail auth hook: invalid configuration';

/** Problems with an `email` hook section; values are never echoed (the password is a secret). */
export function validateEmailHookSettings(config: LogHookConfig): string[] {
  const s = config.settings;
  const missing = ['host', 'from', 'to', 'password'].filter((k) => settingString(s, k) === '');
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`${INVALID}: log.${config.name}.${missing.join(`, log.${config.name}.`)} missing`);
  const port = settingInteger(s, 'port');
  if (port === undefined || port < 1 || port > 65535) problems.push(`${INVALID}: log.${config.name}.port must be an integer 1..65535`);
  return problems;
}

/** Body lines of the reference e-mail (without the FullPath/Stack lines, always empty there) plus fields. */
export function formatEmailBody(
  entry: LogEntry,
  ctx: { organizationId: string; serviceId: string; network: string; version: string },
  formatUtc: (ms: number) => string,
  formatLocal: (ms: number) => string,
): string {
  const lines = [
    `OrgID: ${ctx.organizationId}`,
    `ServiceID: ${ctx.serviceId}`,
    `Network: ${ctx.network}`,
    `Daemon version: ${ctx.version}`,
    `Log level: ${entry.levelName}`,
    `Time UTC: ${formatUtc(entry.time.getTime())}`,
    `Time: ${formatLocal(entry.time.getTime())}`,
    `Message: ${entry.message}`,
  ];
  if (Object.keys(entry.fields).length > 0) lines.push(`Fields: ${JSON.stringify(entry.fields)}`);
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * `email` hook (reference `logger/hook.go`): sends each entry through SMTP with PLAIN auth
 * (`username` defaults to `from`), STARTTLS when offered, to the single address `to`.
 * Differences: TLS is required for auth unless the host is local (as Go's `smtp.PlainAuth` insists);
 * `application_name` is accepted but not sent as the PLAIN authorisation identity (nodemailer omits
 * it because servers reject identities that differ from the user); sends are queued and rate
 * limited (see `createQueuedHook`). nodemailer is loaded when the hook is created (smtp-transport.ts).
 */
export const emailHookType: LogHookType = {
  validate: validateEmailHookSettings,
  create(config, ctx) {
    const problems = validateEmailHookSettings(config);
    if (problems.length > 0) throw new Error(problems.join('; '));
    const s = config.settings;
    const host = settingString(s, 'host');
    const port = settingInteger(s, 'port') ?? 25;
    const from = settingString(s, 'from');
    const to = settingString(s, 'to');
    const username = settingString(s, 'username') || from;
    const transport = createSmtpTransport({ host, port, username, password: settingString(s, 'password') });
    const formatUtc = compileGoTimeLayout(GO_TIME_STRING_LAYOUT, 'UTC');
    const formatLocal = compileGoTimeLayout(GO_TIME_STRING_LAYOUT, ctx.timezone);
    return createQueuedHook({
      name: config.name,
      levels: parseHookLevels(config.levels).levels,
      limits: queueLimitsFromSettings(s),
      report: ctx.report,
      async send(entry) {
        await transport.sendMail({
          from,
          to,
          subject: EMAIL_HOOK_SUBJECT,
          text: formatEmailBody(entry, ctx.context, formatUtc, formatLocal),
        });
      },
      dispose: () => {
        transport.close();
        return Promise.resolve();
      },
    });
  },
};
