import { addressesEqual, buildTokenRequestMessage, toChecksumAddress } from '../../blockchain/index.ts';
import { serviceRejected, type PrepaidPlanner, type PrepaidTokens } from '../../payments/index.ts';
import type { ServiceRegistry } from '../../pipeline/index.ts';
import { bytesField, decodeRequest, encodeReply, escrowTypes, uint64Field } from './escrow-protos.ts';
import { checkBlockDrift, recoverSigner, type EscrowServicesDeps, type EscrowServicesOptions } from './escrow-service-deps.ts';

/** Full method path of `escrow.TokenService/GetToken`. */
export const getTokenPath = '/escrow.TokenService/GetToken';

/** What `GetToken` needs beyond the other escrow services: where prepaid amounts are planned, and the token signer. */
export interface TokenServiceDeps extends EscrowServicesDeps {
  readonly planner: PrepaidPlanner;
  readonly tokens: PrepaidTokens;
}

const MAX_UINT64 = (1n << 64n) - 1n;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * `TokenService/GetToken` in the reference's order (Go `escrow/token_service.go`): merged channel →
 * amount not below the authorised one and within the funds → M10 signature by the channel's signer, sender or
 * recipient → ±5 blocks → the escrow checks of the claim signature → plan (one store transaction) → a JWT for the
 * channel. Unlike the reference, a channel without a planned amount has planned 0 (a channel used with escrow
 * can switch to prepaid), and the channel record and the planned amount change together or not at all.
 * Refusals are PAYMENT_SERVICE_REJECTED (UNKNOWN on the wire) with the reference's texts.
 */
export function createGetToken(deps: TokenServiceDeps, options: EscrowServicesOptions): (request: Uint8Array) => Promise<Uint8Array> {
  const drift = options.allowedBlockDrift ?? 5n;
  return async (requestBytes) => {
    const request = decodeRequest(escrowTypes.TokenRequest, requestBytes);
    const channelId = uint64Field(request, 'channelId');
    const amount = uint64Field(request, 'signedAmount');
    let merged;
    try {
      merged = await deps.repository.getMerged(channelId);
    } catch (err) {
      throw serviceRejected(`error:${errorText(err)} was seen on retrieving details of channelID:${channelId}`, err);
    }
    if (!merged.found) throw serviceRejected(`channel is not found, channelId: ${channelId}`);
    const channel = merged.channel;
    if (channel.authorizedAmount > amount) throw serviceRejected('signed amount for token request needs to be greater than last signed amount');
    if (channel.fullAmount < amount) throw serviceRejected('signed amount for token request cannot be greater than full amount in channel');
    const claimSignature = bytesField(request, 'claimSignature');
    const currentBlock = uint64Field(request, 'currentBlock');
    const signer = recoverSigner(deps.recoverer, buildTokenRequestMessage({ claimSignature, currentBlock }), bytesField(request, 'signature'), 'incorrect signature');
    if (!addressesEqual(signer, channel.signer) && !addressesEqual(signer, channel.sender) && !addressesEqual(signer, channel.recipient)) {
      throw serviceRejected('only channel signer/sender/receiver can get a Valid Token');
    }
    await checkBlockDrift(deps.chain, currentBlock, drift);
    let usage;
    try {
      usage = await deps.planner.plan(merged, { channelId, nonce: uint64Field(request, 'currentNonce'), amount, claimSignature });
    } catch (err) {
      throw serviceRejected(errorText(err), err);
    }
    const clamp = (value: bigint): string => (value > MAX_UINT64 ? MAX_UINT64 : value).toString();
    return encodeReply(escrowTypes.TokenReply, {
      channelId: channelId.toString(),
      token: deps.tokens.issue(channelId, toChecksumAddress(signer)),
      plannedAmount: clamp(usage.planned),
      usedAmount: clamp(usage.used),
    });
  };
}

/** Registers `escrow.TokenService` (free: no payment interceptor). */
export function registerTokenService(registry: ServiceRegistry, deps: TokenServiceDeps, options: EscrowServicesOptions): void {
  const getToken = createGetToken(deps, options);
  registry.registerUnary(getTokenPath, (request) => getToken(request));
}
