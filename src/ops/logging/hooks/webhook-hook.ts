import type { LogHookConfig } from '../logging-options.ts';
import { redactUrl } from '../redact-url.ts';
import type { LogHookType } from './log-hook.ts';
import { createQueuedHook, queueLimitsFromSettings } from './queued-hook.ts';
import { settingInteger, settingString } from './hook-settings.ts';
import { parseHookLevels } from './hook-levels.ts';

const DEFAULT_TIMEOUT_MS = 10_000;

function headersOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') return undefined;
    out[k] = v;
  }
  return out;
}

/** Problems with a `webhook` hook section (`url` required, http/https; `headers` string map; `timeout_ms`). */
export function validateWebhookSettings(config: LogHookConfig): string[] {
  const problems: string[] = [];
  const url = settingString(config.settings, 'url');
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    problems.push(`unable to create instance of webhook hook: log.${config.name}.url must be an http(s) URL (got "${redactUrl(url)}")`);
  }
  if (headersOf(config.settings.headers) === undefined) {
    problems.push(`unable to create instance of webhook hook: log.${config.name}.headers must map header names to strings`);
  }
  const timeout = config.settings.timeout_ms;
  if (timeout !== undefined && (settingInteger(config.settings, 'timeout_ms') ?? 0) <= 0) {
    problems.push(`unable to create instance of webhook hook: log.${config.name}.timeout_ms must be a positive integer`);
  }
  return problems;
}

/**
 * `webhook` hook (snetd-ts addition): POSTs each entry as JSON
 * `{level, time, ts, message, fields, organization_id, service_id, network, daemon_version}` to
 * `url` with optional `headers` (e.g. an auth token); a non-2xx answer counts as a failure.
 */
export const webhookHookType: LogHookType = {
  validate: validateWebhookSettings,
  create(config, ctx) {
    const problems = validateWebhookSettings(config);
    if (problems.length > 0) throw new Error(problems.join('; '));
    const url = settingString(config.settings, 'url');
    const headers = headersOf(config.settings.headers) ?? {};
    const timeoutMs = settingInteger(config.settings, 'timeout_ms') ?? DEFAULT_TIMEOUT_MS;
    return createQueuedHook({
      name: config.name,
      levels: parseHookLevels(config.levels).levels,
      limits: queueLimitsFromSettings(config.settings),
      report: ctx.report,
      async send(entry) {
        const response = await ctx.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({
            level: entry.level,
            time: entry.time.toISOString(),
            ts: entry.ts,
            message: entry.message,
            fields: entry.fields,
            organization_id: ctx.context.organizationId,
            service_id: ctx.context.serviceId,
            network: ctx.context.network,
            daemon_version: ctx.context.version,
          }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`webhook ${redactUrl(url)} answered HTTP ${response.status}`);
      },
    });
  },
};
