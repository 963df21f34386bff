import { HEADER_FREE_CALL_TOKEN_EXPIRY_BLOCK, HEADER_FREE_CALL_USER_ADDRESS, HEADER_FREE_CALL_USER_ID } from '../escrow/headers.ts';
import { lenientSingleValue, parseFreeCallSignedHeaders, parseUint256Header, type HeaderMap, type ParseResult } from '../escrow/payment-headers.ts';
import type { LegacyFreeCallFields } from './free-call-verifier.ts';

/** The two free-call protocols one daemon serves. */
export type FreeCallProtocol = 'v6' | 'pre-v6';

/**
 * Which protocol a `free-call` call speaks, by its headers: v6 clients always send `snet-free-call-user-address`;
 * pre-v6 clients (npm snet-sdk 2.0.0, snet-sdk-web 4.2.2) never do and always send
 * `snet-free-call-token-expiry-block`. With neither, v6 (whose parser then answers `missing "snet-free-call-user-address"`).
 */
export function freeCallProtocolOf(headers: HeaderMap): FreeCallProtocol {
  if (Object.hasOwn(headers, HEADER_FREE_CALL_USER_ADDRESS)) return 'v6';
  return Object.hasOwn(headers, HEADER_FREE_CALL_TOKEN_EXPIRY_BLOCK) ? 'pre-v6' : 'v6';
}

/**
 * The pre-v6 free-call headers: `snet-free-call-user-id` (e-mail), `snet-current-block-number`,
 * `snet-payment-channel-signature-bin`, `snet-free-call-auth-token-bin` (the 65-byte token, no `_<block>`),
 * `snet-free-call-token-expiry-block`; the first missing or bad one is `missing "<key>"` / `incorrect format …`.
 */
export function parseLegacyFreeCallHeaders(headers: HeaderMap): ParseResult<LegacyFreeCallFields> {
  const email = lenientSingleValue(headers, HEADER_FREE_CALL_USER_ID);
  const signed = parseFreeCallSignedHeaders(headers);
  if (!signed.ok) return signed;
  const expiry = parseUint256Header(headers, HEADER_FREE_CALL_TOKEN_EXPIRY_BLOCK);
  if (!expiry.ok) return expiry;
  return { ok: true, value: { email, ...signed.value, tokenExpiryBlock: expiry.value } };
}
