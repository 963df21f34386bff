import { addressToBytes, buildClaimMessage, hashSignedMessage, toChecksumAddress, type SignatureRecoverer } from '../../blockchain/index.ts';
import type { AtomicStore } from '../../storage/index.ts';
import { concurrentCallError, PaymentError, serviceRejectedError, signatureInvalidError, userNotAllowedError } from '../payment-error.ts';
import type { ChannelRepository, StoredChannel } from '../escrow/channel-repository.ts';
import { bytesEqual, checkChannelPaymentNow } from '../escrow/channel-payment-check.ts';
import { encodeChannelState, settleExpired, type ChainChannelView, type ChannelReader, type ChannelState } from '../escrow/channel-state.ts';
import { decodePrepaidUsage, encodePrepaidUsage, NO_USAGE, prepaidUsageKey, type PrepaidUsage } from './prepaid-usage.ts';

/** Settings of {@link createPrepaidPlanner}. */
export interface PrepaidPlannerOptions {
  /** Service metadata `mpe_address` (the claim message's contract). */
  readonly mpeAddress: string;
  /** Org metadata `payment_expiration_threshold` (read per request: may be a getter for hot reload). */
  readonly expirationThresholdBlocks: bigint;
  /** Curation (`allowed_user_flag`): the only claim signers accepted, as the escrow handler's `allowedSigners`. */
  readonly allowedSigners?: readonly Uint8Array[];
}

/** Dependencies of {@link createPrepaidPlanner}: the escrow handler's repository (same store, same in-process mutex). */
export interface PrepaidPlannerDeps {
  readonly store: AtomicStore;
  readonly repository: ChannelRepository;
  readonly chain: ChannelReader;
  readonly recoverer: SignatureRecoverer;
}

/** A signed cumulative amount offered for prepaid calls (`TokenRequest` without its outer signature). */
export interface PrepaidAuthorisation {
  readonly channelId: bigint;
  readonly nonce: bigint;
  readonly amount: bigint;
  /** The M1 claim signature of `amount` (what the provider claims on chain). */
  readonly claimSignature: Uint8Array;
}

/** The channel as `GetToken` read it (storage merged with the chain, as Go `escrow/payment_channel_storage.go`). */
export interface PlannedChannelView {
  readonly channel: ChannelState;
  readonly stored: StoredChannel | undefined;
  readonly chain: ChainChannelView | undefined;
}

/** The part of `TokenService/GetToken` that moves money (Go `escrow/token_service.go`, after the signature checks). */
export interface PrepaidPlanner {
  /**
   * Checks `payment` like an escrow payment (nonce, claim signer, expiry, funds; no price) and, when it authorises
   * more than the channel record holds, stores it in ONE store transaction: the channel record gets the amount and
   * signature (exactly as after a committed escrow payment, so the provider can claim it) and the prepaid record
   * `planned += amount − previous authorised amount`. Resolves the channel's prepaid usage after that. Throws a
   * `PaymentError` (the escrow texts; `another transaction on channel: {ID: <id>} is in progress` while an escrow
   * call holds the channel) or a storage error; nothing changed then.
   */
  plan(view: PlannedChannelView, payment: PrepaidAuthorisation): Promise<PrepaidUsage>;
}

/** Transaction attempts per GetToken (prepaid calls on the channel may change the usage record meanwhile). */
const MAX_ATTEMPTS = 8;

