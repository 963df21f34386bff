import { concatBytes } from '@noble/hashes/utils.js';
import { encodeUint256 } from './packed-encoding.ts';

/** Fields of the `TokenService.GetToken` outer signature (M10). */
export interface TokenRequestMessageFields {
  /** The request's `claim_signature` bytes exactly as sent (normally the 65-byte M1 signature). */
  readonly claimSignature: Uint8Array;
  readonly currentBlock: bigint;
}

/**
 * M10, prepaid `TokenService.GetToken` (Go `escrow/token_service.go` `verifySignature`):
 * `claimSignature ‖ U256(currentBlock)` — the raw signature bytes, not their hex text.
 * Throws for a block outside uint256.
 */
export function buildTokenRequestMessage(fields: TokenRequestMessageFields): Uint8Array {
  return concatBytes(fields.claimSignature, encodeUint256(fields.currentBlock));
}
