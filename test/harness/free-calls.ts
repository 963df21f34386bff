// A v6 free-call client written for the tests with grpc-js (as the Python SDK 5 / split JS SDKs make free calls):
// GetFreeCallToken, GetFreeCallsAvailable and the free-call headers, signed with a real key on the dev chain.
import * as grpc from '@grpc/grpc-js';
import { buildFreeCallMessage, buildFreeCallTokenRequestMessage, privateKeyToAddress, signMessage } from '../../src/blockchain/index.ts';
import { v6FreeCallHeaders } from '../../src/cli/dev-free-call.ts';
import type { DevNetwork } from '../../src/devnet/index.ts';
import { freeCallStatePaths, freeCallTypes } from '../../src/services/index.ts';
import { callEscrowService, currentBlock } from './payments.ts';

/** A v6 free-call user of the dev network's service. */
export interface V6FreeCallUser {
  readonly address: string;
  /** `GetFreeCallToken`: the token, or the status the daemon answered. */
  token(): Promise<{ token?: Uint8Array; error?: grpc.ServiceError }>;
  /** `GetFreeCallsAvailable` with `token`. */
  available(token: Uint8Array): Promise<{ count?: number; error?: grpc.ServiceError }>;
  /** The free-call headers of one call with `token`, signed at the chain's current block. */
  metadata(token: Uint8Array): Promise<grpc.Metadata>;
  close(): void;
}

export function v6FreeCallUser(net: DevNetwork, target: string, privateKey: string): V6FreeCallUser {
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  const address = privateKeyToAddress(privateKey);
  const ids = { organizationId: net.orgId, serviceId: net.serviceId, groupId: net.groupId.base64 };
  return {
    address,
    async token() {
      const block = await currentBlock(net);
      const signature = signMessage(privateKey, buildFreeCallTokenRequestMessage({ address, userId: '', ...ids, currentBlock: block }));
      const { reply, error } = await callEscrowService(client, freeCallStatePaths.getFreeCallToken, freeCallTypes.GetFreeCallTokenRequest, freeCallTypes.FreeCallToken, {
        address,
        signature,
        currentBlock: block.toString(),
      });
      return error === undefined ? { token: reply?.['token'] as Uint8Array } : { error };
    },
    async available(token) {
      const block = await currentBlock(net);
      const signature = signMessage(privateKey, buildFreeCallMessage({ address, userId: '', ...ids, currentBlock: block, token }));
      const { reply, error } = await callEscrowService(client, freeCallStatePaths.getFreeCallsAvailable, freeCallTypes.FreeCallStateRequest, freeCallTypes.FreeCallStateReply, {
        address,
        freeCallToken: token,
        signature,
        currentBlock: block.toString(),
      });
      return error === undefined ? { count: Number(reply?.['freeCallsAvailable'] ?? 0) } : { error };
    },
    async metadata(token) {
      const block = await currentBlock(net);
      const signature = signMessage(privateKey, buildFreeCallMessage({ address, userId: '', ...ids, currentBlock: block, token }));
      return v6FreeCallHeaders(address, block, signature, token);
    },
    close: () => client.close(),
  };
}
