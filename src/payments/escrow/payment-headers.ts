import { MAX_UINT256, isHexAddress, parseFreeCallToken } from '../../blockchain/index.ts';
import {
  freeCallTokenInvalidError,
  headerInvalidError,
  headerMissingError,
  headerRepeatedError,
  mpeAddressInvalidError,
  paymentTypeUnknownError,
  type PaymentError,
} from '../payment-error.ts';
import {
  HEADER_CHANNEL_AMOUNT,
  HEADER_CHANNEL_ID,
  HEADER_CHANNEL_NONCE,
  HEADER_CHANNEL_SIGNATURE_BIN,
  HEADER_CURRENT_BLOCK_NUMBER,
  HEADER_FREE_CALL_AUTH_TOKEN_BIN,
  HEADER_FREE_CALL_USER_ADDRESS,
  HEADER_FREE_CALL_USER_ID,
  HEADER_MPE_ADDRESS,
  HEADER_PAYMENT_TYPE,
  HEADER_PREPAID_AUTH_TOKEN_BIN,
  PAYMENT_TYPES,
  type PaymentType,
} from './headers.ts';

// Pure parsers for payment metadata (like connect-es `parse-timeout.ts`): they return
// `{ ok, value } | { ok, error }` and never throw on client input. Error texts are the reference's
// (Go `handler/stream_interceptor.go`), because clients see them.

/** One header's value(s) as node's `http2` incoming headers hold them (lower-case keys). */
export type HeaderValue = string | readonly string[] | undefined;

/** Incoming request headers: node `IncomingHttpHeaders`-shaped, or built by {@link headerMapFromRawPairs}. */
export type HeaderMap = Readonly<Record<string, HeaderValue>>;

/** Outcome of a header parser. */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: PaymentError };

/** Escrow (and train-call) payment headers, parsed (Go `escrow/payment_handler.go`). */
export interface EscrowPaymentHeaders {
  readonly channelId: bigint;
  readonly nonce: bigint;
  /** Cumulative amount authorised for this channel and nonce, in cogs. */
  readonly amount: bigint;
  /**
   * The signature bytes as sent. Not length-checked here: like the reference, a signature that is not
   * 65 bytes fails later as `payment signature is not valid` (UNAUTHENTICATED), after the nonce check.
   */
  readonly signature: Uint8Array;
  /**
   * `snet-payment-mpe-address` when sent once as a hex address (snet-cli sends it). Informational: the
   * reference ignores it when the blockchain is enabled and uses the metadata's MPE address.
   */
  readonly mpeAddress?: string;
}

/**
 * Headers from node's `rawHeaders` list (`[name, value, name, value, …]`), keeping repeated headers as
 * arrays; node's own headers object joins repeats with ", ". Keys are lower-cased. The result has no
 * prototype, so `__proto__`, `constructor` and friends are plain data (prototype-pollution safe).
 */
export function headerMapFromRawPairs(rawPairs: readonly string[]): HeaderMap {
  const map: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (let i = 0; i + 1 < rawPairs.length; i += 2) {
    const name = (rawPairs[i] as string).toLowerCase();
    const value = rawPairs[i + 1] as string;
    const existing = map[name];
    if (existing === undefined) map[name] = value;
    else if (typeof existing === 'string') map[name] = [existing, value];
    else existing.push(value);
  }
  return map;
}

/**
 * Every value of a payment header. Values are also split on `,` (trimmed): node's `http2` joins a
 * repeated header into `"a, b"`, and gRPC joins repeated `-bin` values with `,`. Every header parsed
 * here (integers, base64, addresses, payment type) is comma-free by format; do not use this for free text.
 */
function headerValues(headers: HeaderMap, key: string): string[] {
  if (!Object.hasOwn(headers, key)) return [];
  const raw = headers[key];
  if (raw === undefined) return [];
  const list = typeof raw === 'string' ? [raw] : raw;
  const values: string[] = [];
  for (const item of list) {
    if (item.includes(',')) for (const part of item.split(',')) values.push(part.trim());
    else values.push(item);
  }
  return values;
}

/**
 * The one value of `key` (Go `handler/stream_interceptor.go` `GetSingleValue`): `missing "<key>"` when absent,
 * `too many values for key "<key>": [v1 v2]` when repeated; both INVALID_ARGUMENT.
 */
