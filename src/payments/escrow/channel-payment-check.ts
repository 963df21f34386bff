import {
  blockUnavailableError,
  channelExpiredError,
  insufficientFundsError,
  nonceMismatchError,
  PaymentError,
  wrongSignerError,
} from '../payment-error.ts';
import type { ChannelReader, ChannelState } from './channel-state.ts';

/** Outcome of the channel checks; `chainMayFix` marks refusals a fresher chain read may cure (funds added, extended, claim landed). */
export type ChannelCheck = { readonly ok: true } | { readonly ok: false; readonly error: PaymentError; readonly chainMayFix: boolean };

/** The one passing {@link ChannelCheck} (callers may compare by identity). */
export const CHECK_OK: ChannelCheck = { ok: true };

/** {@link checkChannelPayment} reached the expiry check without a block number: fetch one and check again. */
export const NEED_BLOCK = Symbol('need block');

/** The signed part of a payment the channel checks look at. */
export interface SignedAmount {
  readonly nonce: bigint;
  readonly amount: bigint;
}

/** How {@link checkChannelPayment} learns addresses, both as 20 bytes (callers cache them). */
export interface SignerLookup {
  /** The recovered signer of the payment's claim signature, or why there is none; called at most once, after the nonce check. */
  readonly signer: () => Uint8Array | PaymentError;
  /** The 20 bytes of a stored EIP-55 address. */
  readonly addressBytes: (text: string) => Uint8Array;
}

/**
 * The channel checks of a signed cumulative amount, Go `escrow/validation.go` `Validate` in its order:
 * nonce, claim signer is the channel's signer or sender, expiry beyond `current block + threshold`,
 * amount within the channel's funds. Used by the escrow handler (which then checks the price) and by
 * `TokenService/GetToken` (which plans the amount for prepaid calls instead). `block` is the current block, its
 * failure, or `undefined` when not known without waiting (→ {@link NEED_BLOCK}).
 */
export function checkChannelPayment(
  channel: ChannelState,
  payment: SignedAmount,
  lookup: SignerLookup,
  block: bigint | PaymentError | undefined,
  thresholdBlocks: bigint,
): ChannelCheck | typeof NEED_BLOCK {
  if (payment.nonce !== channel.nonce) {
    // Only a client ahead of us can be cured by the chain (claim landed elsewhere, channel re-opened by timeout).
    return { ok: false, error: nonceMismatchError(channel.nonce, payment.nonce), chainMayFix: payment.nonce > channel.nonce };
  }
  const recovered = lookup.signer();
  if (recovered instanceof PaymentError) return { ok: false, error: recovered, chainMayFix: false };
  if (!bytesEqual(recovered, lookup.addressBytes(channel.signer)) && !bytesEqual(recovered, lookup.addressBytes(channel.sender))) {
    return { ok: false, error: wrongSignerError(), chainMayFix: false };
  }
  if (block === undefined) return NEED_BLOCK;
  if (block instanceof PaymentError) return { ok: false, error: block, chainMayFix: false };
  if (channel.expiration <= block + thresholdBlocks) {
    return { ok: false, error: channelExpiredError(channel.expiration, block, thresholdBlocks), chainMayFix: true };
  }
  if (channel.fullAmount < payment.amount) {
    return { ok: false, error: insufficientFundsError(channel.fullAmount, payment.amount), chainMayFix: true };
  }
  return CHECK_OK;
}

/** {@link checkChannelPayment} that awaits the block number from `chain` when it is not cached. */
export async function checkChannelPaymentNow(channel: ChannelState, payment: SignedAmount, lookup: SignerLookup, chain: ChannelReader, thresholdBlocks: bigint): Promise<ChannelCheck> {
  const check = checkChannelPayment(channel, payment, lookup, chain.peekBlockNumber?.(), thresholdBlocks);
  if (check !== NEED_BLOCK) return check;
  let block: bigint | PaymentError;
  try {
    block = await chain.getBlockNumber();
  } catch (err) {
    block = blockUnavailableError(err);
  }
  return checkChannelPayment(channel, payment, lookup, block, thresholdBlocks) as ChannelCheck;
}

/** Byte equality of two addresses (or any byte strings). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
