import { randomBytes } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  addressToBytes,
  buildClaimMessage,
  hashSignedMessage,
  publicKeyToAddressBytes,
  toChecksumAddress,
  type SignatureRecoverer,
} from '../../blockchain/index.ts';
import { SnetError } from '../../errors/index.ts';
import type { Logger } from '../../shared/index.ts';
import type { PriceResolver, PriceResult } from '../pricing/index.ts';
import {
  amountMismatchError,
  blockUnavailableError,
  channelLockFailedError,
  channelNotFoundError,
  channelReadFailedError,
  concurrentCallError,
  PaymentError,
  signatureInvalidError,
  userNotAllowedError,
} from '../payment-error.ts';
import { bytesEqual, checkChannelPayment, CHECK_OK, NEED_BLOCK, type ChannelCheck } from './channel-payment-check.ts';
import { parseEscrowPaymentHeaders, type EscrowPaymentHeaders, type HeaderMap } from './payment-headers.ts';
import type { AcceptedPayment, PaymentHandler } from '../payment-handler.ts';
import type { ChannelRepository, ChainReadResult, StoredChannel } from './channel-repository.ts';
import {
  channelStateHead,
  encodeChannelState,
  encodeChannelStateAfterHead,
  settleExpired,
  type ChannelReader,
  type ChannelState,
} from './channel-state.ts';

/** Settings of {@link createEscrowPaymentHandler}, cut from metadata and config once at start-up. */
export interface EscrowPaymentHandlerOptions {
  /** Service metadata `mpe_address` (the header `snet-payment-mpe-address` is not used, as in Go `escrow/payment_handler.go`). */
  readonly mpeAddress: string;
  /**
   * Org metadata `payment_expiration_threshold` of the daemon's group, in blocks (Go `escrow/validation.go` expiry check). Read on every call,
   * so an options object with getters follows metadata hot reload (as does `priceOf`).
   */
  readonly expirationThresholdBlocks: bigint;
  /** Price of a method in cogs (Go `pricing/*.go`). */
  readonly priceOf: PriceResolver;
  /**
   * How long a reservation blocks its channel without being renewed. A call in flight longer than a third of
   * this gets its lease renewed (one sweeper per handler checks every sixth of it, so a renewal is written at
   * most half a lease after the last write); after a crash the channel is free again at most this long after
   * the last renewal. @default 30000
   */
  readonly leaseMs?: number;
  /**
   * Curation (`allowed_user_flag`): when set, only these signers may pay (20 address bytes, compared as bytes);
   * any other signer is refused with PAYMENT_USER_NOT_ALLOWED (the reference's curation text, Go
   * `escrow/validation.go` `checkCurationValidations`; the reference hides it behind `payment signature is not valid`).
   */
  readonly allowedSigners?: readonly Uint8Array[];
}

/** Dependencies of {@link createEscrowPaymentHandler}. */
export interface EscrowPaymentHandlerDeps {
  readonly repository: ChannelRepository;
  readonly chain: ChannelReader;
  readonly recoverer: SignatureRecoverer;
  readonly logger: Logger;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Told about each committed payment with the record as written (metering's channel-balance report, Go
   * `escrow/escrow.go` after a commit). Called synchronously after the write; must not throw and must not wait.
   */
  readonly onCommitted?: (state: ChannelState) => void;
}

/**
 * A payment accepted for one call and reserved in storage. Hand it back to `commit` when the service
 * answered OK or to `release` when it failed; exactly one of them, once.
 */
export interface Reservation extends AcceptedPayment {
  readonly type: 'escrow';
  readonly channelId: bigint;
  readonly nonce: bigint;
  /** The cumulative amount now authorised. */
  readonly amount: bigint;
  /** The price of this call (`amount − previous authorised amount`). */
  readonly priceCogs: bigint;
  /** EIP-55 channel sender, for the `snet-user-address` header to the service (as Go `handler/stream_interceptor.go`). */
  readonly userAddress: string;
}

/**
 * The escrow payment check (Go `escrow/payment_handler.go`, `escrow/validation.go`), transport-agnostic: `reserve` validates a call's payment metadata
 * and reserves the payment (one storage write); `commit`/`release` finish it (one more write). Errors are
 * `PaymentError`s with the reference's client texts; the transport maps their codes to statuses.
 */
