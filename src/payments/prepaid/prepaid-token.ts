import { createHmac, timingSafeEqual } from 'node:crypto';

// Prepaid tokens are JWTs signed with HMAC under `token_secret_key` (Go `token/jwt.go`): HS256 when issued, any
// of HS256/384/512 accepted, claims `payload` (channel id, decimal), `userAddress` (EIP-55 signer of the token
// request), `orgId`, `groupId` (base64) and `exp` (Unix seconds). Written with node:crypto: a prepaid call costs
// one map lookup for a token seen before, else one HMAC, and no JWT library on the hot path.

/** Settings of {@link createPrepaidTokens}, fixed at start-up. */
export interface PrepaidTokenOptions {
  /** `token_secret_key`: the HMAC key every replica of the group shares. */
  readonly secret: string;
  /** `token_expiry_in_minutes`. */
  readonly expiryMinutes: number;
  /** `organization_id` (claim `orgId`). */
  readonly organizationId: string;
  /** The group id as the base64 text of org metadata (claim `groupId`). */
  readonly groupIdBase64: string;
}

/** A verified token's answer for one call: the payer, or the reference's refusal text. */
export type TokenVerdict = { readonly ok: true; readonly userAddress: string } | { readonly ok: false; readonly reason: string };

/** Issues and verifies prepaid tokens. */
export interface PrepaidTokens {
  /** A new HS256 token for `channelId`, paid by `userAddress` (EIP-55), valid for `expiryMinutes`. */
  issue(channelId: bigint, userAddress: string): string;
  /**
   * Checks `token` for a call on `channelId` (golang-jwt v5 then the reference's claim checks, in that order):
   * signature, expiry, then `payload`, `orgId`, `groupId` against the channel header and this daemon.
   */
  verify(token: string, channelId: bigint): TokenVerdict;
}

/** The claims of a token whose signature was verified (cached by token text). */
interface VerifiedClaims {
  readonly payload: string;
  readonly orgId: string;
  readonly groupId: string;
  readonly userAddress: string | undefined;
  /** Unix seconds, or `undefined` when the token has no `exp` (golang-jwt v5 does not require one). */
  readonly exp: number | undefined;
}

const HASH_OF_ALG: Readonly<Record<string, string>> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };
/** Verified tokens remembered per process (cleared when full: a token costs one HMAC to verify again). */
const MAX_CACHED_TOKENS = 10_000;
const HS256_HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');

/** Go `%v` of a JSON claim value as golang-jwt decodes it (strings as is, numbers as float64, `<nil>` when absent). */
function goText(value: unknown): string {
  if (value === undefined || value === null) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function parseJsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Creates the {@link PrepaidTokens} of one daemon group. */
export function createPrepaidTokens(options: PrepaidTokenOptions, now: () => number = Date.now): PrepaidTokens {
  const key = Buffer.from(options.secret, 'utf8');
  const verified = new Map<string, VerifiedClaims>();

  /** golang-jwt's parse + HMAC check; the texts are its error strings (what the reference sends). */
  const verifySignature = (token: string): VerifiedClaims | string => {
    const first = token.indexOf('.');
    const second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first < 0 || second < 0 || token.indexOf('.', second + 1) >= 0) return 'token is malformed: token contains an invalid number of segments';
    const header = parseJsonObject(token.slice(0, first));
    if (header === undefined) return 'token is malformed: could not JSON decode header';
    const claims = parseJsonObject(token.slice(first + 1, second));
    if (claims === undefined) return 'token is malformed: could not JSON decode claim';
    const alg = typeof header['alg'] === 'string' ? header['alg'] : '';
    const hash = HASH_OF_ALG[alg];
    if (hash === undefined) return `token is unverifiable: error while executing keyfunc: unexpected signing method: ${goText(header['alg'])}`;
    const expected = createHmac(hash, key).update(token.slice(0, second)).digest();
    const signature = Buffer.from(token.slice(second + 1), 'base64url');
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return 'token signature is invalid: signature is invalid';
    const exp = claims['exp'];
    if (exp !== undefined && typeof exp !== 'number') return 'token has invalid claims: token is malformed: invalid type for claim: exp is invalid';
    const user = claims['userAddress'];
    return {
      payload: goText(claims['payload']),
      orgId: goText(claims['orgId']),
      groupId: goText(claims['groupId']),
      userAddress: typeof user === 'string' && user !== '' ? user : undefined,
      exp,
    };
  };

  return {
    issue(channelId, userAddress) {
      const exp = Math.floor(now() / 1000) + Math.floor(options.expiryMinutes * 60);
      // golang-jwt marshals MapClaims with sorted keys; the same order here.
      const claims = { exp, groupId: options.groupIdBase64, orgId: options.organizationId, payload: channelId.toString(), userAddress };
      const signingInput = `${HS256_HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
    },
    verify(token, channelId) {
      let claims = verified.get(token);
      if (claims === undefined) {
        const result = verifySignature(token);
        if (typeof result === 'string') return { ok: false, reason: result };
        claims = result;
        if (verified.size >= MAX_CACHED_TOKENS) verified.clear();
        verified.set(token, claims);
      }
      if (claims.exp !== undefined && now() / 1000 > claims.exp) return { ok: false, reason: 'token has invalid claims: token is expired' };
      if (claims.payload !== channelId.toString()) return { ok: false, reason: `payload ${claims.payload} used to generate the Token doesnt match expected values` };
      if (claims.orgId !== options.organizationId) return { ok: false, reason: `organization ${claims.orgId} is not associated with this Daemon` };
      if (claims.groupId !== options.groupIdBase64) return { ok: false, reason: `groupId ${claims.groupId} is not associated with this Daemon` };
      if (claims.userAddress === undefined) return { ok: false, reason: 'token missing sender claim' };
      return { ok: true, userAddress: claims.userAddress };
    },
  };
}