/** Creates the {@link PrepaidPlanner} over the escrow handler's repository and store. */
export function createPrepaidPlanner(deps: PrepaidPlannerDeps, options: PrepaidPlannerOptions): PrepaidPlanner {
  const { store, repository, chain, recoverer } = deps;
  const mpePrefix = repository.options.mpePrefix;
  const addressBytes = new Map<string, Uint8Array>();
  const bytesOfAddress = (text: string): Uint8Array => {
    let bytes = addressBytes.get(text);
    if (bytes === undefined) {
      bytes = addressToBytes(text);
      if (addressBytes.size > 1000) addressBytes.clear();
      addressBytes.set(text, bytes);
    }
    return bytes;
  };

  const readUsage = async (key: string): Promise<{ bytes: Uint8Array | undefined; usage: PrepaidUsage }> => {
    const bytes = await store.get(key);
    return { bytes, usage: bytes === undefined ? NO_USAGE : decodePrepaidUsage(bytes) };
  };

  const planHeld = async (view: PlannedChannelView, payment: PrepaidAuthorisation, usageKey: string): Promise<PrepaidUsage> => {
    let recovered: Uint8Array | PaymentError | undefined;
    const signer = (): Uint8Array | PaymentError => {
      if (recovered === undefined) {
        const digest = hashSignedMessage(buildClaimMessage({ mpeAddress: options.mpeAddress, channelId: payment.channelId, nonce: payment.nonce, amount: payment.amount }));
        const result = recoverer.recoverAddressBytes(digest, payment.claimSignature);
        const allowed = options.allowedSigners;
        recovered = !result.ok
          ? signatureInvalidError(result.error.message)
          : allowed === undefined || allowed.some((a) => bytesEqual(a, result.value))
            ? result.value
            : userNotAllowedError(toChecksumAddress(result.value));
      }
      return recovered;
    };
    let stored = view.stored;
    let channel = view.channel;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) {
        // Someone wrote the channel or the usage record since we read them: read both again, merge with the chain view.
        stored = await repository.readStored(payment.channelId);
        const settled = stored === undefined ? undefined : settleExpired(stored.state, Date.now());
        channel = repository.merge(payment.channelId, settled, { ok: true, value: view.chain }) ?? channel;
      }
      // A live escrow reservation is a call in flight that may still be released (its amount restored): planning
      // on top of it could plan an amount that is then taken back.
      if (stored?.state.pending !== undefined && stored.state.pending.leaseUntilMs > Date.now()) throw concurrentCallError(payment.channelId);
      if (channel.authorizedAmount > payment.amount) throw serviceRejectedError('signed amount for token request needs to be greater than last signed amount');
      const check = await checkChannelPaymentNow(channel, payment, { signer, addressBytes: bytesOfAddress }, chain, options.expirationThresholdBlocks);
      if (!check.ok) throw check.error;
      const { bytes: usageBytes, usage } = await readUsage(usageKey);
      // The same amount again only renews the token (as the reference).
      if (payment.amount === channel.authorizedAmount) return usage;
      const nextChannel: ChannelState = { ...channel, authorizedAmount: payment.amount, signature: payment.claimSignature, pending: undefined };
      const nextUsage: PrepaidUsage = { planned: usage.planned + payment.amount - channel.authorizedAmount, used: usage.used };
      const channelKey = repository.channelKey(payment.channelId);
      const ok = await store.transaction(
        [
          stored === undefined ? { kind: 'absent', key: channelKey } : { kind: 'equals', key: channelKey, value: stored.bytes },
          usageBytes === undefined ? { kind: 'absent', key: usageKey } : { kind: 'equals', key: usageKey, value: usageBytes },
        ],
        [
          { kind: 'put', key: channelKey, value: encodeChannelState(nextChannel) },
          { kind: 'put', key: usageKey, value: encodePrepaidUsage(nextUsage) },
        ],
      );
      if (ok) return nextUsage;
    }
    throw concurrentCallError(payment.channelId);
  };

  return {
    async plan(view, payment) {
      const usageKey = prepaidUsageKey(mpePrefix, payment.channelId);
      // Both keys held in this process (sorted: the same order everywhere), so prepaid calls and escrow calls of
      // this replica wait instead of racing the transaction; other replicas are caught by its conditions.
      const keys = [repository.channelKey(payment.channelId), usageKey].sort();
      for (const key of keys) {
        const waiting = repository.acquireChannel(key);
        if (waiting !== undefined) await waiting;
      }
      try {
        return await planHeld(view, payment, usageKey);
      } finally {
        for (const key of keys) repository.releaseChannel(key);
      }
    },
  };
}