export interface EscrowPaymentHandler extends PaymentHandler<Reservation> {
  /**
   * Validates and reserves the escrow payment (the payment type is the dispatcher's to check); throws a
   * `PaymentError` (nothing changed) when the call must be refused. `estimatePrice` (dynamic pricing) replaces
   * `priceOf` for this call: it is awaited once, at the price step (Go `escrow/validation.go` order: after the
   * nonce, signature, expiry and funds checks, with the channel held), with the channel sender (EIP-55) as
   * `payer`; a price error it returns refuses the call; if it rejects, `reserve` rejects with that error.
   * Nothing is reserved in either case. `commit` never throws (a failed write leaves a reservation that counts
   * as accepted); `release` restores the previous authorisation; `close` stops the lease sweeper.
   */
  reserve(metadata: HeaderMap, methodPath: string, signal?: AbortSignal, estimatePrice?: (payer: string) => Promise<PriceResult>): Promise<Reservation>;
}

/** A reservation as this handler tracks it; callers only see the {@link Reservation} fields. */
class EscrowReservation implements Reservation {
  readonly type = 'escrow';
  readonly channelId: bigint;
  readonly nonce: bigint;
  readonly amount: bigint;
  readonly priceCogs: bigint;
  readonly userAddress: string;
  readonly key: string;
  readonly owner: string;
  /** `channelStateHead` of `state` (changes only when a renewal adopts a record a chain event rewrote). */
  head: Uint8Array;
  /** The record as this reservation wrote it (with the reservation); updated by lease renewals. */
  state: ChannelState;
  bytes: Uint8Array;
  /** `now()` when `state` was written: the sweeper renews the lease once this is a third of a lease old. */
  writtenAtMs: number;
  renewing = false;
  done = false;

  constructor(payment: EscrowPaymentHeaders, priceCogs: bigint, userAddress: string, key: string, owner: string, head: Uint8Array, state: ChannelState, bytes: Uint8Array, writtenAtMs: number) {
    this.channelId = payment.channelId;
    this.nonce = payment.nonce;
    this.amount = payment.amount;
    this.priceCogs = priceCogs;
    this.userAddress = userAddress;
    this.key = key;
    this.owner = owner;
    this.head = head;
    this.state = state;
    this.bytes = bytes;
    this.writtenAtMs = writtenAtMs;
  }
}

/** One paid call being checked: the parsed payment, its price and (once computed) the recovered signer. */
interface PaymentCall {
  readonly payment: EscrowPaymentHeaders;
  /** `undefined` until `estimate` (dynamic pricing) has answered. */
  price: PriceResult | undefined;
  readonly estimate: ((payer: string) => Promise<PriceResult>) | undefined;
  recovered: Uint8Array | PaymentError | undefined;
}

/** A channel record this process last read or wrote, with the `channelStateHead` of its state once computed. */
interface CachedChannel extends StoredChannel {
  head: Uint8Array | undefined;
}

/** Outcome of the escrow checks (the shared channel checks plus the price). */
type Check = ChannelCheck;
/** `validate` reached the price check of a dynamically priced call before its estimate: the caller awaits it and validates again. */
const NEED_PRICE = Symbol('need price');

/** Attempts per reserve: one from the cached record (if any), then up to three from fresh reads. */
const MAX_ATTEMPTS = 4;
/** Channel records remembered per process (oldest dropped first). */
const MAX_CACHED_CHANNELS = 10_000;

