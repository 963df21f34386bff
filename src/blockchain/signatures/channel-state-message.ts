import { concatBytes } from '@noble/hashes/utils.js';
import type { AddressInput } from './address.ts';
import { encodeAddress, encodeString, encodeUint256 } from './packed-encoding.ts';

/** Fields of the `GetChannelState` request signature (M2). */
export interface ChannelStateMessageFields {
  readonly mpeAddress: AddressInput;
  readonly channelId: bigint;
  /** The client's view of the latest block; the daemon allows ±5 blocks of drift. */
  readonly currentBlock: bigint;
}

const CHANNEL_STATE_PREFIX = encodeString('__get_channel_state');

/**
 * M2, `PaymentChannelStateService.GetChannelState` (Go `escrow/state_service.go`):
 * `"__get_channel_state" ‖ ADDR20(mpe) ‖ U256(channelId) ‖ U256(currentBlock)`.
 * Throws for a non-address or an integer outside uint256.
 */
export function buildChannelStateMessage(fields: ChannelStateMessageFields): Uint8Array {
  return concatBytes(
    CHANNEL_STATE_PREFIX,
    encodeAddress(fields.mpeAddress),
    encodeUint256(fields.channelId),
    encodeUint256(fields.currentBlock),
  );
}
