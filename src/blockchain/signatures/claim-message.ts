import type { AddressInput } from './address.ts';
import { encodeAddress, encodeString, writeUint256 } from './packed-encoding.ts';

/** Fields of the escrow payment claim (M1). All integers are uint256. */
export interface ClaimMessageFields {
  /** The MPE contract from the service metadata (the `snet-payment-mpe-address` header is not used). */
  readonly mpeAddress: AddressInput;
  readonly channelId: bigint;
  readonly nonce: bigint;
  /** The cumulative amount authorised for this channel and nonce, in cogs (not the price of one call). */
  readonly amount: bigint;
}

const CLAIM_PREFIX = encodeString('__MPE_claim_message');

/**
 * M1, the escrow payment claim (Go `escrow/validation.go` `getSignerAddressFromPayment`): `"__MPE_claim_message" ‖ ADDR20(mpe) ‖ U256(channelId) ‖
 * U256(nonce) ‖ U256(amount)`. Signed by the client for paid calls (escrow, train-call), reused as the
 * TokenService claim signature and checked on-chain by `MultiPartyEscrow.channelClaim`.
 * Throws for a non-address or an integer outside uint256.
 */
export function buildClaimMessage(fields: ClaimMessageFields): Uint8Array {
  // One array written in place (hot path: every paid call), no per-field arrays.
  const mpe = encodeAddress(fields.mpeAddress);
  const out = new Uint8Array(CLAIM_PREFIX.length + 20 + 96);
  out.set(CLAIM_PREFIX, 0);
  out.set(mpe, CLAIM_PREFIX.length);
  const words = CLAIM_PREFIX.length + 20;
  writeUint256(out, words, fields.channelId);
  writeUint256(out, words + 32, fields.nonce);
  writeUint256(out, words + 64, fields.amount);
  return out;
}
