import {
  buildListInProgressMessage,
  buildListUnclaimedMessage,
  buildStartClaimForMultipleChannelsMessage,
  buildStartClaimMessage,
  decodeUint,
  encodeUint256,
} from '../../blockchain/index.ts';
import { serviceRejected, type ClaimRecord } from '../../payments/index.ts';
import type { ServiceRegistry } from '../../pipeline/index.ts';
import { bytesField, decodeRequest, encodeReply, escrowTypes, stringField, uint64Field, type DecodedMessage } from './escrow-protos.ts';
import { checkBlockDrift, checkMpeAddress, checkSigner, recoverSigner, type EscrowServicesDeps, type EscrowServicesOptions } from './escrow-service-deps.ts';

/** Full method paths of `escrow.ProviderControlService`. */
export const providerControlPaths = {
  getListUnclaimed: '/escrow.ProviderControlService/GetListUnclaimed',
  getListInProgress: '/escrow.ProviderControlService/GetListInProgress',
  startClaim: '/escrow.ProviderControlService/StartClaim',
  startClaimForMultipleChannels: '/escrow.ProviderControlService/StartClaimForMultipleChannels',
} as const;

/** The four methods as `request bytes → reply bytes` (each throws PAYMENT_SERVICE_REJECTED with the reference texts). */
export interface ProviderControlService {
  getListUnclaimed(request: Uint8Array): Promise<Uint8Array>;
  getListInProgress(request: Uint8Array): Promise<Uint8Array>;
  startClaim(request: Uint8Array): Promise<Uint8Array>;
  startClaimForMultipleChannels(request: Uint8Array): Promise<Uint8Array>;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function claimReply(claim: ClaimRecord): Record<string, unknown> {
  return {
    channelId: encodeUint256(claim.channelId),
    channelNonce: encodeUint256(claim.nonce),
    signedAmount: encodeUint256(claim.amount),
    signature: claim.signature,
  };
}

/**
 * `escrow.ProviderControlService` (Go `escrow/control_service.go`): the provider (org `payment_address`) lists what it can
 * claim and starts claims; the daemon moves the channel to the next nonce and keeps the old nonce's signed
 * amount as a claim record until the chain nonce passes it. It never sends transactions.
 */
export function createProviderControlService(deps: EscrowServicesDeps, options: EscrowServicesOptions): ProviderControlService {
  const drift = options.allowedBlockDrift ?? 5n;
  const { repository, recoverer } = deps;

  const checkListRequest = async (request: DecodedMessage, build: typeof buildListUnclaimedMessage): Promise<void> => {
    checkMpeAddress(stringField(request, 'mpeAddress'), options.mpeAddress);
    const currentBlock = uint64Field(request, 'currentBlock');
    await checkBlockDrift(deps.chain, currentBlock, drift);
    checkSigner(recoverSigner(recoverer, build({ mpeAddress: options.mpeAddress, currentBlock }), bytesField(request, 'signature')), options.paymentAddress);
  };

  const sweep = async (): Promise<void> => {
    try {
      await repository.removeClaimedPayments();
    } catch (err) {
      if (err instanceof Error && err.message === 'error in retrieving claims') throw err;
      throw serviceRejected(errorText(err), err);
    }
  };

  const startClaimOn = async (channelId: bigint): Promise<ClaimRecord> => {
    try {
      return await repository.startClaim(channelId);
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'PAYMENT_SERVICE_REJECTED') throw err;
      throw serviceRejected(errorText(err), err);
    }
  };