export function getSingleHeader(headers: HeaderMap, key: string): ParseResult<string> {
  const value = singleValue(headers, key);
  return typeof value === 'string' ? { ok: true, value } : { ok: false, error: value };
}

/** {@link getSingleHeader} without the result object (hot path); the common single plain value costs no array. */
function singleValue(headers: HeaderMap, key: string): string | PaymentError {
  if (Object.hasOwn(headers, key)) {
    const raw = headers[key];
    if (typeof raw === 'string' && !raw.includes(',')) return raw;
  }
  const values = headerValues(headers, key);
  if (values.length === 0) return headerMissingError(key);
  if (values.length > 1) return headerRepeatedError(key, values);
  return values[0] as string;
}

// Longest accepted integer text: 2^256−1 has 78 digits; leading zeros are allowed, within reason.
const MAX_INTEGER_TEXT = 256;
const DECIMAL = /^[0-9]+$/;

/**
 * A uint256 from plain decimal text, or `undefined`. Deliberately stricter than the reference's Go
 * `big.Int.UnmarshalText` base 0 (docs/payments.md "Headers"): no sign, no `0x`/`0b`/`0o`, no `_`, no spaces;
 * leading zeros are decimal, never octal (`"010"` is 10, Go reads 8); negative or above 2^256−1 is rejected.
 * `0x` would be accepted only where a known client sends it: none does (the npm SDK, the Python SDK and
 * snet-cli all send `str(int)` decimal).
 */
export function parseDecimalUint256(text: string): bigint | undefined {
  if (text.length === 0 || text.length > MAX_INTEGER_TEXT || !DECIMAL.test(text)) return undefined;
  const value = BigInt(text);
  return value > MAX_UINT256 ? undefined : value;
}

/** A header holding a decimal uint256 (channel id, nonce, amount, block), exactly once; else INVALID_ARGUMENT `incorrect format "<key>": "<value>"`. */
export function parseUint256Header(headers: HeaderMap, key: string): ParseResult<bigint> {
  const value = uint256Value(headers, key);
  return typeof value === 'bigint' ? { ok: true, value } : { ok: false, error: value };
}

