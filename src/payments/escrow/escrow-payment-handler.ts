import { randomBytes } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  addressToBytes,
  buildClaimMessage,
  hashSignedMessage,
  publicKeyToAddressBytes,
  type SignatureRecoverer,
} from '../../blockchain/index.ts';
import { SnetError } from '../../errors/index.ts';
import type { Logger } from '../../shared/index.ts';
import type { PriceResolver } from '../pricing/index.ts';
import {
  amountMismatchError,
  blockUnavailableError,
  channelExpiredError,
  channelLockFailedError,
  channelNotFoundError,
  channelReadFailedError,
  concurrentCallError,
  insufficientFundsError,
  nonceMismatchError,
  PaymentError,
  paymentTypeUnsupportedError,
  signatureInvalidError,
  wrongSignerError,
} from '../payment-error.ts';
import { type HeaderMap, parseEscrowPaymentHeaders, parsePaymentType, type EscrowPaymentHeaders } from './payment-headers.ts';
import type { ChannelRepository, ChainReadResult, StoredChannel } from './channel-repository.ts';
import { encodeChannelState, settleExpired, type ChannelReader, type ChannelState } from './channel-state.ts';

/** Settings of {@link createEscrowPaymentHandler}, cut from metadata and config once at start-up. */
export interface EscrowPaymentHandlerOptions {
  /** Service metadata `mpe_address` (the header `snet-payment-mpe-address` is not used, spec §5.3 step 2). */
  readonly mpeAddress: string;
  /**
   * Org metadata `payment_expiration_threshold` of the daemon's group, in blocks (§5.3 5e). Read on every call,
   * so an options object with getters follows metadata hot reload (as does `priceOf`).
   */
  readonly expirationThresholdBlocks: bigint;
  /** Price of a method in cogs (§6). */
  readonly priceOf: PriceResolver;
  /**
   * How long a reservation blocks its channel without being renewed. A call in flight renews it every
   * third of this; after a crash the channel is free again at most this long after the last renewal.
   * @default 30000
   */
  readonly leaseMs?: number;
}