  return {
    async getListUnclaimed(bytes) {
      const request = decodeRequest(escrowTypes.GetPaymentsListRequest, bytes);
      await checkListRequest(request, buildListUnclaimedMessage);
      let channels;
      try {
        channels = await repository.listChannels();
      } catch (err) {
        throw serviceRejected(errorText(err), err);
      }
      // Storage only, signatures left out: snet-cli treats a signature here as an invalid answer.
      // A live reservation is not committed yet: list the committed amount (StartClaim refuses such a channel).
      const payments = channels
        .map((c) => ({ channel: c, amount: c.pending === undefined ? c.authorizedAmount : c.pending.previousAmount }))
        .filter(({ amount }) => amount !== 0n)
        .map(({ channel: c, amount }) => ({
          channelId: encodeUint256(c.channelId),
          channelNonce: encodeUint256(c.nonce),
          signedAmount: encodeUint256(amount),
          channelExpiry: encodeUint256(c.expiration),
        }));
      return encodeReply(escrowTypes.PaymentsListReply, { payments });
    },

    async getListInProgress(bytes) {
      const request = decodeRequest(escrowTypes.GetPaymentsListRequest, bytes);
      await checkListRequest(request, buildListInProgressMessage);
      await sweep();
      let claims;
      try {
        claims = await repository.listClaims();
      } catch (err) {
        throw serviceRejected('error in retrieving claims', err);
      }
      const payments: Record<string, unknown>[] = [];
      for (const claim of claims) {
        if (claim.signature.length === 0 || claim.amount === 0n) continue;
        let merged;
        try {
          merged = await repository.getMerged(claim.channelId);
        } catch {
          continue;
        }
        if (!merged.found) continue;
        payments.push({ ...claimReply(claim), channelExpiry: encodeUint256(merged.channel.expiration) });
      }
      return encodeReply(escrowTypes.PaymentsListReply, { payments });
    },

    async startClaim(bytes) {
      const request = decodeRequest(escrowTypes.StartClaimRequest, bytes);
      checkMpeAddress(stringField(request, 'mpeAddress'), options.mpeAddress);
      const channelId = decodeUint(bytesField(request, 'channelId'));
      let merged;
      try {
        merged = await repository.getMerged(channelId);
      } catch (err) {
        throw serviceRejected(errorText(err), err);
      }
      // Go skips the signature check for an unknown channel and fails later with "not found".
      if (merged.found) {
        const message = buildStartClaimMessage({ mpeAddress: options.mpeAddress, channelId, nonce: merged.channel.nonce });
        checkSigner(recoverSigner(recoverer, message, bytesField(request, 'signature')), options.paymentAddress);
      }
      await sweep();
      const claim = await startClaimOn(channelId);
      deps.logger.info({ channelId: channelId.toString(), nonce: claim.nonce.toString(), amount: claim.amount.toString() }, 'claim started');
      return encodeReply(escrowTypes.PaymentReply, claimReply(claim));
    },

    async startClaimForMultipleChannels(bytes) {
      const request = decodeRequest(escrowTypes.StartMultipleClaimRequest, bytes);
      checkMpeAddress(stringField(request, 'mpeAddress'), options.mpeAddress);
      const currentBlock = uint64Field(request, 'currentBlock');
      await checkBlockDrift(deps.chain, currentBlock, drift);
      const raw = request['channelIds'];
      const channelIds = Array.isArray(raw) ? raw.map((id) => BigInt(id as string)) : [];
      const message = buildStartClaimForMultipleChannelsMessage({ mpeAddress: options.mpeAddress, channelIds, currentBlock });
      checkSigner(recoverSigner(recoverer, message, bytesField(request, 'signature')), options.paymentAddress);
      await sweep();
      const payments: Record<string, unknown>[] = [];
      // Request order, first error wins (grpc-go drops the partial reply of the reference).
      for (const channelId of channelIds) {
        const claim = await startClaimOn(channelId);
        deps.logger.info({ channelId: channelId.toString(), nonce: claim.nonce.toString(), amount: claim.amount.toString() }, 'claim started');
        payments.push(claimReply(claim));
      }
      return encodeReply(escrowTypes.PaymentsListReply, { payments });
    },
  };
}

/** Registers `escrow.ProviderControlService` (free: no payment interceptor). */
export function registerProviderControlService(registry: ServiceRegistry, deps: EscrowServicesDeps, options: EscrowServicesOptions): void {
  const service = createProviderControlService(deps, options);
  registry.registerUnary(providerControlPaths.getListUnclaimed, (request) => service.getListUnclaimed(request));
  registry.registerUnary(providerControlPaths.getListInProgress, (request) => service.getListInProgress(request));
  registry.registerUnary(providerControlPaths.startClaim, (request) => service.startClaim(request));
  registry.registerUnary(providerControlPaths.startClaimForMultipleChannels, (request) => service.startClaimForMultipleChannels(request));
}
