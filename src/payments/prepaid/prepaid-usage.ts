import { SnetError } from '../../errors/index.ts';

// The prepaid record of one channel (Go `escrow/prepaid_storage.go` keeps three keys, planned P, used U and
// refunded R; we keep one record so a call's charge and GetToken's plan are each ONE compare-and-swap):
// `planned` = sum of the amounts authorised through GetToken, `used` = sum of the prices of prepaid calls accepted
// and not refunded. Invariant: used ≤ planned. Versioned JSON, integers as decimal strings, under the snetd-ts
// key root (like the channel records), so it never meets Go gob values.

/** A channel's prepaid budget. */
export interface PrepaidUsage {
  readonly planned: bigint;
  readonly used: bigint;
  /** Id of the last call that changed `used` (lets a call whose write timed out find out whether it landed). */
  readonly op?: string | undefined;
}

/** Version of the stored JSON; a reader refuses versions it does not know. */
export const prepaidUsageVersion = 1;

/** The usage of a channel with no record yet (never planned, e.g. a channel used with escrow only so far). */
export const NO_USAGE: PrepaidUsage = { planned: 0n, used: 0n };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const OP = /^[0-9a-f]{1,64}$/;
const UINT = /^(0|[1-9][0-9]*)$/;

/** Encodes a usage record (the string is built directly: one per prepaid call). */
export function encodePrepaidUsage(usage: PrepaidUsage): Uint8Array {
  const op = usage.op === undefined ? '' : `,"op":"${usage.op}"`;
  if (usage.op !== undefined && !OP.test(usage.op)) throw new TypeError('prepaid usage op ids are hex');
  return encoder.encode(`{"v":${prepaidUsageVersion},"planned":"${usage.planned}","used":"${usage.used}"${op}}`);
}

function corrupt(detail: string): SnetError {
  return new SnetError('STORAGE_CORRUPT', `stored prepaid usage is unreadable: ${detail}`, {
    hint: 'Inspect the key with `snetd storage export`; the value was not written by this snetd-ts version.',
  });
}

/** Decodes {@link encodePrepaidUsage} output; throws STORAGE_CORRUPT for anything else. */
export function decodePrepaidUsage(bytes: Uint8Array): PrepaidUsage {
  let doc: unknown;
  try {
    doc = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw corrupt(err instanceof Error ? err.message : String(err));
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw corrupt('not a JSON object');
  const r = doc as Record<string, unknown>;
  if (r['v'] !== prepaidUsageVersion) throw corrupt(`unknown version ${JSON.stringify(r['v'])}`);
  const uint = (name: string): bigint => {
    const value = r[name];
    if (typeof value !== 'string' || !UINT.test(value)) throw corrupt(`field ${name} is not a decimal integer`);
    return BigInt(value);
  };
  const op = r['op'];
  if (op !== undefined && (typeof op !== 'string' || !OP.test(op))) throw corrupt('field op is malformed');
  const usage: PrepaidUsage = { planned: uint('planned'), used: uint('used'), op };
  if (usage.used > usage.planned) throw corrupt('used exceeds planned');
  return usage;
}

/** Every prepaid record key under the MPE prefix starts with this. */
export function prepaidUsagePrefix(mpePrefix: string): string {
  return `${mpePrefix}//prepaid/storage/`;
}

/** The storage key of a channel's prepaid record under the MPE prefix (channel ids are per MPE contract). */
export function prepaidUsageKey(mpePrefix: string, channelId: bigint): string {
  return `${prepaidUsagePrefix(mpePrefix)}{ID: ${channelId}}`;
}

/** The channel id of a key under {@link prepaidUsagePrefix}, or `undefined`. */
export function parsePrepaidUsageKey(mpePrefix: string, key: string): bigint | undefined {
  const prefix = prepaidUsagePrefix(mpePrefix);
  if (!key.startsWith(prefix)) return undefined;
  const match = /^\{ID: (0|[1-9][0-9]*)\}$/.exec(key.slice(prefix.length));
  return match === null ? undefined : BigInt(match[1] as string);
}
