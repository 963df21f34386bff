import protobuf from 'protobufjs';
import { lazyProtoTypes } from '../lazy-proto-types.ts';

// Message types of escrow.FreeCallStateService (v6) and the pre-v6 layout of its request and reply, loaded once
// (on first use) from free_call_state.proto (names and field numbers as the reference; see that file).

export const freeCallTypes = lazyProtoTypes(import.meta.url, ['./free_call_state.proto'], {
  GetFreeCallTokenRequest: 'escrow.GetFreeCallTokenRequest',
  FreeCallToken: 'escrow.FreeCallToken',
  FreeCallStateRequest: 'escrow.FreeCallStateRequest',
  FreeCallStateReply: 'escrow.FreeCallStateReply',
  PreV6FreeCallStateRequest: 'escrow.PreV6FreeCallStateRequest',
  PreV6FreeCallStateReply: 'escrow.PreV6FreeCallStateReply',
});

/** Full method paths of `escrow.FreeCallStateService`. */
export const freeCallStatePaths = {
  getFreeCallsAvailable: '/escrow.FreeCallStateService/GetFreeCallsAvailable',
  getFreeCallToken: '/escrow.FreeCallStateService/GetFreeCallToken',
} as const;

/**
 * True when a `FreeCallStateRequest` is in the pre-v6 layout: its field 3 is a varint (`token_expiry_date_block`)
 * where v6 has bytes (`free_call_token`). Malformed input answers false (the v6 decoder then reports it).
 */
export function isPreV6FreeCallStateRequest(bytes: Uint8Array): boolean {
  const reader = protobuf.Reader.create(bytes);
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const field = tag >>> 3;
      const wireType = tag & 7;
      if (field === 3) return wireType === 0;
      reader.skipType(wireType);
    }
  } catch {
    return false;
  }
  return false;
}
