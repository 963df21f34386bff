import { concatBytes } from '@noble/hashes/utils.js';
import { encodeString, encodeUint256 } from './packed-encoding.ts';

/** The `configuration_service.ConfigurationService` RPCs whose `CallerAuthentication` is signed (M11). */
export type ConfigurationMethod =
  | 'GetConfiguration'
  | 'UpdateConfiguration'
  | 'StopProcessingRequests'
  | 'StartProcessingRequests'
  | 'IsDaemonProcessingRequests';

/** Fields of the configuration-service signature (M11). */
export interface ConfigurationMessageFields {
  readonly method: ConfigurationMethod;
  readonly currentBlock: bigint;
}

/**
 * M11, configuration service (Go `configuration_service/configuration_service.go`): `STR("_" + method) ‖
 * U256(currentBlock)`, e.g. `"_GetConfiguration" ‖ U256(block)`. The signer must be in `authentication_addresses`.
 * Throws for a block outside uint256.
 */
export function buildConfigurationMessage(fields: ConfigurationMessageFields): Uint8Array {
  return concatBytes(encodeString(`_${fields.method}`), encodeUint256(fields.currentBlock));
}
