import { concatBytes } from '@noble/hashes/utils.js';
import { encodeString, encodeUint256 } from './packed-encoding.ts';

/** Fields of the signature on every metering / notification POST (`X-Signature`). */
export interface MeteringMessageFields {
  /** The `X-username` header value (daemon id, channel sender, …). */
  readonly username: string;
  readonly organizationId: string;
  readonly serviceId: string;
  /** The group id as its base64 text. */
  readonly groupId: string;
  readonly currentBlock: bigint;
}

/**
 * The metering request message (Go `metrics/*.go`): `"_usage" ‖ STR(username) ‖
 * STR(organizationId) ‖ STR(serviceId) ‖ STR(groupId) ‖ U256(currentBlock)`; signed by
 * `private_key_for_metering` with the recovery byte as 0/1 and sent as standard base64. Throws for a block outside uint256.
 */
export function buildMeteringMessage(fields: MeteringMessageFields): Uint8Array {
  return concatBytes(
    encodeString('_usage'),
    encodeString(fields.username),
    encodeString(fields.organizationId),
    encodeString(fields.serviceId),
    encodeString(fields.groupId),
    encodeUint256(fields.currentBlock),
  );
}
