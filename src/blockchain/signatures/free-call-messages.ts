import { concatBytes } from '@noble/hashes/utils.js';
import type { AddressInput } from './address.ts';
import { encodeAddress, encodeString, encodeUint256 } from './packed-encoding.ts';

// Free-call messages, M7–M9 (Go `escrow/validation.go`, `escrow/free_call_state_service.go`),
// plus the pre-v6 message the npm snet-sdk still signs (its `FreeCallPaymentStrategy.js`).
// Strings are signed verbatim: `address` and `groupId` are the exact text the client sent /
// the metadata holds, never re-encoded.

const FREE_TRIAL_PREFIX = encodeString('__prefix_free_trial');

/** Fields of the `GetFreeCallToken` request signature (M7). */
export interface FreeCallTokenRequestMessageFields {
  /** The `address` request field exactly as sent (e.g. checksummed `0x…`); it is signed as text. */
  readonly address: string;
  /** `user_id`, empty for web3 users. */
  readonly userId: string;
  readonly organizationId: string;
  readonly serviceId: string;
  /** The daemon group's id as the base64 **text** from org metadata (not the 32 decoded bytes). */
  readonly groupId: string;
  readonly currentBlock: bigint;
}

/**
 * M7, `FreeCallStateService.GetFreeCallToken` request: `"__prefix_free_trial" ‖ STR(address) ‖ STR(userId) ‖
 * STR(organizationId) ‖ STR(serviceId) ‖ STR(groupId) ‖ U256(currentBlock)`. Throws for a block outside uint256.
 */
export function buildFreeCallTokenRequestMessage(fields: FreeCallTokenRequestMessageFields): Uint8Array {
  return concatBytes(
    FREE_TRIAL_PREFIX,
    encodeString(fields.address),
    encodeString(fields.userId),
    encodeString(fields.organizationId),
    encodeString(fields.serviceId),
    encodeString(fields.groupId),
    encodeUint256(fields.currentBlock),
  );
}

/** Fields of the free-call token body the daemon signs (M8). */
export interface FreeCallTokenBodyMessageFields {
  readonly organizationId: string;
  /** Config `daemon_group_name` (default `default_group`), **not** the group id. */
  readonly groupName: string;
  /** The user's address as 20 raw bytes in the message (the recovered M9 signer when checking). */
  readonly userAddress: AddressInput;
  readonly userId: string;
  readonly expiryBlock: bigint;
}

/**
 * M8, the free-call token body signed with `private_key_for_free_calls`: `STR(organizationId) ‖ STR(groupName) ‖
 * ADDR20(userAddress) ‖ STR(userId) ‖ U256(expiryBlock)` (Go `escrow/validation.go` `BuildFreeCallTokenStruct`).
 * Throws for a non-address or a block outside uint256.
 */
export function buildFreeCallTokenBodyMessage(fields: FreeCallTokenBodyMessageFields): Uint8Array {
  return concatBytes(
    encodeString(fields.organizationId),
    encodeString(fields.groupName),
    encodeAddress(fields.userAddress),
    encodeString(fields.userId),
    encodeUint256(fields.expiryBlock),
  );
}

/** Fields of the free-call paid-call / `GetFreeCallsAvailable` signature (M9): M7's fields plus the token. */
export interface FreeCallMessageFields extends FreeCallTokenRequestMessageFields {
  /** The **full** token bytes as sent, including the `_<expiry block>` suffix. */
  readonly token: Uint8Array;
}

/**
 * M9, a free call (`snet-payment-type: free-call`) and `GetFreeCallsAvailable`: M7 ‖ token, i.e.
 * `"__prefix_free_trial" ‖ STR(address) ‖ STR(userId) ‖ STR(organizationId) ‖ STR(serviceId) ‖ STR(groupId) ‖
 * U256(currentBlock) ‖ token` (Go `escrow/validation.go` `getAddressFromSigForFreeCall`). Throws for bad input.
 */
export function buildFreeCallMessage(fields: FreeCallMessageFields): Uint8Array {
  return concatBytes(buildFreeCallTokenRequestMessage(fields), fields.token);
}

/** Fields of the pre-v6 free-call signature sent by the npm `snet-sdk`. */
export interface LegacyFreeCallMessageFields {
  /** `snet-free-call-user-id` (an e-mail in the marketplace flow). */
  readonly userId: string;
  readonly organizationId: string;
  readonly serviceId: string;
  readonly groupId: string;
  readonly currentBlock: bigint;
  /** `snet-free-call-auth-token-bin` bytes as sent. */
  readonly token: Uint8Array;
}

/**
 * The pre-v6 free-call message of the npm `snet-sdk` (`FreeCallPaymentStrategy.js`):
 * `"__prefix_free_trial" ‖ STR(userId) ‖ STR(organizationId) ‖ STR(serviceId) ‖ STR(groupId) ‖ U256(currentBlock) ‖ token`.
 * Kept because legacy free calls are supported alongside v6 (docs/payments.md "Free calls"). Throws for bad input.
 */
export function buildLegacyFreeCallMessage(fields: LegacyFreeCallMessageFields): Uint8Array {
  return concatBytes(
    FREE_TRIAL_PREFIX,
    encodeString(fields.userId),
    encodeString(fields.organizationId),
    encodeString(fields.serviceId),
    encodeString(fields.groupId),
    encodeUint256(fields.currentBlock),
    fields.token,
  );
}

/** Fields of the pre-v6 free-call token the service's free-call signer issues (the old marketplace's token). */
export interface LegacyFreeCallTokenMessageFields {
  /** The user's e-mail, exactly as the SDK sends it in `snet-free-call-user-id`. */
  readonly userId: string;
  /** The address of the key the SDK signs with (20 raw bytes in the message). */
  readonly userAddress: AddressInput;
  /** The block the token expires after (`snet-free-call-token-expiry-block`). */
  readonly expiryBlock: bigint;
}

/**
 * The pre-v6 free-call token body: `STR(userId) ‖ ADDR20(userAddress) ‖ U256(expiryBlock)`, signed by the service's
 * free-call signer; the token is that 65-byte signature alone (pre-v6 Go `escrow/validation.go`
 * `getSignerOfAuthTokenForFreeCall`). Throws for a non-address or a block outside uint256.
 */
export function buildLegacyFreeCallTokenMessage(fields: LegacyFreeCallTokenMessageFields): Uint8Array {
  return concatBytes(encodeString(fields.userId), encodeAddress(fields.userAddress), encodeUint256(fields.expiryBlock));
}
