import type protobuf from 'protobufjs';
import { SnetError } from '../../errors/index.ts';
import { lazyProtoTypes } from '../lazy-proto-types.ts';

// Message types of configuration_service.ConfigurationService, loaded once (on first use) from the .proto beside
// this file. protobufjs uses camelCase field names; uint64 is read as a decimal string (exact).

/** The message types of the configuration service. */
export const configurationTypes = lazyProtoTypes(import.meta.url, ['./configuration_service.proto'], {
  EmptyRequest: 'configuration_service.EmptyRequest',
  UpdateRequest: 'configuration_service.UpdateRequest',
  StatusResponse: 'configuration_service.StatusResponse',
  ConfigurationResponse: 'configuration_service.ConfigurationResponse',
});

/** `StatusResponse.Status` values. */
export const ProcessingStatus = { IDLE: 0, REQUEST_IN_PROGRESS: 1, HAS_STOPPED_PROCESSING_REQUESTS: 2 } as const;

/** `ConfigurationParameter.Type` values. */
export const ParameterType = { STRING: 0, INTEGER: 1, URL: 3, BOOLEAN: 4, ADDRESS: 5 } as const;

/** Decodes a request; malformed bytes are the gRPC unmarshal error (INTERNAL, as grpc-go answers). */
export function decodeConfigurationRequest(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  try {
    return type.toObject(type.decode(bytes), { longs: String, defaults: false, objects: true });
  } catch (err) {
    throw new SnetError('REQUEST_MALFORMED', `grpc: error unmarshalling request: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Encodes a reply given as a plain object of camelCase fields. */
export function encodeConfigurationReply(type: protobuf.Type, fields: Record<string, unknown>): Uint8Array {
  return type.encode(type.fromObject(fields)).finish();
}
