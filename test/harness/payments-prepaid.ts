// Prepaid calls the way a client makes them: GetToken (claim signature + outer M10 signature with a fresh block),
// then calls carrying the token. Shared by the prepaid integration tests.
import * as grpc from '@grpc/grpc-js';
import { buildClaimMessage, buildTokenRequestMessage, signMessage } from '../../src/blockchain/index.ts';
import type { DevNetwork } from '../../src/devnet/index.ts';
import { getTokenPath } from '../../src/services/index.ts';
import { callEscrowService, currentBlock, escrowTypes } from './payments.ts';

/** A token for the client's channel at the cumulative `amount` (nonce 0 unless given), or the refusal. */
export async function requestToken(
  client: grpc.Client,
  net: DevNetwork,
  args: { amount: bigint; nonce?: bigint; channelId?: bigint; privateKey?: string },
): Promise<{ token?: string; planned?: bigint; used?: bigint; error?: grpc.ServiceError }> {
  const channelId = args.channelId ?? net.channel.id;
  const nonce = args.nonce ?? 0n;
  const key = args.privateKey ?? net.client.privateKey;
  const claimSignature = signMessage(key, buildClaimMessage({ mpeAddress: net.contracts.mpe, channelId, nonce, amount: args.amount }));
  const block = await currentBlock(net);
  const { reply, error } = await callEscrowService(client, getTokenPath, escrowTypes.TokenRequest, escrowTypes.TokenReply, {
    channelId: channelId.toString(),
    currentNonce: nonce.toString(),
    signedAmount: args.amount.toString(),
    signature: signMessage(key, buildTokenRequestMessage({ claimSignature, currentBlock: block })),
    currentBlock: block.toString(),
    claimSignature,
  });
  if (error !== undefined) return { error };
  return { token: reply?.['token'] as string, planned: BigInt((reply?.['plannedAmount'] as string | undefined) ?? '0'), used: BigInt((reply?.['usedAmount'] as string | undefined) ?? '0') };
}

/** The headers of a prepaid call (as the npm SDK sends them, nonce included though the daemon does not read it). */
export function prepaidMetadata(channelId: bigint, token: string, nonce = 0n): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('snet-payment-type', 'prepaid-call');
  metadata.set('snet-payment-channel-id', channelId.toString());
  metadata.set('snet-payment-channel-nonce', nonce.toString());
  metadata.set('snet-prepaid-auth-token-bin', Buffer.from(token));
  return metadata;
}