/** Dependencies of {@link createEscrowPaymentHandler}. */
export interface EscrowPaymentHandlerDeps {
  readonly repository: ChannelRepository;
  readonly chain: ChannelReader;
  readonly recoverer: SignatureRecoverer;
  readonly logger: Logger;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * A payment accepted for one call and reserved in storage. Hand it back to `commit` when the service
 * answered OK or to `release` when it failed; exactly one of them, once.
 */
export interface Reservation {
  readonly channelId: bigint;
  readonly nonce: bigint;
  /** The cumulative amount now authorised. */
  readonly amount: bigint;
  /** The price of this call (`amount − previous authorised amount`). */
  readonly priceCogs: bigint;
  /** EIP-55 channel sender, for the `snet-user-address` header to the service (spec §1.3 step 5). */
  readonly userAddress: string;
}

/**
 * The escrow payment check of spec §5.3, transport-agnostic: `reserve` validates a call's payment metadata
 * and reserves the payment (one storage write); `commit`/`release` finish it (one more write). Errors are
 * `PaymentError`s with the reference's client texts; the transport maps their codes to statuses.
 */
export interface EscrowPaymentHandler {
  /** Validates and reserves; throws a `PaymentError` (nothing changed) when the call must be refused. */
  reserve(metadata: HeaderMap, methodPath: string, signal?: AbortSignal): Promise<Reservation>;
  /** The service answered OK: the payment is final. Never throws (a failed write leaves a reservation that counts as accepted). */
  commit(reservation: Reservation): Promise<void>;
  /** The service failed: the call is free, the previous authorisation is restored. Never throws. */
  release(reservation: Reservation): Promise<void>;
}

interface ReservationImpl extends Reservation {
  readonly key: string;
  readonly owner: string;
  /** The record as this reservation wrote it (with the reservation); updated by lease renewals. */
  state: ChannelState;
  bytes: Uint8Array;
  timer: ReturnType<typeof setInterval> | undefined;
  done: boolean;
}

/** Outcome of the §5.3 checks; `chainMayFix` marks refusals a fresher chain read may cure (funds added, extended, claim landed). */
type Check = { readonly ok: true } | { readonly ok: false; readonly error: PaymentError; readonly chainMayFix: boolean };

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
  const cache = new Map<string, StoredChannel>();
  const remember = (key: string, stored: StoredChannel): void => {
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
  const cas = async (channelId: bigint, key: string, expected: Uint8Array | undefined, state: ChannelState): Promise<{ swapped: boolean; bytes: Uint8Array }> => {
    const bytes = encodeChannelState(state);
    let swapped = false;
    try {
      swapped = await repository.casChannel(channelId, expected, bytes);
    } finally {
      if (swapped) remember(key, { bytes, state });
      else cache.delete(key);
    }
    return { swapped, bytes };
  };

  /** §5.3 step 5 and 7 on one channel view; recovery runs once per call (`signer` is cached by the caller). */
  const validate = async (channel: ChannelState, payment: EscrowPaymentHeaders, signer: () => Uint8Array | PaymentError, price: ReturnType<PriceResolver>): Promise<Check> => {
    if (payment.nonce !== channel.nonce) {
      // Only a client ahead of us can be cured by the chain (claim landed elsewhere, channel re-opened by timeout).
      return { ok: false, error: nonceMismatchError(channel.nonce, payment.nonce), chainMayFix: payment.nonce > channel.nonce };
    }
    const recovered = signer();
    if (recovered instanceof PaymentError) return { ok: false, error: recovered, chainMayFix: false };
    if (!bytesEqual(recovered, bytesOfAddress(channel.signer)) && !bytesEqual(recovered, bytesOfAddress(channel.sender))) {
      return { ok: false, error: wrongSignerError(), chainMayFix: false };
    }
    let block = chain.peekBlockNumber?.();
    if (block === undefined) {
      try {
        block = await chain.getBlockNumber();
      } catch (err) {
        return { ok: false, error: blockUnavailableError(err), chainMayFix: false };
      }
    }
    const threshold = options.expirationThresholdBlocks;
    if (channel.expiration <= block + threshold) {
      return { ok: false, error: channelExpiredError(channel.expiration, block, threshold), chainMayFix: true };
    }
    if (channel.fullAmount < payment.amount) {
      return { ok: false, error: insufficientFundsError(channel.fullAmount, payment.amount), chainMayFix: true };
    }
    if (!price.ok) return { ok: false, error: price.error, chainMayFix: false };
    const income = payment.amount - channel.authorizedAmount;
    if (income !== price.value) return { ok: false, error: amountMismatchError(income, price.value), chainMayFix: false };
    return { ok: true };
  };

  const readChain = async (channelId: bigint): Promise<ChainReadResult> => {
    try {
      return { ok: true, value: await repository.readChain(channelId) };
    } catch (error) {
      return { ok: false, error };
    }
  };

  /**
   * One read-validate-CAS attempt. Resolves `undefined` when it must be retried from a fresh read: the CAS lost a
   * race, or the cached record refused the payment (a refusal is only given from what the store holds now).
   */
  const attempt = async (
    payment: EscrowPaymentHeaders,
    price: ReturnType<PriceResolver>,
    signer: () => Uint8Array | PaymentError,
    fresh: boolean,
  ): Promise<ReservationImpl | undefined> => {
    const channelId = payment.channelId;
    const key = repository.channelKey(channelId);
    let stored = fresh ? undefined : cache.get(key);
    const fromCache = stored !== undefined;
    if (!fromCache) {
      try {
        stored = await repository.readStored(channelId);
      } catch (err) {
        cache.delete(key);
        if (err instanceof SnetError && err.code === 'STORAGE_CORRUPT') throw channelReadFailedError(err.message, err);
        throw channelLockFailedError(channelId, err);
      }
      if (stored === undefined) cache.delete(key);
      else remember(key, stored);
    }
    const at = now();
    // A live reservation is the reference's held lock: refuse at once (§5.3 step 3, DECISIONS payments 6).
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
    let check = await validate(channel, payment, signer, price);
    if (!check.ok && fromCache) return undefined;
    if (!check.ok && check.chainMayFix && !fromChain) {
      // The stored view may be stale (funds added, extended, claimed on chain): one chain read, §5.2 merge.
      const read = await readChain(channelId);
      if (read.ok && read.value !== undefined) {
        channel = repository.merge(channelId, settled, read) ?? channel;
        check = await validate(channel, payment, signer, price);
      }
    }
    if (!check.ok) throw check.error;

    const owner = `${ownerPrefix}${(ownerCounter++).toString(16)}`;
    const next: ChannelState = {
      ...channel,
      authorizedAmount: payment.amount,
      signature: payment.signature,
      pending: { previousAmount: channel.authorizedAmount, previousSignature: channel.signature, leaseUntilMs: at + leaseMs, owner },
    };
    let written: { swapped: boolean; bytes: Uint8Array };
    try {
      written = await cas(channelId, key, stored?.bytes, next);
    } catch (err) {
      // Outcome unknown (timeout): if our reservation landed, undo it so the client is not charged.
      await undoUnknown(channelId, owner);
      throw channelLockFailedError(channelId, err);
    }
    if (!written.swapped) return undefined;
    return {
      channelId,
      nonce: payment.nonce,
      amount: payment.amount,
      priceCogs: price.ok ? price.value : 0n,
      // Stored records hold EIP-55 addresses (channelFromChain), so no per-call checksum.
      userAddress: channel.sender,
      key,
      owner,
      state: next,
      bytes: written.bytes,
      timer: undefined,
      done: false,
    };
  };

  const undoUnknown = async (channelId: bigint, owner: string): Promise<void> => {
    try {
      const current = await repository.readStored(channelId);
      const pending = current?.state.pending;
      if (current === undefined || pending?.owner !== owner) return;
      const restored: ChannelState = { ...current.state, authorizedAmount: pending.previousAmount, signature: pending.previousSignature, pending: undefined };
      await cas(channelId, repository.channelKey(channelId), current.bytes, restored);
    } catch (err) {
      logger.error({ channelId: channelId.toString(), err }, 'could not check a reservation whose write timed out; it counts as accepted when its lease ends');
    }
  };

  /** Replaces our reservation by `finish(state)`; returns quietly when it is no longer ours. */
  const finishReservation = async (r: ReservationImpl, finish: (state: ChannelState) => ChannelState, what: string): Promise<void> => {
    if (r.done) return;
    r.done = true;
    if (r.timer !== undefined) clearInterval(r.timer);
    await repository.withChannel(r.channelId, async () => {
      try {
        if ((await cas(r.channelId, r.key, r.bytes, finish(r.state))).swapped) return;
        const current = await repository.readStored(r.channelId);
        if (current === undefined || current.state.pending?.owner !== r.owner) {
          logger.warn({ channelId: r.channelId.toString(), nonce: r.nonce.toString() }, `${what}: the reservation was already settled by another call (its lease had expired)`);
          return;
        }
        if (!(await cas(r.channelId, r.key, current.bytes, finish(current.state))).swapped) {
          logger.warn({ channelId: r.channelId.toString() }, `${what}: lost a race on the channel record; the reservation settles when its lease ends`);
        }
      } catch (err) {
        logger.error({ channelId: r.channelId.toString(), err }, `${what} could not be written; the reservation counts as accepted when its lease ends`);
      }
    });
  };

  const startRenewal = (r: ReservationImpl): void => {
    r.timer = setInterval(() => {
      void repository
        .withChannel(r.channelId, async () => {
          if (r.done) return;
          const next: ChannelState = { ...r.state, pending: r.state.pending === undefined ? undefined : { ...r.state.pending, leaseUntilMs: now() + leaseMs } };
          const written = await cas(r.channelId, r.key, r.bytes, next);
          if (written.swapped) {
            r.state = next;
            r.bytes = written.bytes;
          } else {
            logger.warn({ channelId: r.channelId.toString() }, 'a reservation could not be renewed (settled by another call); the payment stays accepted');
            if (r.timer !== undefined) clearInterval(r.timer);
          }
        })
        .catch((err: unknown) => logger.warn({ channelId: r.channelId.toString(), err }, 'renewing a reservation failed; retrying'));
    }, Math.max(1, Math.floor(leaseMs / 3)));
    r.timer.unref();
  };

  const handler: EscrowPaymentHandler = {
    async reserve(metadata, methodPath, signal) {
      const type = parsePaymentType(metadata);
      if (!type.ok) throw type.error;
      if (type.value !== 'escrow') throw paymentTypeUnsupportedError(type.value);
      const parsed = parseEscrowPaymentHeaders(metadata);
      if (!parsed.ok) throw parsed.error;
      const payment = parsed.value;
      const price = options.priceOf(methodPath);
      let recovered: Uint8Array | PaymentError | undefined;
      const signer = (): Uint8Array | PaymentError => {
        if (recovered === undefined) {
          const digest = hashSignedMessage(buildClaimMessage({ mpeAddress: mpeBytes, channelId: payment.channelId, nonce: payment.nonce, amount: payment.amount }));
          const result = recoverer.recoverPublicKey(digest, payment.signature);
          recovered = result.ok ? addressOfKey(repository.channelKey(payment.channelId), result.value) : signatureInvalidError(result.error.message);
        }
        return recovered;
      };
      const reservation = await repository.withChannel(
        payment.channelId,
        async () => {
          for (let i = 0; i < MAX_ATTEMPTS; i++) {
            const r = await attempt(payment, price, signer, i > 0);
            if (r !== undefined) return r;
          }
          // Another replica keeps winning the CAS on this channel: the same answer as a held lock.
          throw concurrentCallError(payment.channelId);
        },
        signal,
      );
      startRenewal(reservation);
      return { ...publicView(reservation), [internal]: reservation } as Reservation;
    },
    commit(reservation) {
      const r = unwrap(reservation);
      return finishReservation(r, (state) => ({ ...state, pending: undefined }), 'commit');
    },
    release(reservation) {
      const r = unwrap(reservation);
      return finishReservation(
        r,
        (state) =>
          state.pending === undefined
            ? state
            : { ...state, authorizedAmount: state.pending.previousAmount, signature: state.pending.previousSignature, pending: undefined },
        'release',
      );
    },
  };
  return handler;
}

const internal = Symbol('reservation');

function publicView(r: ReservationImpl): Reservation {
  return { channelId: r.channelId, nonce: r.nonce, amount: r.amount, priceCogs: r.priceCogs, userAddress: r.userAddress };
}

function unwrap(reservation: Reservation): ReservationImpl {
  const r = (reservation as Reservation & { [internal]?: ReservationImpl })[internal];
  if (r === undefined) throw new TypeError('not a reservation made by this escrow handler');
  return r;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