/** Creates the escrow {@link EscrowPaymentHandler}; all per-service facts are fixed here, once. */
export function createEscrowPaymentHandler(deps: EscrowPaymentHandlerDeps, options: EscrowPaymentHandlerOptions): EscrowPaymentHandler {
  const { repository, chain, recoverer } = deps;
  const logger = deps.logger.child({ component: 'escrow' });
  const now = deps.now ?? Date.now;
  const leaseMs = options.leaseMs ?? 30_000;
  const mpeBytes = addressToBytes(options.mpeAddress);
  // Owner ids of reservations: unique per process (random prefix) and per call (counter), no syscall per call.
  const ownerPrefix = bytesToHex(randomBytes(8));
  let ownerCounter = 0;
  // The record bytes this process last read or wrote per channel: the expected value of the next CAS, so a
  // known channel costs no storage read. Never trusted to refuse: a refusal or a lost CAS re-reads the store.
  const cache = new Map<string, CachedChannel>();
  const remember = (key: string, stored: CachedChannel): void => {
    cache.delete(key);
    if (cache.size >= MAX_CACHED_CHANNELS) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(key, stored);
  };
  // Per channel, the last signer key recovered and its address: a repeat signer costs no keccak of the key.
  // Only ever a shortcut for the same function of the same bytes (the key is compared in full).
  const signerKeys = new Map<string, { readonly publicKey: Uint8Array; readonly address: Uint8Array }>();
  const addressOfKey = (key: string, publicKey: Uint8Array): Uint8Array => {
    const known = signerKeys.get(key);
    if (known !== undefined && bytesEqual(known.publicKey, publicKey)) return known.address;
    const address = publicKeyToAddressBytes(publicKey);
    if (known === undefined && signerKeys.size >= MAX_CACHED_CHANNELS) signerKeys.clear();
    signerKeys.set(key, { publicKey, address });
    return address;
  };
  // The 20 bytes of the stored sender/signer texts (parsed once per distinct address, not per call).
  const addressBytes = new Map<string, Uint8Array>();
  const bytesOfAddress = (text: string): Uint8Array => {
    let bytes = addressBytes.get(text);
    if (bytes === undefined) {
      bytes = addressToBytes(text);
      if (addressBytes.size >= 2 * MAX_CACHED_CHANNELS) addressBytes.clear();
      addressBytes.set(text, bytes);
    }
    return bytes;
  };
  /** CAS of the channel record that keeps the cache in step (forgets the key when the outcome is not ours). */
  const cas = async (key: string, expected: Uint8Array | undefined, state: ChannelState, bytes: Uint8Array, head: Uint8Array | undefined): Promise<boolean> => {
    let swapped = false;
    try {
      swapped = await repository.casChannelKey(key, expected, bytes);
    } finally {
      if (swapped) remember(key, { bytes, state, head });
      else cache.delete(key);
    }
    return swapped;
  };

  const allowedSigners = options.allowedSigners;
  /** The signer, or the curation refusal when an allow-list is set and does not name it. */
  const curated = (signer: Uint8Array): Uint8Array | PaymentError =>
    allowedSigners === undefined || allowedSigners.some((allowed) => bytesEqual(allowed, signer)) ? signer : userNotAllowedError(toChecksumAddress(signer));

  /** The digest the client signed for `payment` (EIP-191 over the M1 claim message). */
  const digestOf = (p: EscrowPaymentHeaders): Uint8Array =>
    hashSignedMessage(buildClaimMessage({ mpeAddress: mpeBytes, channelId: p.channelId, nonce: p.nonce, amount: p.amount }));

  /** The signer's address bytes (recovered once per call, on first use), or why there is none. */
  const signerOf = (call: PaymentCall, key: string): Uint8Array | PaymentError => {
    if (call.recovered === undefined) {
      const result = recoverer.recoverPublicKey(digestOf(call.payment), call.payment.signature);
      call.recovered = result.ok ? curated(addressOfKey(key, result.value)) : signatureInvalidError(result.error.message);
    }
    return call.recovered;
  };

  /**
   * The shared channel checks, then the price, on one channel view, in the reference's order; recovery runs
   * once per call. `block` is the current block, its failure, or `undefined` when not known without waiting
   * (→ {@link NEED_BLOCK}).
   */
  const validate = (channel: ChannelState, call: PaymentCall, key: string, block: bigint | PaymentError | undefined): Check | typeof NEED_BLOCK | typeof NEED_PRICE => {
    const payment = call.payment;
    const check = checkChannelPayment(channel, payment, { signer: () => signerOf(call, key), addressBytes: bytesOfAddress }, block, options.expirationThresholdBlocks);
    if (check !== CHECK_OK) return check;
    const price = call.price;
    if (price === undefined) return NEED_PRICE;
    if (!price.ok) return { ok: false, error: price.error, chainMayFix: false };
    const income = payment.amount - channel.authorizedAmount;
    if (income !== price.value) return { ok: false, error: amountMismatchError(income, price.value), chainMayFix: false };
    return CHECK_OK;
  };

  /**
   * {@link validate} with the block number awaited from the node when the cache cannot answer at once, and a
   * dynamic price awaited from its estimate (once per call: `call.price` keeps it for retries).
   */
  const validateWithBlock = async (channel: ChannelState, call: PaymentCall, key: string): Promise<Check> => {
    let block: bigint | PaymentError | undefined = chain.peekBlockNumber?.();
    let check = validate(channel, call, key, block);
    if (check === NEED_BLOCK) {
      try {
        block = await chain.getBlockNumber();
      } catch (err) {
        block = blockUnavailableError(err);
      }
      check = validate(channel, call, key, block);
    }
    if (check === NEED_PRICE && call.estimate !== undefined) {
      call.price = await call.estimate(channel.sender);
      check = validate(channel, call, key, block);
    }
    return check as Check;
  };

  const readChain = async (channelId: bigint): Promise<ChainReadResult> => {
    try {
      return { ok: true, value: await repository.readChain(channelId) };
    } catch (error) {
      return { ok: false, error };
    }
  };

  /** The stored record read afresh (and remembered), mapping storage failures to the reference's errors. */
  const readFresh = async (channelId: bigint, key: string): Promise<CachedChannel | undefined> => {
    let stored: StoredChannel | undefined;
    try {
      stored = await repository.readStored(channelId);
    } catch (err) {
      cache.delete(key);
      if (err instanceof SnetError && err.code === 'STORAGE_CORRUPT') throw channelReadFailedError(err.message, err);
      throw channelLockFailedError(channelId, err);
    }
    if (stored === undefined) {
      cache.delete(key);
      return undefined;
    }
    const entry: CachedChannel = { bytes: stored.bytes, state: stored.state, head: undefined };
    remember(key, entry);
    return entry;
  };

  /**
   * One read-validate-CAS attempt. Resolves `undefined` when it must be retried from a fresh read: the CAS lost a
   * race, or the cached record refused the payment (a refusal is only given from what the store holds now).
   */
  const attempt = async (call: PaymentCall, key: string, fresh: boolean): Promise<EscrowReservation | undefined> => {
    const payment = call.payment;
    const channelId = payment.channelId;
    let stored = fresh ? undefined : cache.get(key);
    const fromCache = stored !== undefined;
    if (!fromCache) stored = await readFresh(channelId, key);
    const at = now();
    // A live reservation is the reference's held lock: refuse at once (Go `escrow/escrow.go`; docs/payments.md).
    if (stored?.state.pending !== undefined && stored.state.pending.leaseUntilMs > at) {
      if (fromCache) return undefined;
      throw concurrentCallError(channelId);
    }
    const settled = stored === undefined ? undefined : settleExpired(stored.state, at);

    let channel = settled;
    let fromChain = false;
    if (channel === undefined) {
      channel = repository.merge(channelId, undefined, await readChain(channelId));
      fromChain = true;
      if (channel === undefined) throw channelNotFoundError(channelId);
    }
    let check = validate(channel, call, key, chain.peekBlockNumber?.());
    if (check === NEED_BLOCK || check === NEED_PRICE) check = await validateWithBlock(channel, call, key);
    if (!check.ok && fromCache) return undefined;
    if (!check.ok && check.chainMayFix && !fromChain) {
      // The stored view may be stale (funds added, extended, claimed on chain): one chain read, storage/chain merge.
      const read = await readChain(channelId);
      if (read.ok && read.value !== undefined) {
        channel = repository.merge(channelId, settled, read) ?? channel;
        check = await validateWithBlock(channel, call, key);
      }
    }
    if (!check.ok) throw check.error;

    // The record's fixed fields are the stored ones unless the chain changed them (settleExpired keeps them).
    const head = stored !== undefined && channel === settled ? (stored.head ??= channelStateHead(stored.state)) : channelStateHead(channel);
    const owner = `${ownerPrefix}${(ownerCounter++).toString(16)}`;
    const next: ChannelState = {
      ...channel,
      authorizedAmount: payment.amount,
      signature: payment.signature,
      pending: { previousAmount: channel.authorizedAmount, previousSignature: channel.signature, leaseUntilMs: at + leaseMs, owner },
    };
    const bytes = encodeChannelStateAfterHead(head, next);
    let swapped: boolean;
    try {
      swapped = await cas(key, stored?.bytes, next, bytes, head);
    } catch (err) {
      // Outcome unknown (timeout): if our reservation landed, undo it so the client is not charged.
      await undoUnknown(channelId, owner);
      throw channelLockFailedError(channelId, err);
    }
    if (!swapped) return undefined;
    const price = call.price;
    // Stored records hold EIP-55 addresses (channelFromChain), so no per-call checksum.
    return new EscrowReservation(payment, price?.ok === true ? price.value : 0n, channel.sender, key, owner, head, next, bytes, at);
  };

  const undoUnknown = async (channelId: bigint, owner: string): Promise<void> => {
    try {
      const current = await repository.readStored(channelId);
      const pending = current?.state.pending;
      if (current === undefined || pending?.owner !== owner) return;
      const restored: ChannelState = { ...current.state, authorizedAmount: pending.previousAmount, signature: pending.previousSignature, pending: undefined };
      await cas(repository.channelKey(channelId), current.bytes, restored, encodeChannelState(restored), undefined);
    } catch (err) {
      logger.error({ channelId: channelId.toString(), err }, 'could not check a reservation whose write timed out; it counts as accepted when its lease ends');
    }
  };

  // Lease renewal: one sweeper per handler instead of a timer per call (most calls end within milliseconds and
  // never need one). It renews every live reservation whose record is a third of a lease old; checking every
  // sixth of a lease, a renewal is written at most half a lease after the previous write.
  const live = new Set<EscrowReservation>();
  const renewAfterMs = leaseMs / 3;
  let sweeper: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  const renew = (r: EscrowReservation): void => {
    r.renewing = true;
    repository
      .withChannel(r.channelId, async () => {
        if (r.done) return;
        const at = now();
        const next: ChannelState = { ...r.state, pending: r.state.pending === undefined ? undefined : { ...r.state.pending, leaseUntilMs: at + leaseMs } };
        const bytes = encodeChannelStateAfterHead(r.head, next);
        if (await cas(r.key, r.bytes, next, bytes, r.head)) {
          r.state = next;
          r.bytes = bytes;
          r.writtenAtMs = at;
          return;
        }
        // Someone else rewrote the record: a chain event (funds added, extended) keeps our reservation in it, and
        // it must go on blocking the channel while the call runs. Renew from what is stored if it is still ours.
        const current = await repository.readStored(r.channelId);
        const pending = current?.state.pending;
        if (current !== undefined && pending?.owner === r.owner) {
          const adopted: ChannelState = { ...current.state, pending: { ...pending, leaseUntilMs: at + leaseMs } };
          const head = channelStateHead(adopted);
          const adoptedBytes = encodeChannelStateAfterHead(head, adopted);
          if (await cas(r.key, current.bytes, adopted, adoptedBytes, head)) {
            r.state = adopted;
            r.bytes = adoptedBytes;
            r.head = head;
            r.writtenAtMs = at;
            return;
          }
          // Lost a race on the record: the next sweep tries again (commit/release also re-read by owner).
          return;
        }
        logger.warn({ channelId: r.channelId.toString() }, 'a reservation could not be renewed (settled by another call); the payment stays accepted');
        live.delete(r);
      })
      .catch((err: unknown) => logger.warn({ channelId: r.channelId.toString(), err }, 'renewing a reservation failed; retrying'))
      .finally(() => {
        r.renewing = false;
      });
  };
  const sweep = (): void => {
    const at = now();
    for (const r of live) if (!r.renewing && at - r.writtenAtMs >= renewAfterMs) renew(r);
  };
  const track = (r: EscrowReservation): void => {
    live.add(r);
    if (sweeper === undefined && !closed) {
      sweeper = setInterval(sweep, Math.max(1, Math.floor(leaseMs / 6)));
      sweeper.unref();
    }
  };

  /** Replaces our reservation by `finish(state)`; returns quietly when it is no longer ours. */
  const finishReservation = async (r: EscrowReservation, finish: (state: ChannelState) => ChannelState, what: string, written?: (state: ChannelState) => void): Promise<void> => {
    if (r.done) return;
    r.done = true;
    live.delete(r);
    // No signal: this acquisition cannot be cancelled, so it never rejects.
    const waiting = repository.acquireChannel(r.key);
    if (waiting !== undefined) await waiting;
    try {
      const next = finish(r.state);
      if (await cas(r.key, r.bytes, next, encodeChannelStateAfterHead(r.head, next), r.head)) {
        written?.(next);
        return;
      }
      const current = await repository.readStored(r.channelId);
      if (current === undefined || current.state.pending?.owner !== r.owner) {
        logger.warn({ channelId: r.channelId.toString(), nonce: r.nonce.toString() }, `${what}: the reservation was already settled by another call (its lease had expired)`);
        return;
      }
      const retry = finish(current.state);
      if (await cas(r.key, current.bytes, retry, encodeChannelState(retry), undefined)) written?.(retry);
      else logger.warn({ channelId: r.channelId.toString() }, `${what}: lost a race on the channel record; the reservation settles when its lease ends`);
    } catch (err) {
      logger.error({ channelId: r.channelId.toString(), err }, `${what} could not be written; the reservation counts as accepted when its lease ends`);
    } finally {
      repository.releaseChannel(r.key);
    }
  };

  const handler: EscrowPaymentHandler = {
    async reserve(metadata, methodPath, signal, estimatePrice) {
      const parsed = parseEscrowPaymentHeaders(metadata);
      if (!parsed.ok) throw parsed.error;
      const call: PaymentCall = { payment: parsed.value, price: estimatePrice === undefined ? options.priceOf(methodPath) : undefined, estimate: estimatePrice, recovered: undefined };
      const key = repository.channelKey(call.payment.channelId);
      // With recovery threads the signature is recovered beside the event loop while this call waits for its
      // channel; the result is used at its place in the check order (a refused call may have recovered for nothing).
      const recovering = recoverer.threads > 0 ? recoverer.recoverPublicKeyAsync(digestOf(call.payment), call.payment.signature) : undefined;
      const waiting = repository.acquireChannel(key, signal);
      if (waiting !== undefined) await waiting;
      let reservation: EscrowReservation | undefined;
      try {
        if (recovering !== undefined) {
          const result = await recovering;
          call.recovered = result.ok ? curated(addressOfKey(key, result.value)) : signatureInvalidError(result.error.message);
        }
        if (signal?.aborted === true) throw new SnetError('REQUEST_CANCELLED', 'storage call cancelled before it was sent; nothing changed', { cause: signal.reason });
        for (let i = 0; i < MAX_ATTEMPTS && reservation === undefined; i++) reservation = await attempt(call, key, i > 0);
      } finally {
        repository.releaseChannel(key);
      }
      // Another replica keeps winning the CAS on this channel: the same answer as a held lock.
      if (reservation === undefined) throw concurrentCallError(call.payment.channelId);
      track(reservation);
      return reservation;
    },
    commit(reservation) {
      return finishReservation(unwrap(reservation), withoutPending, 'commit', deps.onCommitted);
    },
    release(reservation) {
      return finishReservation(unwrap(reservation), restorePrevious, 'release');
    },
    close() {
      closed = true;
      if (sweeper !== undefined) clearInterval(sweeper);
      sweeper = undefined;
    },
  };
  return handler;
}

function withoutPending(state: ChannelState): ChannelState {
  return { ...state, pending: undefined };
}

function restorePrevious(state: ChannelState): ChannelState {
  return state.pending === undefined ? state : { ...state, authorizedAmount: state.pending.previousAmount, signature: state.pending.previousSignature, pending: undefined };
}

function unwrap(reservation: Reservation): EscrowReservation {
  if (!(reservation instanceof EscrowReservation)) throw new TypeError('not a reservation made by this escrow handler');
  return reservation;
}
