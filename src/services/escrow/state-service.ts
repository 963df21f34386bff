import { addressesEqual, buildChannelStateMessage, decodeUint, encodeUint256 } from '../../blockchain/index.ts';
import { serviceRejected } from '../../payments/index.ts';
import type { ServiceRegistry } from '../../pipeline/index.ts';
import { bytesField, decodeRequest, encodeReply, escrowTypes, uint64Field } from './escrow-protos.ts';
import { checkBlockDrift, recoverSigner, type EscrowServicesDeps, type EscrowServicesOptions } from './escrow-service-deps.ts';

/** Full method path of `escrow.PaymentChannelStateService/GetChannelState`. */
export const getChannelStatePath = '/escrow.PaymentChannelStateService/GetChannelState';

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * `GetChannelState` (Go `escrow/state_service.go`), in the reference's order: M2 signature → merged channel → signer is the
 * channel's signer, sender or recipient → ±5 block drift → chain nonce. While a claim is in progress (our
 * nonce ahead of the chain's) the old nonce's amount and signature come from the claim record. Read-only.
 * Returns the encoded `ChannelStateReply`; throws PAYMENT_SERVICE_REJECTED with the reference texts.
 */
export function createGetChannelState(deps: EscrowServicesDeps, options: EscrowServicesOptions): (request: Uint8Array) => Promise<Uint8Array> {
  const drift = options.allowedBlockDrift ?? 5n;
  return async (requestBytes) => {
    const request = decodeRequest(escrowTypes.ChannelStateRequest, requestBytes);
    const channelId = decodeUint(bytesField(request, 'channelId'));
    const currentBlock = uint64Field(request, 'currentBlock');
    const signer = recoverSigner(
      deps.recoverer,
      buildChannelStateMessage({ mpeAddress: options.mpeAddress, channelId, currentBlock }),
      bytesField(request, 'signature'),
      'incorrect signature',
    );
    let merged;
    try {
      merged = await deps.repository.getMerged(channelId);
    } catch (err) {
      throw serviceRejected(`channel error:${errorText(err)}`, err);
    }
    if (!merged.found) throw serviceRejected(`channel is not found, channelId: ${channelId}`);
    const channel = merged.channel;
    if (!addressesEqual(signer, channel.signer) && !addressesEqual(signer, channel.sender) && !addressesEqual(signer, channel.recipient)) {
      throw serviceRejected('only channel signer/sender/receiver can get latest channel state');
    }
    await checkBlockDrift(deps.chain, currentBlock, drift);
    // The merge above already read the chain; read again only to report why that read gave nothing.
    let onChain = merged.chain;
    if (onChain === undefined) {
      try {
        onChain = await deps.repository.readChain(channelId);
      } catch (err) {
        throw serviceRejected(`channel error:${errorText(err)}`, err);
      }
    }
    if (onChain === undefined) throw serviceRejected('unable to read channel details from blockchain.');

    const reply: Record<string, unknown> = { currentNonce: encodeUint256(channel.nonce) };
    // A call in flight has reserved its amount; until it commits, report what is committed, as the reference
    // (which writes only after the call) does. An expired reservation was already settled as accepted.
    const signed = channel.pending === undefined ? { amount: channel.authorizedAmount, signature: channel.signature } : { amount: channel.pending.previousAmount, signature: channel.pending.previousSignature };
    if (signed.signature !== undefined) {
      reply['currentSignedAmount'] = encodeUint256(signed.amount);
      reply['currentSignature'] = signed.signature;
    }
    if (channel.nonce !== onChain.nonce) {
      let claim;
      try {
        claim = await deps.repository.getClaim(channelId, channel.nonce - 1n);
      } catch (err) {
        throw serviceRejected(errorText(err), err);
      }
      if (claim === undefined) {
        throw serviceRejected('channel has different nonce in local storage and blockchain and old payment is not found in storage');
      }
      reply['oldNonceSignedAmount'] = encodeUint256(claim.amount);
      reply['oldNonceSignature'] = claim.signature;
    }
    return encodeReply(escrowTypes.ChannelStateReply, reply);
  };
}

/** Registers `escrow.PaymentChannelStateService` (free: no payment interceptor). */
export function registerChannelStateService(registry: ServiceRegistry, deps: EscrowServicesDeps, options: EscrowServicesOptions): void {
  const getChannelState = createGetChannelState(deps, options);
  registry.registerUnary(getChannelStatePath, (request) => getChannelState(request));
}
