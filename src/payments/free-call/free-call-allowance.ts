import { parseAddress } from '../../blockchain/index.ts';

/** An allowance with no limit (`"unlimited"` / `"infinity"` in `free_calls_per_address`). */
export const UNLIMITED_FREE_CALLS = -1;
/** What `GetFreeCallsAvailable` reports for an unlimited user (the reference's number). */
export const UNLIMITED_FREE_CALLS_REPORTED = 99_999_999;

/** One value of config `free_calls_per_address`. */
export type FreeCallLimitSetting = number | 'unlimited' | 'infinity';

/** How many free calls a user gets, from config overrides and the service metadata. */
export interface FreeCallAllowance {
  /**
   * The allowance of a user: the config override for the address (any case), else, for a pre-v6 call, the
   * override keyed by its e-mail (pre-v6 daemons keyed it so), else the metadata `free_calls`; an override of
   * 0 falls back to the metadata. {@link UNLIMITED_FREE_CALLS} = no limit.
   */
  allowedFor(addressLowerHex: string, legacyEmail?: string): number;
  /** True when some user can get a free call at all (metadata `free_calls` > 0 or a non-zero override). */
  readonly anyGranted: boolean;
}

const limitOf = (value: FreeCallLimitSetting): number => (typeof value === 'number' ? (value < 0 ? UNLIMITED_FREE_CALLS : value) : UNLIMITED_FREE_CALLS);

/**
 * Builds the allowance once at start-up (one Map lookup per call). `metadataFreeCalls` is read per call, so
 * metadata hot reload applies. Keys that are addresses match addresses whatever their case (the reference
 * also matches case-insensitively); other keys are matched (case-insensitively) against pre-v6 e-mails.
 */
export function createFreeCallAllowance(perAddress: Readonly<Record<string, FreeCallLimitSetting>>, metadataFreeCalls: () => number): FreeCallAllowance {
  const byAddress = new Map<string, number>();
  const byEmail = new Map<string, number>();
  for (const [key, value] of Object.entries(perAddress)) {
    const bytes = parseAddress(key.trim());
    if (bytes === undefined) byEmail.set(key.trim().toLowerCase(), limitOf(value));
    else byAddress.set(Buffer.from(bytes).toString('hex'), limitOf(value));
  }
  const anyOverride = [...byAddress.values(), ...byEmail.values()].some((v) => v !== 0);
  return {
    allowedFor(addressLowerHex, legacyEmail) {
      let override = byAddress.get(addressLowerHex);
      if ((override === undefined || override === 0) && legacyEmail !== undefined && legacyEmail !== '') override = byEmail.get(legacyEmail.toLowerCase());
      return override === undefined || override === 0 ? metadataFreeCalls() : override;
    },
    get anyGranted() {
      return anyOverride || metadataFreeCalls() > 0;
    },
  };
}

/** Free calls left to report: 99999999 for unlimited, never negative. */
export function freeCallsAvailable(allowed: number, used: number): number {
  if (allowed === UNLIMITED_FREE_CALLS) return UNLIMITED_FREE_CALLS_REPORTED;
  return Math.max(0, allowed - used);
}
