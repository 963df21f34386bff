import type protobuf from 'protobufjs';
import { serviceRejected } from '../../payments/index.ts';
import { lazyProtoTypes } from '../lazy-proto-types.ts';

// Message types of the reference's escrow services, loaded once (on first use) from the .proto files next to this file
// (package, names and field numbers as in singnet/snet-daemon `escrow/*.proto`). protobufjs uses
// camelCase field names; 64-bit integers are read as decimal strings (exact) and written from strings.

/** The escrow message types used by the state, control and token services. */
export const escrowTypes = lazyProtoTypes(import.meta.url, ['./state_service.proto', './control_service.proto', './token_service.proto'], {
  ChannelStateRequest: 'escrow.ChannelStateRequest',
  ChannelStateReply: 'escrow.ChannelStateReply',
  GetPaymentsListRequest: 'escrow.GetPaymentsListRequest',
  StartClaimRequest: 'escrow.StartClaimRequest',
  PaymentReply: 'escrow.PaymentReply',
  PaymentsListReply: 'escrow.PaymentsListReply',
  StartMultipleClaimRequest: 'escrow.StartMultipleClaimRequest',
  TokenRequest: 'escrow.TokenRequest',
  TokenReply: 'escrow.TokenReply',
});

/** A decoded request as a plain object: bytes as `Uint8Array`, uint64 as decimal strings, defaults filled. */
export type DecodedMessage = Readonly<Record<string, unknown>>;

/** Decodes `bytes` as `type`; malformed input is the grpc-go unmarshal text (UNKNOWN on the wire, like every service error). */
export function decodeRequest(type: protobuf.Type, bytes: Uint8Array): DecodedMessage {
  try {
    return type.toObject(type.decode(bytes), { longs: String, defaults: true, arrays: true });
  } catch (err) {
    throw serviceRejected(`grpc: error unmarshalling request: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

/** Encodes a reply given as a plain object of camelCase fields. */
export function encodeReply(type: protobuf.Type, fields: Record<string, unknown>): Uint8Array {
  return type.encode(type.fromObject(fields)).finish();
}

/** A `bytes` field of a decoded request (empty when absent). */
export function bytesField(message: DecodedMessage, name: string): Uint8Array {
  const value = message[name];
  return value instanceof Uint8Array ? value : new Uint8Array(0);
}

/** A `uint64` field of a decoded request as bigint (0 when absent). */
export function uint64Field(message: DecodedMessage, name: string): bigint {
  const value = message[name];
  return typeof value === 'string' || typeof value === 'number' ? BigInt(value) : 0n;
}

/** A `string` field of a decoded request ('' when absent). */
export function stringField(message: DecodedMessage, name: string): string {
  const value = message[name];
  return typeof value === 'string' ? value : '';
}
