import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { SnetError } from '../../errors/index.ts';

// The daemon's record of one MPE channel (Go `PaymentChannelData`, `escrow/payment_channel_api.go`) and its value codec.
// The encoding is ours (docs/migration.md): versioned JSON, integers as decimal strings, bytes as
// 0x-hex, stored under the snetd-ts key root (`buildStoragePrefixes`), so it never meets Go gob values.

/** What the chain says about a channel (`MultiPartyEscrow.channels(id)`); `ChainClient.getChannel` returns it. */
export interface ChainChannelView {
  readonly nonce: bigint;
  readonly sender: string;
  readonly signer: string;
  readonly recipient: string;
  /** bytes32 group id as 0x-hex. */
  readonly groupId: string;
  /** Cogs escrowed in the channel (`value`). */
  readonly value: bigint;
  /** Block from which the sender may take the funds back. */
  readonly expiration: bigint;
}

/**
 * The chain reads the payment side needs. `ChainClient` from blockchain/ satisfies it once bound to the
 * MPE address; unit tests give a fake. `getBlockNumber` is expected to be cached (no round trip per call).
 */
export interface ChannelReader {
  /** `undefined` when the channel was never opened (`sender == 0`). Throws CHAIN_* errors. */
  getChannel(channelId: bigint): Promise<ChainChannelView | undefined>;
  getBlockNumber(): Promise<bigint>;
  /**
   * The block number `getBlockNumber` would answer right now without waiting for the node, or `undefined`
   * (then the caller awaits `getBlockNumber`). Optional: saves the per-call await on the hot path.
   */
  peekBlockNumber?(): bigint | undefined;
}

/**
 * A payment reserved for a call in flight (reserve-then-commit, docs/payments.md): `authorizedAmount`
 * already holds the new amount; this remembers what to restore if the service fails, and until when
 * the reservation blocks other calls on the channel. An expired reservation counts as accepted.
 */
export interface PendingPayment {
  readonly previousAmount: bigint;
  readonly previousSignature: Uint8Array | undefined;
  /** `Date.now()` ms after which the reservation no longer blocks and is treated as committed. */
  readonly leaseUntilMs: number;
  /** Random id of the reserving call (commit/release only touch their own reservation). */
  readonly owner: string;
}

/** The stored channel record (Go `PaymentChannelData`) plus the reservation of a call in flight. */
export interface ChannelState {
  readonly channelId: bigint;
  readonly nonce: bigint;
  readonly sender: string;
  readonly signer: string;
  readonly recipient: string;
  /** bytes32 group id as 0x-hex (lower case). */
  readonly groupId: string;
  /** Channel value as last seen (chain `value`, minus claims started here). */
  readonly fullAmount: bigint;
  readonly expiration: bigint;
  /** Highest cumulative amount the client signed for `nonce` (0 = none). */
  readonly authorizedAmount: bigint;
  /** The client's signature of `authorizedAmount`; `undefined` when nothing is authorised. */
  readonly signature: Uint8Array | undefined;
  readonly pending?: PendingPayment | undefined;
}

/** A started claim (Go `escrow/payment_storage.go` `Payment`): the signed amount of an old nonce, kept until the chain nonce passes it. */
export interface ClaimRecord {
  readonly channelId: bigint;
  readonly nonce: bigint;
  readonly amount: bigint;
  readonly signature: Uint8Array;
}

/** Version of the stored JSON; a reader refuses versions it does not know instead of guessing. */
export const channelStateVersion = 1;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const hex = (bytes: Uint8Array): string => `0x${bytesToHex(bytes)}`;
const str = (value: string): string => JSON.stringify(value);

/**
 * Encodes a channel record as versioned JSON bytes: byte for byte what `JSON.stringify` of the document (same
 * key order) gives, without the intermediate objects.
 */
export function encodeChannelState(state: ChannelState): Uint8Array {
  return encodeChannelStateAfterHead(channelStateHead(state), state);
}

/**
 * The start of {@link encodeChannelState}'s bytes, through `expiration`: the fields a paid call does not change.
 * The payment path encodes it once per channel view and reuses it for the reserve and commit records.
 */
