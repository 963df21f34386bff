import { bytesToHex } from '@noble/hashes/utils.js';
import {
  buildFreeCallTokenBodyMessage,
  buildFreeCallTokenRequestMessage,
  encodeFreeCallToken,
  hashSignedMessage,
  parseAddress,
  parseFreeCallToken,
  signMessage,
  toChecksumAddress,
  type SignatureRecoverer,
} from '../../blockchain/index.ts';
import {
  freeCallBalanceError,
  freeCallsAvailable,
  isFreeCallRefusal,
  serviceRejected,
  userNotAllowedError,
  type FreeCallAllowance,
  type FreeCallCounters,
  type FreeCallRefusal,
  type FreeCallVerifier,
  type VerifiedFreeCall,
} from '../../payments/index.ts';
import type { ServiceRegistry } from '../../pipeline/index.ts';
import type { Logger } from '../../shared/index.ts';
import { bytesField, decodeRequest, encodeReply, stringField, uint64Field } from './escrow-protos.ts';
import { freeCallStatePaths, freeCallTypes, isPreV6FreeCallStateRequest } from './free-call-protos.ts';

/** Longest token lifetime, in blocks (Go `FreeCallTokenLifetime`, about 24 days at 12 s a block). */
export const MAX_FREE_CALL_TOKEN_LIFETIME_BLOCKS = 172_800n;
const NOTHING_SIGNED = new Uint8Array(65);

/** Dependencies of the free-call state service. */
export interface FreeCallStateServiceDeps {
  readonly verifier: FreeCallVerifier;
  readonly counters: FreeCallCounters;
  readonly allowance: FreeCallAllowance;
  readonly recoverer: SignatureRecoverer;
  /** The chain's current block (cached by the chain client). */
  readonly chain: { getBlockNumber(): Promise<bigint> };
  /** ERC-20 balance of the network's token (FET/ASI), in its smallest unit. */
  readonly balanceOf: (address: string) => Promise<bigint>;
  readonly logger: Logger;
}

/** Settings of the free-call state service, fixed at start-up (the signer address is read per request). */
export interface FreeCallStateServiceOptions {
  readonly organizationId: string;
  readonly serviceId: string;
  readonly groupIdBase64: string;
  /** Config `daemon_group_name` (signed in the token body). */
  readonly groupName: string;
  /** `private_key_for_free_calls`; `undefined` when not set. */
  readonly signingKey: string | undefined;
  /** The address of {@link FreeCallStateServiceOptions.signingKey}. */
  readonly signingAddress: string | undefined;
  /** Service metadata `free_call_signer_address` (metadata hot reload). */
  readonly signerAddress: () => string | undefined;
  /** `trusted_free_call_signers`, lower-case hex without 0x. */
  readonly trustedSigners: ReadonlySet<string>;
  /** `min_balance_for_free_call` in whole tokens (× 10^18 is compared, as the reference does). */
  readonly minBalance: bigint;
  /** Curation allow-list (lower-case hex, no 0x); `undefined` = off. */
  readonly allowedUsers?: ReadonlySet<string> | undefined;
  /** @default 5n */
  readonly allowedBlockDrift?: bigint;
}

