import { randomBytes } from 'node:crypto';
import type { Logger } from '../../shared/index.ts';
import type { AtomicStore, KeyedMutex } from '../../storage/index.ts';
import type { PriceResolver } from '../pricing/index.ts';
import { concurrentCallError, prepaidTokenInvalidError, usageExceededError } from '../payment-error.ts';
import type { AcceptedPayment, PaymentHandler } from '../payment-handler.ts';
import { parsePrepaidPaymentHeaders } from '../escrow/payment-headers.ts';
import type { PrepaidTokens } from './prepaid-token.ts';
import { decodePrepaidUsage, encodePrepaidUsage, prepaidUsageKey, type PrepaidUsage } from './prepaid-usage.ts';

/** Settings of {@link createPrepaidPaymentHandler}. */
export interface PrepaidPaymentHandlerOptions {
  /** The MPE prefix of the storage keys (`StoragePrefixes.mpe`), as the channel repository's. */
  readonly mpePrefix: string;
  /** Price of a method in cogs (service metadata pricing), read per call (hot reload). */
  readonly priceOf: PriceResolver;
}

/** Dependencies of {@link createPrepaidPaymentHandler}. */
export interface PrepaidPaymentHandlerDeps {
  readonly store: AtomicStore;
  /** The in-process mutex shared with the escrow side (GetToken holds the same usage key). */
  readonly mutex: KeyedMutex;
  readonly tokens: PrepaidTokens;
  readonly logger: Logger;
}

/** A prepaid call charged in storage: `used` already includes its price; `release` refunds it. */
export interface PrepaidCharge extends AcceptedPayment {
  readonly type: 'prepaid-call';
  readonly channelId: bigint;
}

class Charge implements PrepaidCharge {
  readonly type = 'prepaid-call';
  readonly channelId: bigint;
  readonly userAddress: string;
  readonly priceCogs: bigint;
  readonly key: string;
  done = false;

  constructor(channelId: bigint, userAddress: string, priceCogs: bigint, key: string) {
    this.channelId = channelId;
    this.userAddress = userAddress;
    this.priceCogs = priceCogs;
    this.key = key;
  }
}

/** A usage record this process last read or wrote: the expected value of its next CAS. */
interface CachedUsage {
  readonly bytes: Uint8Array;
  readonly usage: PrepaidUsage;
}

/** CAS attempts per charge or refund: the cached record first, then fresh reads (another replica wrote). */
const MAX_ATTEMPTS = 8;
const MAX_CACHED_CHANNELS = 10_000;

/**
 * The `prepaid-call` payment type (Go `escrow/prepaid_handler.go`, docs/payments.md "Prepaid calls"), better with money than the
 * reference: the token is checked (one HMAC, then a map lookup for a token seen before), then ONE compare-and-swap
 * of the channel's prepaid record charges the price only if `used + price ≤ planned`; otherwise the call is refused
 * before the service is reached. No chain round trip, no lock held during the call: concurrent calls on one channel
 * run in parallel (the point of prepaid). `commit` does nothing; `release` (service failed, call cancelled) refunds
 * with another CAS. A crash between charge and refund leaves the price charged, as an escrow reservation whose lease
 * ends counts as accepted.
 */
