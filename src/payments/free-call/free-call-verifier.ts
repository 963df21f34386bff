import { bytesToHex } from '@noble/hashes/utils.js';
import {
  buildFreeCallMessage,
  buildFreeCallTokenBodyMessage,
  buildLegacyFreeCallMessage,
  buildLegacyFreeCallTokenMessage,
  hashSignedMessage,
  parseAddress,
  publicKeyToAddressBytes,
  toChecksumAddress,
  type SignatureRecoverer,
} from '../../blockchain/index.ts';
import { blockUnavailableError, userNotAllowedError } from '../payment-error.ts';
import { SIGNATURE_EXPIRED, signNotValid, TOKEN_EXPIRED, TOKEN_SIGN_NOT_VALID, type FreeCallRefusal } from './free-call-errors.ts';

/** A v6 free call's signed fields (headers of a call, or a `FreeCallStateRequest`). */
export interface V6FreeCallFields {
  /** The user address exactly as sent (it is signed as text). */
  readonly userAddress: string;
  readonly userId: string;
  readonly currentBlock: bigint;
  readonly signature: Uint8Array;
  /** The whole token, `_<expiry>` included. */
  readonly token: Uint8Array;
  readonly tokenSignature: Uint8Array;
  readonly tokenExpiryBlock: bigint;
}

/** A pre-v6 free call's signed fields (npm snet-sdk 2.0.0, snet-sdk-web 4.2.2). */
export interface LegacyFreeCallFields {
  /** `snet-free-call-user-id` / `user_id`: the e-mail the token was issued for. */
  readonly email: string;
  readonly currentBlock: bigint;
  readonly signature: Uint8Array;
  /** The 65-byte token signature (no `_<expiry>` suffix in this protocol). */
  readonly token: Uint8Array;
  /** `snet-free-call-token-expiry-block` / `token_expiry_date_block`. */
  readonly tokenExpiryBlock: bigint;
}

/** Whose free call this is: the counter belongs to (signer address, user id). */
export interface VerifiedFreeCall {
  /** The recovered user signer (20 bytes); for marketplace calls the trusted backend's address. */
  readonly signer: Uint8Array;
  /** Lower-case hex of {@link VerifiedFreeCall.signer}, no `0x` (the counter key part). */
  readonly signerHex: string;
  /** v6 `user_id` (empty for web3 users); `''` for pre-v6 calls, which count per wallet. */
  readonly userId: string;
  /** The pre-v6 e-mail (for `free_calls_per_address` keyed by e-mail); `undefined` for v6. */
  readonly legacyEmail?: string;
}

/** Settings of {@link createFreeCallVerifier}, fixed at start-up. */
export interface FreeCallVerifierOptions {
  readonly organizationId: string;
  readonly serviceId: string;
  /** The group id as the base64 text of org metadata (signed as text). */
  readonly groupIdBase64: string;
  /** Config `daemon_group_name` (in the v6 token body, not the group id). */
  readonly groupName: string;
  /** Service metadata `free_call_signer_address` (read per call: metadata hot reload); `undefined` = none. */
  readonly signerAddress: () => string | undefined;
  /** Curation (`allowed_user_flag`): lower-case hex (no 0x) of `allowed_user_addresses`; `undefined` = off. */
  readonly allowedUsers?: ReadonlySet<string> | undefined;
  /** @default 5n */
  readonly allowedBlockDrift?: bigint;
}

/** Dependencies of {@link createFreeCallVerifier}. */
export interface FreeCallVerifierDeps {
  readonly recoverer: SignatureRecoverer;
  /** The chain's current block (cached by the chain client; `peek` answers without waiting when it can). */
  readonly chain: { getBlockNumber(): Promise<bigint>; peekBlockNumber?(): bigint | undefined };
}

/** Checks free-call signatures and tokens of both protocols. */
export interface FreeCallVerifier {
  /** v6 checks in the reference's order (user signature, token signer, token expiry, block drift). */
  verifyV6(fields: V6FreeCallFields): Promise<VerifiedFreeCall | FreeCallRefusal>;
  /** Pre-v6 checks in the same order, over the pre-v6 messages. */
  verifyLegacy(fields: LegacyFreeCallFields): Promise<VerifiedFreeCall | FreeCallRefusal>;
}

/** Token verifications remembered per process (oldest dropped first). */
const MAX_CACHED_TOKENS = 10_000;

export function isRefusal(value: VerifiedFreeCall | FreeCallRefusal): value is FreeCallRefusal {
  return 'kind' in value;
}

/**
 * Builds the verifier. A call costs one signature recovery (the user's signature, which covers the block number
 * and so changes per call); the token's recovery is remembered per (token, user, user id), so a token used again
 * costs none. Throws a `PaymentError`: PERMISSION_DENIED `PAYMENT_USER_NOT_ALLOWED` when curation is on and the
 * signer is not listed (as escrow payments), UNAVAILABLE when the current block cannot be read.
 */
