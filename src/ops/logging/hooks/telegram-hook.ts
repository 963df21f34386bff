import type { LogHookConfig } from '../logging-options.ts';
import { compileGoTimeLayout, GO_TIME_STRING_LAYOUT } from '../go-time-layout.ts';
import type { LogEntry, LogHookType } from './log-hook.ts';
import { createQueuedHook, queueLimitsFromSettings } from './queued-hook.ts';
import { settingBoolean, settingInteger, settingString } from './hook-settings.ts';
import { parseHookLevels } from './hook-levels.ts';

const INVALID = 'unable to create instance of telegram bot hook: invalid configuration';
const DEFAULT_API_URL = 'https://api.telegram.org';
const TIMEOUT_MS = 10_000;

/** Problems with a `telegram_bot` section: `telegram_api_key` and a non-zero integer `telegram_chat_id`. */
export function validateTelegramSettings(config: LogHookConfig): string[] {
  const problems: string[] = [];
  if (settingString(config.settings, 'telegram_api_key') === '') problems.push(`${INVALID}: log.${config.name}.telegram_api_key missing`);
  const chat = settingInteger(config.settings, 'telegram_chat_id');
  if (chat === undefined || chat === 0) problems.push(`${INVALID}: log.${config.name}.telegram_chat_id must be a non-zero integer`);
  return problems;
}

/** The reference telegram text (no network/version lines; FullPath/Stack omitted: always empty there). */
export function formatTelegramText(entry: LogEntry, ctx: { organizationId: string; serviceId: string }, formatUtc: (ms: number) => string, formatLocal: (ms: number) => string): string {
  return [
    '⚠️Daemon hook⚠️\r\n',
    `OrgID: ${ctx.organizationId}`,
    `ServiceID: ${ctx.serviceId}`,
    `Log Level: ${entry.levelName}`,
    `UTC Time: ${formatUtc(entry.time.getTime())}`,
    `Time: ${formatLocal(entry.time.getTime())}`,
    `Message: ${entry.message}`,
  ].join('\r\n');
}

/**
 * `telegram_bot` hook (reference `logger/hook.go`): POST `<api>/bot<key>/sendMessage` with
 * `{chat_id, text, disable_notification}` and a 10 s timeout. `telegram_api_url` (snetd-ts addition)
 * replaces `https://api.telegram.org` for proxies and tests. The bot key is in the URL path and is
 * never logged (errors name only the status).
 */
export const telegramHookType: LogHookType = {
  validate: validateTelegramSettings,
  create(config, ctx) {
    const problems = validateTelegramSettings(config);
    if (problems.length > 0) throw new Error(problems.join('; '));
    const s = config.settings;
    const base = (settingString(s, 'telegram_api_url') || DEFAULT_API_URL).replace(/\/+$/, '');
    const url = `${base}/bot${settingString(s, 'telegram_api_key')}/sendMessage`;
    // chat ids are int64; they are sent as JSON numbers like the reference (ids fit in 2^53 in practice).
    const chatId = settingInteger(s, 'telegram_chat_id') ?? 0;
    const disableNotification = settingBoolean(s, 'telegram_disable_notifications', false);
    const formatUtc = compileGoTimeLayout(GO_TIME_STRING_LAYOUT, 'UTC');
    const formatLocal = compileGoTimeLayout(GO_TIME_STRING_LAYOUT, ctx.timezone);
    return createQueuedHook({
      name: config.name,
      levels: parseHookLevels(config.levels).levels,
      limits: queueLimitsFromSettings(s),
      report: ctx.report,
      async send(entry) {
        const response = await ctx.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ chat_id: chatId, text: formatTelegramText(entry, ctx.context, formatUtc, formatLocal), disable_notification: disableNotification }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await response.body?.cancel();
        if (response.status !== 200) throw new Error(`telegram API answered HTTP ${response.status}`);
      },
    });
  },
};
