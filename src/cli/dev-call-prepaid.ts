// `snetd dev call --payment prepaid`: a prepaid (concurrency-token) call the way the official SDKs make one. Ask
// TokenService/GetToken for a token at the channel's current signed amount (reused while used + price ≤ planned);
// otherwise sign the current amount + price × PLANNED_CALLS and ask again. Each `dev call` is a new process, so
// the token is not cached between calls: GetToken renews it (same amount: nothing new is planned).
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { buildClaimMessage, buildTokenRequestMessage, signMessage } from '../blockchain/index.ts';

/** Calls paid for by one signature when the plan runs out. */
export const PLANNED_CALLS = 5n;

/** What `snetd dev` left for prepaid calls (a slice of its dev state). */
export interface PrepaidCallState {
  readonly mpeAddress: string;
  readonly channelId: string;
  readonly priceCogs: string;
  readonly clientPrivateKey: string;
}

/** The daemon and chain reads a prepaid call needs (given by `dev call`). */
export interface PrepaidCallIo {
  /** One unary call to the daemon with raw bytes. */
  unary(path: string, request: Buffer): Promise<Buffer>;
  /** The channel's nonce and signed amount as the daemon reports them (GetChannelState). */
  channelState(): Promise<{ readonly nonce: bigint; readonly signedAmount: bigint }>;
  currentBlock(): Promise<bigint>;
}

const tokenTypes = protobuf.Root.fromJSON({
  nested: {
    TokenRequest: {
      fields: {
        channel_id: { type: 'uint64', id: 1 },
        current_nonce: { type: 'uint64', id: 2 },
        signed_amount: { type: 'uint64', id: 3 },
        signature: { type: 'bytes', id: 4 },
        current_block: { type: 'uint64', id: 5 },
        claim_signature: { type: 'bytes', id: 6 },
      },
    },
    TokenReply: { fields: { channel_id: { type: 'uint64', id: 1 }, token: { type: 'string', id: 2 }, planned_amount: { type: 'uint64', id: 3 }, used_amount: { type: 'uint64', id: 4 } } },
  },
});

interface Token {
  readonly token: string;
  readonly planned: bigint;
  readonly used: bigint;
}

async function getToken(state: PrepaidCallState, io: PrepaidCallIo, nonce: bigint, amount: bigint): Promise<Token> {
  const channelId = BigInt(state.channelId);
  const claimSignature = signMessage(state.clientPrivateKey, buildClaimMessage({ mpeAddress: state.mpeAddress, channelId, nonce, amount }));
  const block = await io.currentBlock();
  const requestType = tokenTypes.lookupType('TokenRequest');
  const replyType = tokenTypes.lookupType('TokenReply');
  const request = requestType.fromObject({
    channel_id: channelId.toString(),
    current_nonce: nonce.toString(),
    signed_amount: amount.toString(),
    signature: signMessage(state.clientPrivateKey, buildTokenRequestMessage({ claimSignature, currentBlock: block })),
    current_block: block.toString(),
    claim_signature: claimSignature,
  });
  const reply = replyType.toObject(replyType.decode(await io.unary('/escrow.TokenService/GetToken', Buffer.from(requestType.encode(request).finish()))), { longs: String, defaults: true }) as {
    token: string;
    planned_amount: string;
    used_amount: string;
  };
  return { token: reply.token, planned: BigInt(reply.planned_amount), used: BigInt(reply.used_amount) };
}

/** The prepaid-call headers for one call, and a line saying what it uses. */
export async function prepaidPaymentMetadata(state: PrepaidCallState, io: PrepaidCallIo): Promise<{ metadata: grpc.Metadata; summary: string }> {
  const price = BigInt(state.priceCogs);
  const { nonce, signedAmount } = await io.channelState();
  let token = signedAmount > 0n ? await getToken(state, io, nonce, signedAmount) : undefined;
  if (token === undefined || token.used + price > token.planned) token = await getToken(state, io, nonce, signedAmount + price * PLANNED_CALLS);
  const metadata = new grpc.Metadata();
  metadata.set('snet-payment-type', 'prepaid-call');
  metadata.set('snet-payment-channel-id', state.channelId);
  metadata.set('snet-payment-channel-nonce', nonce.toString());
  metadata.set('snet-prepaid-auth-token-bin', Buffer.from(token.token));
  return { metadata, summary: `prepaid: ${token.used + price} of ${token.planned} cogs planned on channel ${state.channelId} used after this call` };
}
