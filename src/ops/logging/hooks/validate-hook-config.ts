import type { LogHookConfig } from '../logging-options.ts';
import type { LogHookType } from './log-hook.ts';
import { emailHookType } from './email-hook.ts';
import { telegramHookType } from './telegram-hook.ts';
import { webhookHookType } from './webhook-hook.ts';
import { parseHookLevels } from './hook-levels.ts';

/** The hook types every logger knows (reference: `email`, `telegram_bot`; snetd-ts: `webhook`). */
export const BUILT_IN_HOOK_TYPES: Readonly<Record<string, LogHookType>> = {
  email: emailHookType,
  telegram_bot: telegramHookType,
  webhook: webhookHookType,
};

/**
 * Every problem with one hook section, worded like the reference errors, or `[]`. Pure (no network):
 * config validation calls it to report all problems at once; `createLogger` fails start-up on the
 * same problems. Pass `types` when custom hook types are registered.
 */
export function validateLogHookConfig(hook: LogHookConfig, types: Readonly<Record<string, LogHookType>> = BUILT_IN_HOOK_TYPES): string[] {
  const problems: string[] = [];
  if (hook.name.trim() === '') problems.push('no hook definition (empty name in log.hooks)');
  const type = hook.type.trim();
  const hookType = Object.hasOwn(types, type) ? types[type] : undefined;
  if (type === '') problems.push('no hook type in hook config');
  else if (hookType === undefined) problems.push(`unexpected hook type: "${type}" (known: ${Object.keys(types).join(', ')})`);
  problems.push(...parseHookLevels(hook.levels).problems);
  if (hookType?.validate !== undefined) problems.push(...hookType.validate(hook));
  return problems;
}
