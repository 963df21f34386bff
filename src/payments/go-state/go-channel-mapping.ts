import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { addressToBytes, toChecksumAddress } from '../../blockchain/index.ts';
import type { ChannelState, ClaimRecord } from '../escrow/channel-state.ts';
import { gobError } from './gob-wire.ts';
import type { GoPayment, GoPaymentChannelData } from './go-values.ts';

// Go values ↔ our records. Go's record has the same fields as ours (both are the reference's
// PaymentChannelData) minus our reservation of a call in flight; a Go claim is a `Payment`.

const MAX_UINT256 = (1n << 256n) - 1n;

function amount(value: bigint | undefined, what: string, channelId: bigint): bigint {
  const v = value ?? 0n;
  if (v < 0n || v > MAX_UINT256) throw gobError(`channel ${channelId}: ${what} ${v} is not a uint256`);
  return v;
}

/**
 * Our record of the Go channel stored under `{ID: channelId}`. A nil `*big.Int` reads as 0 (Go's daemon
 * never stores one). Throws STORAGE_GO_FORMAT_INVALID when the value names another channel or holds an
 * amount outside uint256.
 */
export function channelFromGo(channelId: bigint, go: GoPaymentChannelData): ChannelState {
  if (go.channelId !== undefined && go.channelId !== channelId) {
    throw gobError(`the value under the key of channel ${channelId} is channel ${go.channelId}`);
  }
  const signature = go.signature.length === 0 ? undefined : go.signature;
  return {
    channelId,
    nonce: amount(go.nonce, 'nonce', channelId),
    sender: toChecksumAddress(go.sender),
    signer: toChecksumAddress(go.signer),
    recipient: toChecksumAddress(go.recipient),
    groupId: `0x${bytesToHex(go.groupId)}`,
    fullAmount: amount(go.fullAmount, 'full amount', channelId),
    expiration: amount(go.expiration, 'expiration', channelId),
    authorizedAmount: amount(go.authorizedAmount, 'authorized amount', channelId),
    signature,
    pending: undefined,
  };
}

/** The Go value of our record (callers settle or refuse a reservation first: Go has no such field). */
export function channelToGo(state: ChannelState): GoPaymentChannelData {
  return {
    channelId: state.channelId,
    nonce: state.nonce, // non-nil even when 0, as the Go daemon stores it
    state: 0n,
    sender: addressToBytes(state.sender),
    recipient: addressToBytes(state.recipient),
    groupId: hexToBytes(state.groupId.slice(2)),
    fullAmount: state.fullAmount,
    expiration: state.expiration,
    signer: addressToBytes(state.signer),
    authorizedAmount: state.authorizedAmount,
    signature: state.signature ?? new Uint8Array(0),
  };
}

/** Our claim record of a Go `Payment` stored under `<channelId>/<nonce>`. */
export function claimFromGo(channelId: bigint, nonce: bigint, go: GoPayment): ClaimRecord {
  if ((go.channelId !== undefined && go.channelId !== channelId) || (go.channelNonce !== undefined && go.channelNonce !== nonce)) {
    throw gobError(`the claim under key ${channelId}/${nonce} is for channel ${go.channelId} nonce ${go.channelNonce}`);
  }
  return { channelId, nonce, amount: amount(go.amount, 'claim amount', channelId), signature: go.signature };
}

/** The Go `Payment` of our claim record (`MpeContractAddress` all zero, as the Go daemon stores claims). */
export function claimToGo(claim: ClaimRecord): GoPayment {
  return {
    mpeContractAddress: new Uint8Array(20),
    channelId: claim.channelId,
    channelNonce: claim.nonce,
    amount: claim.amount,
    signature: claim.signature,
  };
}
