import { concatBytes } from '@noble/hashes/utils.js';
import type { AddressInput } from './address.ts';
import { encodeAddress, encodeString, encodeUint256 } from './packed-encoding.ts';

/** Fields of the training-daemon authorization signature (M12). */
export interface TrainingMessageFields {
  /** The method-specific text the client signs (Go `training/util.go`). */
  readonly message: string;
  /** The claimed signer; the recovered address must equal it. */
  readonly signerAddress: AddressInput;
  readonly currentBlock: bigint;
}

/**
 * M12, `training.Daemon` authorization (Go `training/util.go`):
 * `STR(message) ‖ ADDR20(signerAddress) ‖ U256(currentBlock)`. Throws for bad input.
 */
export function buildTrainingMessage(fields: TrainingMessageFields): Uint8Array {
  return concatBytes(encodeString(fields.message), encodeAddress(fields.signerAddress), encodeUint256(fields.currentBlock));
}
