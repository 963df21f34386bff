import { concatBytes } from '@noble/hashes/utils.js';
import type { AddressInput } from './address.ts';
import { encodeAddress, encodeString, encodeUint256 } from './packed-encoding.ts';

// ProviderControlService (treasurer) messages, M3–M6, Go `escrow/control_service.go`.
// All are signed by the group's `payment_address`.

/** Fields of the `GetListUnclaimed` / `GetListInProgress` signatures (M3, M4). */
export interface PaymentsListMessageFields {
  readonly mpeAddress: AddressInput;
  readonly currentBlock: bigint;
}

const LIST_UNCLAIMED_PREFIX = encodeString('__list_unclaimed');
const LIST_IN_PROGRESS_PREFIX = encodeString('__list_in_progress');
const START_CLAIM_PREFIX = encodeString('__start_claim');
// The trailing underscore is part of the reference prefix.
const START_CLAIM_MULTIPLE_PREFIX = encodeString('__StartClaimForMultipleChannels_');

/** M3, `GetListUnclaimed`: `"__list_unclaimed" ‖ ADDR20(mpe) ‖ U256(currentBlock)`. Throws for bad input. */
export function buildListUnclaimedMessage(fields: PaymentsListMessageFields): Uint8Array {
  return concatBytes(LIST_UNCLAIMED_PREFIX, encodeAddress(fields.mpeAddress), encodeUint256(fields.currentBlock));
}

/** M4, `GetListInProgress`: `"__list_in_progress" ‖ ADDR20(mpe) ‖ U256(currentBlock)`. Throws for bad input. */
export function buildListInProgressMessage(fields: PaymentsListMessageFields): Uint8Array {
  return concatBytes(LIST_IN_PROGRESS_PREFIX, encodeAddress(fields.mpeAddress), encodeUint256(fields.currentBlock));
}

/** Fields of the `StartClaim` signature (M5). */
export interface StartClaimMessageFields {
  readonly mpeAddress: AddressInput;
  readonly channelId: bigint;
  /** The daemon's current (merged) channel nonce; there is no block number, so the signature is valid until the nonce changes. */
  readonly nonce: bigint;
}

/** M5, `StartClaim`: `"__start_claim" ‖ ADDR20(mpe) ‖ U256(channelId) ‖ U256(nonce)`. Throws for bad input. */
export function buildStartClaimMessage(fields: StartClaimMessageFields): Uint8Array {
  return concatBytes(
    START_CLAIM_PREFIX,
    encodeAddress(fields.mpeAddress),
    encodeUint256(fields.channelId),
    encodeUint256(fields.nonce),
  );
}

/** Fields of the `StartClaimForMultipleChannels` signature (M6). */
export interface StartClaimForMultipleChannelsMessageFields {
  readonly mpeAddress: AddressInput;
  /** In request order; the message signs them sorted ascending (processing keeps request order). */
  readonly channelIds: readonly bigint[];
  readonly currentBlock: bigint;
}

/**
 * M6, `StartClaimForMultipleChannels`: `"__StartClaimForMultipleChannels_" ‖ ADDR20(mpe) ‖ U256(id_1) ‖ … ‖
 * U256(id_n) ‖ U256(currentBlock)` with the ids sorted ascending. Throws for bad input.
 */
export function buildStartClaimForMultipleChannelsMessage(fields: StartClaimForMultipleChannelsMessageFields): Uint8Array {
  const sorted = [...fields.channelIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return concatBytes(
    START_CLAIM_MULTIPLE_PREFIX,
    encodeAddress(fields.mpeAddress),
    ...sorted.map(encodeUint256),
    encodeUint256(fields.currentBlock),
  );
}