export function createPrepaidPaymentHandler(deps: PrepaidPaymentHandlerDeps, options: PrepaidPaymentHandlerOptions): PaymentHandler<PrepaidCharge> {
  const { store, mutex, tokens } = deps;
  const logger = deps.logger.child({ component: 'prepaid' });
  const opPrefix = randomBytes(8).toString('hex');
  let opCounter = 0;
  const cache = new Map<string, CachedUsage>();
  const remember = (key: string, entry: CachedUsage): void => {
    cache.delete(key);
    if (cache.size >= MAX_CACHED_CHANNELS) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(key, entry);
  };
  const readFresh = async (key: string): Promise<CachedUsage | undefined> => {
    const bytes = await store.get(key);
    if (bytes === undefined) {
      cache.delete(key);
      return undefined;
    }
    const entry = { bytes, usage: decodePrepaidUsage(bytes) };
    remember(key, entry);
    return entry;
  };

  /**
   * Applies `change` to the record of `key` by CAS (the key held in this process), from the cached bytes first.
   * `change` returns the next usage or a refusal; a refusal from the cache is checked again on a fresh read.
   * Resolves the written usage, the refusal, or `undefined` when every attempt lost its race.
   */
  const update = async <E>(key: string, change: (usage: PrepaidUsage | undefined) => PrepaidUsage | E, isUsage: (v: PrepaidUsage | E) => v is PrepaidUsage): Promise<PrepaidUsage | E | undefined> => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let current = attempt === 0 ? cache.get(key) : undefined;
      const fromCache = current !== undefined;
      if (!fromCache) current = await readFresh(key);
      const next = change(current?.usage);
      if (!isUsage(next)) {
        if (fromCache) continue;
        return next;
      }
      const bytes = encodePrepaidUsage(next);
      let swapped = false;
      try {
        swapped = await store.compareAndSwap(key, current?.bytes, bytes);
      } finally {
        if (swapped) remember(key, { bytes, usage: next });
        else cache.delete(key);
      }
      if (swapped) return next;
    }
    return undefined;
  };

  const isUsage = (v: PrepaidUsage | 'exceeded' | 'nothing'): v is PrepaidUsage => typeof v === 'object';

  /** A charge whose write failed with an unknown outcome: if it landed (our op id), refund it. */
  const undoUnknown = async (key: string, charge: Charge, op: string): Promise<void> => {
    try {
      const current = await readFresh(key);
      if (current?.usage.op !== op) return;
      const refunded: PrepaidUsage = { planned: current.usage.planned, used: current.usage.used - charge.priceCogs };
      const bytes = encodePrepaidUsage(refunded);
      if (await store.compareAndSwap(key, current.bytes, bytes)) remember(key, { bytes, usage: refunded });
    } catch (err) {
      logger.error({ channelId: charge.channelId.toString(), err }, 'could not check a prepaid charge whose write failed; it may stay charged');
    }
  };

  return {
    async reserve(metadata, methodPath, signal, estimatePrice) {
      const parsed = parsePrepaidPaymentHeaders(metadata);
      if (!parsed.ok) throw parsed.error;
      const { channelId, token } = parsed.value;
      const verdict = tokens.verify(token, channelId);
      if (!verdict.ok) throw prepaidTokenInvalidError(verdict.reason);
      const price = estimatePrice === undefined ? options.priceOf(methodPath) : await estimatePrice(verdict.userAddress);
      if (!price.ok) throw price.error;
      const key = prepaidUsageKey(options.mpePrefix, channelId);
      const charge = new Charge(channelId, verdict.userAddress, price.value, key);
      // A call priced 0 uses nothing: no write (the token was still checked).
      if (price.value === 0n) return charge;
      const op = `${opPrefix}${(opCounter++).toString(16)}`;
      const waiting = mutex.acquire(key, signal);
      if (waiting !== undefined) await waiting;
      let result: PrepaidUsage | 'exceeded' | 'nothing' | undefined;
      try {
        result = await update(
          key,
          (usage) => (usage === undefined || usage.used + price.value > usage.planned ? 'exceeded' : { planned: usage.planned, used: usage.used + price.value, op }),
          isUsage,
        );
      } catch (err) {
        await undoUnknown(key, charge, op);
        throw err;
      } finally {
        mutex.release(key);
      }
      if (result === 'exceeded') throw usageExceededError(channelId);
      // Other replicas kept winning the CAS on this channel: "busy, retry" (not "exceeded": the budget may suffice).
      if (result === undefined) throw concurrentCallError(channelId);
      return charge;
    },
    commit() {
      return Promise.resolve();
    },
    async release(payment) {
      const charge = payment as Charge;
      if (charge.done || charge.priceCogs === 0n) return;
      charge.done = true;
      const waiting = mutex.acquire(charge.key);
      if (waiting !== undefined) await waiting;
      try {
        const result = await update(
          charge.key,
          (usage) => (usage === undefined || usage.used < charge.priceCogs ? 'nothing' : { planned: usage.planned, used: usage.used - charge.priceCogs }),
          isUsage,
        );
        if (result === 'nothing') logger.error({ channelId: charge.channelId.toString() }, 'prepaid refund: the usage record holds less than the price to refund; nothing refunded');
        else if (result === undefined) logger.warn({ channelId: charge.channelId.toString() }, 'prepaid refund lost every race on the usage record; the call stays charged');
      } catch (err) {
        logger.error({ channelId: charge.channelId.toString(), err }, 'prepaid refund could not be written; the call stays charged');
      } finally {
        mutex.release(charge.key);
      }
    },
    close() {
      // Nothing runs in the background.
    },
  };
}