/** The two handlers of `escrow.FreeCallStateService` (request bytes → reply bytes; refusals are `SnetError`s). */
export interface FreeCallStateService {
  getFreeCallToken(request: Uint8Array): Promise<Uint8Array>;
  getFreeCallsAvailable(request: Uint8Array): Promise<Uint8Array>;
  /** True when this replica grants free calls (key matches the metadata signer and some allowance is > 0). */
  configured(): boolean;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * `escrow.FreeCallStateService` for both protocols. When free calls are not configured here (no key, a key that
 * is not the metadata's free-call signer, or no allowance anywhere) it never refuses: `GetFreeCallsAvailable`
 * answers 0 and `GetFreeCallToken` a token that grants nothing, so every SDK falls through to paying.
 */
export function createFreeCallStateService(deps: FreeCallStateServiceDeps, options: FreeCallStateServiceOptions): FreeCallStateService {
  const drift = options.allowedBlockDrift ?? 5n;
  const configured = (): boolean => {
    const signer = options.signerAddress();
    if (options.signingAddress === undefined || signer === undefined) return false;
    const a = parseAddress(signer);
    const b = parseAddress(options.signingAddress);
    return a !== undefined && b !== undefined && bytesToHex(a) === bytesToHex(b) && deps.allowance.anyGranted;
  };
  const block = async (): Promise<bigint> => {
    try {
      return await deps.chain.getBlockNumber();
    } catch (err) {
      throw serviceRejected(`unable to read the current block: ${errorText(err)}`, err);
    }
  };
  const available = async (call: VerifiedFreeCall): Promise<number> => {
    let state;
    try {
      state = await deps.counters.read(deps.counters.keyOf(call));
    } catch (err) {
      throw serviceRejected('error in retrieving free call details from storage', err);
    }
    return freeCallsAvailable(deps.allowance.allowedFor(call.signerHex, call.legacyEmail), state.made + state.pending.length);
  };
  const refuse = (value: VerifiedFreeCall | FreeCallRefusal): VerifiedFreeCall => {
    if (isFreeCallRefusal(value)) throw serviceRejected(value.text);
    return value;
  };

  const tokenReply = (signature: Uint8Array, expiry: bigint): Uint8Array => {
    const token = encodeFreeCallToken(signature, expiry);
    return encodeReply(freeCallTypes.FreeCallToken, { token, tokenHex: bytesToHex(token), tokenExpirationBlock: expiry.toString() });
  };

  return {
    configured,
    async getFreeCallToken(bytes) {
      const request = decodeRequest(freeCallTypes.GetFreeCallTokenRequest, bytes);
      const lifetimeSent = request['tokenLifetimeInBlocks'];
      const lifetime = lifetimeSent === undefined || uint64Field(request, 'tokenLifetimeInBlocks') > MAX_FREE_CALL_TOKEN_LIFETIME_BLOCKS ? MAX_FREE_CALL_TOKEN_LIFETIME_BLOCKS : uint64Field(request, 'tokenLifetimeInBlocks');
      if (!configured() || options.signingKey === undefined) return tokenReply(NOTHING_SIGNED, (await block()) + lifetime);
      const address = stringField(request, 'address');
      const userId = stringField(request, 'userId');
      const currentBlock = uint64Field(request, 'currentBlock');
      const message = buildFreeCallTokenRequestMessage({ address, userId, organizationId: options.organizationId, serviceId: options.serviceId, groupId: options.groupIdBase64, currentBlock });
      const recovered = deps.recoverer.recoverAddressBytes(hashSignedMessage(message), bytesField(request, 'signature'));
      if (!recovered.ok) throw serviceRejected(recovered.error.message);
      const signer = recovered.value;
      const signerHex = bytesToHex(signer);
      if (options.allowedUsers !== undefined && !options.allowedUsers.has(signerHex)) throw userNotAllowedError(toChecksumAddress(signer));
      const sent = parseAddress(address);
      if (sent === undefined || bytesToHex(sent) !== signerHex) {
        throw serviceRejected(`invalid signer, ${address.slice(0, 64)} (from request) is not equal to ${toChecksumAddress(signer)} (signer)`);
      }
      const latest = await block();
      const difference = latest > currentBlock ? latest - currentBlock : currentBlock - latest;
      if (difference > drift) throw serviceRejected('authentication failed as the signature passed has expired');
      if (!options.trustedSigners.has(signerHex)) {
        if (userId !== '') throw serviceRejected('your address is not trusted by this service provider, the use of user_id is not allowed');
        if (options.minBalance > 0n) {
          let balance: bigint;
          try {
            balance = await deps.balanceOf(toChecksumAddress(signer));
          } catch (err) {
            deps.logger.warn({ err }, 'free calls: the token balance could not be read');
            throw freeCallBalanceError(options.minBalance, err);
          }
          if (balance < options.minBalance * 10n ** 18n) throw freeCallBalanceError(options.minBalance);
        }
      }
      const expiry = latest + lifetime;
      const body = buildFreeCallTokenBodyMessage({ organizationId: options.organizationId, groupName: options.groupName, userAddress: signer, userId, expiryBlock: expiry });
      return tokenReply(signMessage(options.signingKey, body, { recoveryByte: 'raw' }), expiry);
    },
    async getFreeCallsAvailable(bytes) {
      if (isPreV6FreeCallStateRequest(bytes)) {
        const request = decodeRequest(freeCallTypes.PreV6FreeCallStateRequest, bytes);
        const userId = stringField(request, 'userId');
        if (!configured()) return encodeReply(freeCallTypes.PreV6FreeCallStateReply, { userId, freeCallsAvailable: '0' });
        const call = refuse(
          await deps.verifier.verifyLegacy({
            email: userId,
            currentBlock: uint64Field(request, 'currentBlock'),
            signature: bytesField(request, 'signature'),
            token: bytesField(request, 'tokenForFreeCall'),
            tokenExpiryBlock: uint64Field(request, 'tokenExpiryDateBlock'),
          }),
        );
        return encodeReply(freeCallTypes.PreV6FreeCallStateReply, { userId, freeCallsAvailable: String(await available(call)) });
      }
      const request = decodeRequest(freeCallTypes.FreeCallStateRequest, bytes);
      if (!configured()) return encodeReply(freeCallTypes.FreeCallStateReply, { freeCallsAvailable: '0' });
      const token = bytesField(request, 'freeCallToken');
      const parsed = parseFreeCallToken(token);
      if (!parsed.ok) throw serviceRejected(parsed.error);
      const call = refuse(
        await deps.verifier.verifyV6({
          userAddress: stringField(request, 'address'),
          userId: stringField(request, 'userId'),
          currentBlock: uint64Field(request, 'currentBlock'),
          signature: bytesField(request, 'signature'),
          token,
          tokenSignature: parsed.value.signature,
          tokenExpiryBlock: parsed.value.expiryBlock,
        }),
      );
      return encodeReply(freeCallTypes.FreeCallStateReply, { freeCallsAvailable: String(await available(call)) });
    },
  };
}

/** Registers `escrow.FreeCallStateService` (free: no payment interceptor). */
export function registerFreeCallStateService(registry: ServiceRegistry, service: FreeCallStateService): void {
  registry.registerUnary(freeCallStatePaths.getFreeCallToken, (request) => service.getFreeCallToken(request));
  registry.registerUnary(freeCallStatePaths.getFreeCallsAvailable, (request) => service.getFreeCallsAvailable(request));
}

/** With the blockchain off the reference answers both methods with errors (UNKNOWN), never a free call. */
export function registerDisabledFreeCallStateService(registry: ServiceRegistry): void {
  registry.registerUnary(freeCallStatePaths.getFreeCallToken, () =>
    Promise.reject(serviceRejected('error in generating token because blockchain is disabled, contact service provider')),
  );
  registry.registerUnary(freeCallStatePaths.getFreeCallsAvailable, () =>
    Promise.reject(serviceRejected('error in determining free calls because blockchain is disabled, contact service provider')),
  );
}