export function createFreeCallVerifier(deps: FreeCallVerifierDeps, options: FreeCallVerifierOptions): FreeCallVerifier {
  const { recoverer, chain } = deps;
  const drift = options.allowedBlockDrift ?? 5n;
  const tokenSigners = new Map<string, string | FreeCallRefusal>();

  const recover = async (message: Uint8Array, signature: Uint8Array): Promise<Uint8Array | FreeCallRefusal> => {
    const result = await recoverer.recoverPublicKeyAsync(hashSignedMessage(message), signature);
    return result.ok ? publicKeyToAddressBytes(result.value) : signNotValid(result.error.message);
  };
  const curationRefuses = (signerHex: string): boolean => options.allowedUsers !== undefined && !options.allowedUsers.has(signerHex);

  /** Lower-case hex of the token's signer, or why there is none; one recovery per distinct token use. */
  const tokenSigner = async (cacheKey: string, body: () => Uint8Array, tokenSignature: Uint8Array): Promise<string | FreeCallRefusal> => {
    const known = tokenSigners.get(cacheKey);
    if (known !== undefined) return known;
    const recovered = await recover(body(), tokenSignature);
    const value = recovered instanceof Uint8Array ? bytesToHex(recovered) : recovered;
    if (tokenSigners.size >= MAX_CACHED_TOKENS) {
      const oldest = tokenSigners.keys().next();
      if (oldest.done !== true) tokenSigners.delete(oldest.value);
    }
    tokenSigners.set(cacheKey, value);
    return value;
  };

  const currentBlock = async (): Promise<bigint> => {
    const peeked = chain.peekBlockNumber?.();
    if (peeked !== undefined) return peeked;
    try {
      return await chain.getBlockNumber();
    } catch (err) {
      throw blockUnavailableError(err);
    }
  };

  /** Token signer, token expiry and block drift, in the reference's order. */
  const finish = async (tokenKey: string, body: () => Uint8Array, tokenSignature: Uint8Array, expiry: bigint, sentBlock: bigint): Promise<FreeCallRefusal | undefined> => {
    const issuer = await tokenSigner(tokenKey, body, tokenSignature);
    if (typeof issuer !== 'string') return issuer;
    const expected = options.signerAddress();
    const expectedBytes = expected === undefined ? undefined : parseAddress(expected);
    if (expectedBytes === undefined || issuer !== bytesToHex(expectedBytes)) return TOKEN_SIGN_NOT_VALID;
    const block = await currentBlock();
    if (expiry < block) return TOKEN_EXPIRED;
    const difference = sentBlock > block ? sentBlock - block : block - sentBlock;
    if (difference > drift) return SIGNATURE_EXPIRED;
    return undefined;
  };

  const ids = { organizationId: options.organizationId, serviceId: options.serviceId, groupId: options.groupIdBase64 };
  return {
    async verifyV6(f) {
      const signer = await recover(buildFreeCallMessage({ address: f.userAddress, userId: f.userId, ...ids, currentBlock: f.currentBlock, token: f.token }), f.signature);
      if (!(signer instanceof Uint8Array)) return signer;
      const signerHex = bytesToHex(signer);
      if (curationRefuses(signerHex)) throw userNotAllowedError(toChecksumAddress(signer));
      const sent = parseAddress(f.userAddress);
      if (sent === undefined || bytesToHex(sent) !== signerHex) {
        return signNotValid(`unauthorized signer: ${f.userAddress.slice(0, 64)} not equal ${toChecksumAddress(signer)}, maybe invalid signature struct`);
      }
      const tokenKey = `6|${bytesToHex(f.tokenSignature)}|${f.tokenExpiryBlock}|${signerHex}|${f.userId}`;
      const body = (): Uint8Array => buildFreeCallTokenBodyMessage({ organizationId: options.organizationId, groupName: options.groupName, userAddress: signer, userId: f.userId, expiryBlock: f.tokenExpiryBlock });
      const refused = await finish(tokenKey, body, f.tokenSignature, f.tokenExpiryBlock, f.currentBlock);
      return refused ?? { signer, signerHex, userId: f.userId };
    },
    async verifyLegacy(f) {
      const signer = await recover(buildLegacyFreeCallMessage({ userId: f.email, ...ids, currentBlock: f.currentBlock, token: f.token }), f.signature);
      if (!(signer instanceof Uint8Array)) return signer;
      const signerHex = bytesToHex(signer);
      if (curationRefuses(signerHex)) throw userNotAllowedError(toChecksumAddress(signer));
      const tokenKey = `5|${bytesToHex(f.token)}|${f.tokenExpiryBlock}|${signerHex}|${f.email}`;
      const body = (): Uint8Array => buildLegacyFreeCallTokenMessage({ userId: f.email, userAddress: signer, expiryBlock: f.tokenExpiryBlock });
      const refused = await finish(tokenKey, body, f.token, f.tokenExpiryBlock, f.currentBlock);
      return refused ?? { signer, signerHex, userId: '', legacyEmail: f.email };
    },
  };
}