function uint256Value(headers: HeaderMap, key: string): bigint | PaymentError {
  const text = singleValue(headers, key);
  if (typeof text !== 'string') return text;
  return parseDecimalUint256(text) ?? headerInvalidError(key, text, 'not a decimal uint256');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Bytes from standard base64, padded or unpadded (the gRPC HTTP/2 spec requires both for `-bin` headers),
 * or `undefined` for anything else (URL-safe alphabet, misplaced `=`, impossible length, spaces).
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const padded = text.endsWith('=');
  if (padded ? text.length % 4 !== 0 : text.length % 4 === 1) return undefined;
  // Copy out of node's shared Buffer pool so the bytes can be kept (stored signatures) safely. The typed-array
  // constructor copies in one go (`Uint8Array.from` went through the iterator protocol, byte by byte).
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/**
 * A binary (`-bin`) header, exactly once, base64-decoded. gRPC transports deliver `-bin` values as base64
 * text (grpc-web too). Invalid base64 is INVALID_ARGUMENT `incorrect format "<key>": "<value>"` (grpc-go would
 * instead fail the whole request as INTERNAL `transport: malformed <key>: …`). Throws a `TypeError` when
 * `key` does not end in `-bin` (Go's `incorrect binary key name`, a bug in the caller).
 */
export function parseBinaryHeader(headers: HeaderMap, key: string): ParseResult<Uint8Array> {
  const value = binaryValue(headers, key);
  return value instanceof Uint8Array ? { ok: true, value } : { ok: false, error: value };
}

function binaryValue(headers: HeaderMap, key: string): Uint8Array | PaymentError {
  if (!key.endsWith('-bin')) throw new TypeError(`incorrect binary key name "${key}"`);
  const text = singleValue(headers, key);
  if (typeof text !== 'string') return text;
  return decodeBase64(text) ?? headerInvalidError(key, text, 'not base64');
}

const ESCROW: ParseResult<PaymentType> = { ok: true, value: 'escrow' };

/**
 * The payment type (Go `handler/stream_interceptor.go`): absent or without values → `defaultType`; otherwise the **first** value
 * (repeats are not an error) must be one of {@link PAYMENT_TYPES}, else INVALID_ARGUMENT
 * `unexpected "snet-payment-type", value: "<v>"`. Unary `train_model` calls pass `'train-call'` as default.
 */
export function parsePaymentType(headers: HeaderMap, defaultType: PaymentType = 'escrow'): ParseResult<PaymentType> {
  if (Object.hasOwn(headers, HEADER_PAYMENT_TYPE)) {
    // Hot path: one plain value (no array, no closure).
    const raw = headers[HEADER_PAYMENT_TYPE];
    if (raw === 'escrow') return ESCROW;
    if (typeof raw === 'string' && raw.length > 0 && !raw.includes(',')) {
      for (const type of PAYMENT_TYPES) if (type === raw) return { ok: true, value: type };
      return { ok: false, error: paymentTypeUnknownError(raw) };
    }
  }
  const values = headerValues(headers, HEADER_PAYMENT_TYPE);
  if (values.length === 0) return { ok: true, value: defaultType };
  const first = values[0] as string;
  const known = PAYMENT_TYPES.find((type) => type === first);
  return known === undefined ? { ok: false, error: paymentTypeUnknownError(first) } : { ok: true, value: known };
}

/**
 * `snet-payment-mpe-address`, exactly once, as a hex address (any case, `0x` optional, like go-ethereum
 * `IsHexAddress`). For the allowed-user (curation) handler, where it is required; a bad value is
 * INVALID_ARGUMENT `Address is not a valid Hex address "snet-payment-mpe-address": <v>` (Go `escrow/allowed_user_payment_handler.go`).
 */
export function parseMpeAddressHeader(headers: HeaderMap): ParseResult<string> {
  const single = getSingleHeader(headers, HEADER_MPE_ADDRESS);
  if (!single.ok) return single;
  if (!isHexAddress(single.value)) {
    return { ok: false, error: mpeAddressInvalidError(HEADER_MPE_ADDRESS, single.value) };
  }
  return { ok: true, value: single.value };
}

/** `snet-current-block-number` (free calls), a decimal uint256 exactly once. */
export function parseCurrentBlockHeader(headers: HeaderMap): ParseResult<bigint> {
  return parseUint256Header(headers, HEADER_CURRENT_BLOCK_NUMBER);
}

/**
 * The escrow/train-call headers, in the reference's order — channel id, nonce, amount, signature
 * (Go `escrow/payment_handler.go` `getPaymentFromContext`) — so the first missing or bad one is the
 * error the client gets, exactly as from the Go daemon.
 */
export function parseEscrowPaymentHeaders(headers: HeaderMap): ParseResult<EscrowPaymentHeaders> {
  const channelId = uint256Value(headers, HEADER_CHANNEL_ID);
  if (typeof channelId !== 'bigint') return { ok: false, error: channelId };
  const nonce = uint256Value(headers, HEADER_CHANNEL_NONCE);
  if (typeof nonce !== 'bigint') return { ok: false, error: nonce };
  const amount = uint256Value(headers, HEADER_CHANNEL_AMOUNT);
  if (typeof amount !== 'bigint') return { ok: false, error: amount };
  const signature = binaryValue(headers, HEADER_CHANNEL_SIGNATURE_BIN);
  if (!(signature instanceof Uint8Array)) return { ok: false, error: signature };
  const mpe = Object.hasOwn(headers, HEADER_MPE_ADDRESS) ? headerValues(headers, HEADER_MPE_ADDRESS) : undefined;
  const mpeAddress = mpe !== undefined && mpe.length === 1 && isHexAddress(mpe[0] as string) ? (mpe[0] as string) : undefined;
  return { ok: true, value: mpeAddress === undefined ? { channelId, nonce, amount, signature } : { channelId, nonce, amount, signature, mpeAddress } };
}

/** Free-call payment headers, parsed (Go `escrow/free_call_payment_handler.go`, v6 protocol). */
export interface FreeCallPaymentHeaders {
  /** `snet-free-call-user-id`; `""` when missing or repeated, as in the reference. */
  readonly userId: string;
  /** `snet-free-call-user-address` exactly as sent: it is signed as text. */
  readonly userAddress: string;
  readonly currentBlock: bigint;
  /** The M9 signature bytes as sent (length checked by recovery). */
  readonly signature: Uint8Array;
  /** The whole token as sent (M9 signs all of it, `_<block>` included). */
  readonly token: Uint8Array;
  /** The token's M8 signature part (before the last `_`). */
  readonly tokenSignature: Uint8Array;
  readonly tokenExpiryBlock: bigint;
}

/**
 * `snet-free-call-user-id` is free text (an e-mail): read without comma splitting; the reference ignores
 * GetSingleValue's error here, so missing or repeated means "".
 */
export function lenientSingleValue(headers: HeaderMap, key: string): string {
  if (!Object.hasOwn(headers, key)) return '';
  const raw = headers[key];
  if (typeof raw === 'string') return raw;
  return raw !== undefined && raw.length === 1 ? (raw[0] as string) : '';
}

/** The headers both free-call protocols send, parsed in the reference's order: current block, signature, token. */
export function parseFreeCallSignedHeaders(headers: HeaderMap): ParseResult<{ readonly currentBlock: bigint; readonly signature: Uint8Array; readonly token: Uint8Array }> {
  const currentBlock = uint256Value(headers, HEADER_CURRENT_BLOCK_NUMBER);
  if (typeof currentBlock !== 'bigint') return { ok: false, error: currentBlock };
  const signature = binaryValue(headers, HEADER_CHANNEL_SIGNATURE_BIN);
  if (!(signature instanceof Uint8Array)) return { ok: false, error: signature };
  const token = binaryValue(headers, HEADER_FREE_CALL_AUTH_TOKEN_BIN);
  if (!(token instanceof Uint8Array)) return { ok: false, error: token };
  return { ok: true, value: { currentBlock, signature, token } };
}

/**
 * The `free-call` headers in the reference's order — user id (lenient), user address, current block,
 * signature, token — then the token split (Go `escrow/free_call_payment_handler.go` `getPaymentFromContext`);
 * a bad token is INVALID_ARGUMENT `invalid token: no '_' found` / `invalid token: invalid block number`.
 * The pre-v6 npm SDK sends no user address and gets `missing "snet-free-call-user-address"`, as from Go.
 */
export function parseFreeCallPaymentHeaders(headers: HeaderMap): ParseResult<FreeCallPaymentHeaders> {
  const userId = lenientSingleValue(headers, HEADER_FREE_CALL_USER_ID);
  const userAddress = getSingleHeader(headers, HEADER_FREE_CALL_USER_ADDRESS);
  if (!userAddress.ok) return userAddress;
  const signed = parseFreeCallSignedHeaders(headers);
  if (!signed.ok) return signed;
  const { currentBlock, signature, token } = signed.value;
  const parsed = parseFreeCallToken(token);
  if (!parsed.ok) return { ok: false, error: freeCallTokenInvalidError(parsed.error) };
  return {
    ok: true,
    value: {
      userId,
      userAddress: userAddress.value,
      currentBlock,
      signature,
      token,
      tokenSignature: parsed.value.signature,
      tokenExpiryBlock: parsed.value.expiryBlock,
    },
  };
}

/** Prepaid-call payment headers, parsed (Go `escrow/prepaid_handler.go`). */
export interface PrepaidPaymentHeaders {
  readonly channelId: bigint;
  /** The JWT from `TokenService.GetToken` (UTF-8 text of the `-bin` header bytes). */
  readonly token: string;
}

const utf8 = new TextDecoder();

/**
 * The `prepaid-call` headers in the reference's order — channel id, then the token
 * (Go `escrow/prepaid_handler.go`). The nonce header the SDKs also send is not read, like the reference.
 */
export function parsePrepaidPaymentHeaders(headers: HeaderMap): ParseResult<PrepaidPaymentHeaders> {
  const channelId = parseUint256Header(headers, HEADER_CHANNEL_ID);
  if (!channelId.ok) return channelId;
  const token = parseBinaryHeader(headers, HEADER_PREPAID_AUTH_TOKEN_BIN);
  if (!token.ok) return token;
  return { ok: true, value: { channelId: channelId.value, token: utf8.decode(token.value) } };
}
