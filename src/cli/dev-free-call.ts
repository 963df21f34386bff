// `snetd dev call --payment free`: a v6 free call made the way the Python SDK 5 and the split JS SDKs make one —
// GetFreeCallToken (signed request), GetFreeCallsAvailable, then the call with the free-call headers.
import * as grpc from '@grpc/grpc-js';
import { buildFreeCallMessage, buildFreeCallTokenRequestMessage, privateKeyToAddress, signMessage } from '../blockchain/index.ts';
import { SnetError } from '../errors/index.ts';
import { freeCallStatePaths, freeCallTypes } from '../services/index.ts';

/** What a free call needs besides the client key: the ids the signatures cover. */
export interface DevFreeCallIds {
  readonly organizationId: string;
  readonly serviceId: string;
  /** The group id as the base64 text of the org metadata. */
  readonly groupIdBase64: string;
}

/** A unary call to the daemon with raw bytes. */
export type RawUnary = (path: string, request: Buffer) => Promise<Buffer>;

/** The free-call headers for one call; throws a clear error when the daemon grants this user no (more) free calls. */
export async function freeCallMetadata(call: RawUnary, ids: DevFreeCallIds, privateKey: string, block: bigint): Promise<grpc.Metadata> {
  const address = privateKeyToAddress(privateKey);
  const common = { address, userId: '', organizationId: ids.organizationId, serviceId: ids.serviceId, groupId: ids.groupIdBase64, currentBlock: block };
  const tokenRequest = freeCallTypes.GetFreeCallTokenRequest;
  const request = tokenRequest.encode(tokenRequest.fromObject({ address, signature: signMessage(privateKey, buildFreeCallTokenRequestMessage(common)), currentBlock: block.toString() })).finish();
  const reply = freeCallTypes.FreeCallToken.decode(await call(freeCallStatePaths.getFreeCallToken, Buffer.from(request))) as unknown as { token: Uint8Array };
  const token = reply.token;
  const signature = signMessage(privateKey, buildFreeCallMessage({ ...common, token }));
  const stateRequest = freeCallTypes.FreeCallStateRequest;
  const stateBytes = stateRequest.encode(stateRequest.fromObject({ address, freeCallToken: token, signature, currentBlock: block.toString() })).finish();
  const state = freeCallTypes.FreeCallStateReply.toObject(freeCallTypes.FreeCallStateReply.decode(await call(freeCallStatePaths.getFreeCallsAvailable, Buffer.from(stateBytes))), { longs: String, defaults: true }) as { freeCallsAvailable: string };
  if (state.freeCallsAvailable === '0') {
    throw new SnetError('PAYMENT_FREE_CALL_LIMIT', `the daemon grants ${address} no more free calls`, { hint: 'Pay for the call: `snetd dev call <method> <a> <b> --payment escrow`.' });
  }
  return v6FreeCallHeaders(address, block, signature, token);
}

/** The v6 free-call headers of one call (the signature over M9 at `block` with `token`). */
export function v6FreeCallHeaders(address: string, block: bigint, signature: Uint8Array, token: Uint8Array): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('snet-payment-type', 'free-call');
  metadata.set('snet-free-call-user-address', address);
  metadata.set('snet-current-block-number', block.toString());
  metadata.set('snet-payment-channel-signature-bin', Buffer.from(signature));
  metadata.set('snet-free-call-auth-token-bin', Buffer.from(token));
  return metadata;
}