export function channelStateHead(state: ChannelState): Uint8Array {
  return encoder.encode(
    `{"v":${channelStateVersion},"channelId":"${state.channelId}","nonce":"${state.nonce}","sender":${str(state.sender)},` +
      `"signer":${str(state.signer)},"recipient":${str(state.recipient)},"groupId":${str(state.groupId)},` +
      `"fullAmount":"${state.fullAmount}","expiration":"${state.expiration}"`,
  );
}

const AUTHORIZED = encoder.encode(',"authorizedAmount":"');
const SIGNATURE = encoder.encode('","signature":"0x');
const PENDING = encoder.encode('","pending":{"previousAmount":"');
const PREVIOUS_SIGNATURE = encoder.encode('","previousSignature":"0x');
const LEASE = encoder.encode('","leaseUntilMs":');
const OWNER = encoder.encode(',"owner":');
const HEX_DIGITS = encoder.encode('0123456789abcdef');
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * {@link encodeChannelState} from a `head` that {@link channelStateHead} made for a record with the same channel
 * id, nonce, addresses, group, full amount and expiration as `state` (the caller's promise; not checked). The
 * rest is written straight into the output bytes (hot path: two records per paid call): no joined string, no
 * hex strings.
 */
export function encodeChannelStateAfterHead(head: Uint8Array, state: ChannelState): Uint8Array {
  const amount = state.authorizedAmount.toString();
  const signature = state.signature;
  const p = state.pending;
  let length = head.length + AUTHORIZED.length + amount.length + 2; // `"}` or, with pending, `}}`
  if (signature !== undefined) length += SIGNATURE.length + 2 * signature.length;
  let previous = '';
  let lease = '';
  let owner = '';
  if (p !== undefined) {
    previous = p.previousAmount.toString();
    lease = JSON.stringify(p.leaseUntilMs);
    owner = JSON.stringify(p.owner);
    // Owners are hex ids; anything else (escapes beyond ASCII) takes the general path.
    if (!PRINTABLE_ASCII.test(owner)) return encoder.encode(JSON.stringify(channelStateDocument(state)));
    length += PENDING.length + previous.length + LEASE.length + lease.length + OWNER.length + owner.length;
    if (p.previousSignature !== undefined) length += PREVIOUS_SIGNATURE.length + 2 * p.previousSignature.length;
  }
  const out = new Uint8Array(length);
  out.set(head, 0);
  let at = head.length;
  out.set(AUTHORIZED, at);
  at = writeAscii(out, at + AUTHORIZED.length, amount);
  if (signature !== undefined) {
    out.set(SIGNATURE, at);
    at = writeHex(out, at + SIGNATURE.length, signature);
  }
  if (p !== undefined) {
    out.set(PENDING, at);
    at = writeAscii(out, at + PENDING.length, previous);
    if (p.previousSignature !== undefined) {
      out.set(PREVIOUS_SIGNATURE, at);
      at = writeHex(out, at + PREVIOUS_SIGNATURE.length, p.previousSignature);
    }
    out.set(LEASE, at);
    at = writeAscii(out, at + LEASE.length, lease);
    out.set(OWNER, at);
    at = writeAscii(out, at + OWNER.length, owner);
    out[at++] = 0x7d; // `}` of pending
  } else {
    out[at++] = 0x22; // `"` after the last string value
  }
  out[at] = 0x7d;
  return out;
}

function writeAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  return at + text.length;
}

function writeHex(out: Uint8Array, at: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    out[at + 2 * i] = HEX_DIGITS[byte >> 4] as number;
    out[at + 2 * i + 1] = HEX_DIGITS[byte & 15] as number;
  }
  return at + 2 * bytes.length;
}

/** The record as a plain JSON document, in the stored key order (the general path of the encoder). */
function channelStateDocument(state: ChannelState): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    v: channelStateVersion,
    channelId: state.channelId.toString(),
    nonce: state.nonce.toString(),
    sender: state.sender,
    signer: state.signer,
    recipient: state.recipient,
    groupId: state.groupId,
    fullAmount: state.fullAmount.toString(),
    expiration: state.expiration.toString(),
    authorizedAmount: state.authorizedAmount.toString(),
  };
  if (state.signature !== undefined) doc['signature'] = hex(state.signature);
  const p = state.pending;
  if (p !== undefined) {
    const pending: Record<string, unknown> = { previousAmount: p.previousAmount.toString() };
    if (p.previousSignature !== undefined) pending['previousSignature'] = hex(p.previousSignature);
    pending['leaseUntilMs'] = p.leaseUntilMs;
    pending['owner'] = p.owner;
    doc['pending'] = pending;
  }
  return doc;
}

