import { SnetError } from '../../errors/index.ts';

// The daemon's free-call counter of one user (Go `FreeCallUserData`) and its value codec: versioned JSON under
// the snetd-ts key root, like the channel records (never Go gob values). Besides the count it keeps the
// reservations of calls in flight, each with a lease, so a crashed replica or a lost `release` never leaves
// the user locked (the reference's issue #571): an expired reservation counts as a used call.

/** A free call in flight: reserved before the service is called, settled by commit/release or by its lease. */
export interface FreeCallReservationRecord {
  /** Random id of the reserving call (commit/release/renewal touch only their own). */
  readonly owner: string;
  /** `Date.now()` ms after which the reservation counts as a used call. */
  readonly leaseUntilMs: number;
}

/** The stored counter of one (user address, user id) of this service. */
export interface FreeCallState {
  /** Free calls used (committed, or reserved and never settled before their lease ended). */
  readonly made: number;
  readonly pending: readonly FreeCallReservationRecord[];
}

/** Version of the stored JSON; a reader refuses versions it does not know instead of guessing. */
export const freeCallStateVersion = 1;

export const EMPTY_FREE_CALL_STATE: FreeCallState = { made: 0, pending: [] };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Versioned JSON bytes of a counter. */
export function encodeFreeCallState(state: FreeCallState): Uint8Array {
  return encoder.encode(JSON.stringify({ v: freeCallStateVersion, made: state.made, pending: state.pending.map((p) => ({ owner: p.owner, leaseUntilMs: p.leaseUntilMs })) }));
}

function corrupt(key: string, why: string): SnetError {
  return new SnetError('STORAGE_CORRUPT', `free-call counter ${key} is not a snetd-ts v${freeCallStateVersion} record: ${why}`, {
    hint: 'Reset it with `snetd freecall reset --address <address>`; check that no other program writes under this key prefix.',
  });
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Decodes a stored counter; throws STORAGE_CORRUPT naming `key` when it is not one. */
export function decodeFreeCallState(key: string, bytes: Uint8Array): FreeCallState {
  let doc: unknown;
  try {
    doc = JSON.parse(decoder.decode(bytes));
  } catch {
    throw corrupt(key, 'not UTF-8 JSON');
  }
  if (typeof doc !== 'object' || doc === null) throw corrupt(key, 'not an object');
  const record = doc as Record<string, unknown>;
  if (record['v'] !== freeCallStateVersion) throw corrupt(key, `version ${String(record['v'])}`);
  const made = record['made'];
  const pending = record['pending'];
  if (!isCount(made)) throw corrupt(key, '"made" is not a count');
  if (!Array.isArray(pending)) throw corrupt(key, '"pending" is not a list');
  const reservations: FreeCallReservationRecord[] = [];
  for (const item of pending as unknown[]) {
    const entry = item as Record<string, unknown> | null;
    if (typeof entry !== 'object' || entry === null || typeof entry['owner'] !== 'string' || !isCount(entry['leaseUntilMs'])) throw corrupt(key, 'bad reservation');
    reservations.push({ owner: entry['owner'], leaseUntilMs: entry['leaseUntilMs'] });
  }
  return { made, pending: reservations };
}

/** The counter with every reservation whose lease ended by `nowMs` counted as a used call (same object when none did). */
export function settleExpiredFreeCalls(state: FreeCallState, nowMs: number): FreeCallState {
  let expired = 0;
  for (const p of state.pending) if (p.leaseUntilMs <= nowMs) expired++;
  if (expired === 0) return state;
  return { made: state.made + expired, pending: state.pending.filter((p) => p.leaseUntilMs > nowMs) };
}