function corrupt(what: string, detail: string): SnetError {
  return new SnetError('STORAGE_CORRUPT', `stored ${what} is unreadable: ${detail}`, {
    hint: 'Inspect the key with `snetd storage export`; the value was not written by this snetd-ts version.',
  });
}

function parseObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw corrupt(what, err instanceof Error ? err.message : String(err));
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw corrupt(what, 'not a JSON object');
  const record = doc as Record<string, unknown>;
  if (record['v'] !== channelStateVersion) throw corrupt(what, `unknown version ${JSON.stringify(record['v'])}`);
  return record;
}

function uint(record: Record<string, unknown>, key: string, what: string): bigint {
  const value = record[key];
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]*)$/.test(value)) throw corrupt(what, `field ${key} is not a decimal integer`);
  return BigInt(value);
}

function text(record: Record<string, unknown>, key: string, what: string, pattern: RegExp): string {
  const value = record[key];
  if (typeof value !== 'string' || !pattern.test(value)) throw corrupt(what, `field ${key} is malformed`);
  return value;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-f]{64}$/;
const HEX_BYTES = /^0x([0-9a-f]{2})*$/;

function optionalBytes(record: Record<string, unknown>, key: string, what: string): Uint8Array | undefined {
  if (record[key] === undefined) return undefined;
  return hexToBytes(text(record, key, what, HEX_BYTES).slice(2));
}

/** Decodes {@link encodeChannelState} output; throws STORAGE_CORRUPT for anything else. */
export function decodeChannelState(bytes: Uint8Array): ChannelState {
  const what = 'channel state';
  const r = parseObject(bytes, what);
  let pending: PendingPayment | undefined;
  const p = r['pending'];
  if (p !== undefined) {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw corrupt(what, 'field pending is malformed');
    const pr = p as Record<string, unknown>;
    const lease = pr['leaseUntilMs'];
    if (typeof lease !== 'number' || !Number.isFinite(lease)) throw corrupt(what, 'field pending.leaseUntilMs is malformed');
    pending = {
      previousAmount: uint(pr, 'previousAmount', what),
      previousSignature: optionalBytes(pr, 'previousSignature', what),
      leaseUntilMs: lease,
      owner: text(pr, 'owner', what, /^[0-9a-f]{1,64}$/),
    };
  }
  return {
    channelId: uint(r, 'channelId', what),
    nonce: uint(r, 'nonce', what),
    sender: text(r, 'sender', what, ADDRESS),
    signer: text(r, 'signer', what, ADDRESS),
    recipient: text(r, 'recipient', what, ADDRESS),
    groupId: text(r, 'groupId', what, BYTES32),
    fullAmount: uint(r, 'fullAmount', what),
    expiration: uint(r, 'expiration', what),
    authorizedAmount: uint(r, 'authorizedAmount', what),
    signature: optionalBytes(r, 'signature', what),
    pending,
  };
}

/** Encodes a claim record as versioned JSON bytes. */
export function encodeClaimRecord(claim: ClaimRecord): Uint8Array {
  return encoder.encode(
    JSON.stringify({
      v: channelStateVersion,
      channelId: claim.channelId.toString(),
      nonce: claim.nonce.toString(),
      amount: claim.amount.toString(),
      signature: hex(claim.signature),
    }),
  );
}

/** Decodes {@link encodeClaimRecord} output; throws STORAGE_CORRUPT for anything else. */
export function decodeClaimRecord(bytes: Uint8Array): ClaimRecord {
  const what = 'claim record';
  const r = parseObject(bytes, what);
  return {
    channelId: uint(r, 'channelId', what),
    nonce: uint(r, 'nonce', what),
    amount: uint(r, 'amount', what),
    signature: optionalBytes(r, 'signature', what) ?? new Uint8Array(0),
  };
}

/**
 * The record as every reader must see it at `nowMs`: a reservation whose lease expired counts as
 * accepted (the client signed it and the service may have answered before a crash), so it is dropped.
 */
export function settleExpired(state: ChannelState, nowMs: number): ChannelState {
  if (state.pending === undefined || state.pending.leaseUntilMs > nowMs) return state;
  return { ...state, pending: undefined };
}
