// Wire names of the payment metadata (gRPC headers), Go `handler/stream_interceptor.go`.
// Names are lower-case, as HTTP/2 requires. Integers are ASCII decimal;
// `-bin` headers carry base64 on the wire (padded or not) and are bytes after decoding.

/** Selects the payment handler: {@link PAYMENT_TYPES}. Absent (or no value) = `escrow`; only the first value counts. */
export const HEADER_PAYMENT_TYPE = 'snet-payment-type';

/** Escrow/train: channel id, decimal uint256. Prepaid: the same. */
export const HEADER_CHANNEL_ID = 'snet-payment-channel-id';
/** Escrow/train: the channel nonce the client signed, decimal uint256. Sent but not read in prepaid calls. */
export const HEADER_CHANNEL_NONCE = 'snet-payment-channel-nonce';
/** Escrow/train: the **cumulative** amount authorised for this channel and nonce (not the call price), decimal cogs, uint256. */
export const HEADER_CHANNEL_AMOUNT = 'snet-payment-channel-amount';
/** Escrow/train/free-call: the 65-byte signature `r ‖ s ‖ v` (v ∈ {0,1,27,28}), binary header. */
export const HEADER_CHANNEL_SIGNATURE_BIN = 'snet-payment-channel-signature-bin';
/**
 * The MPE contract as hex address. snet-cli sends it, the SDKs do not; ignored when the blockchain is
 * enabled (the metadata's `mpe_address` is used), required by the allowed-user (curation) handler.
 */
export const HEADER_MPE_ADDRESS = 'snet-payment-mpe-address';

/** Free call: the user's address, **exactly as it was signed** (string). */
export const HEADER_FREE_CALL_USER_ADDRESS = 'snet-free-call-user-address';
/** Free call: optional user id (e-mail) for trusted signers; missing or repeated is read as `""`. */
export const HEADER_FREE_CALL_USER_ID = 'snet-free-call-user-id';
/** Free call: the client's current block, decimal. */
export const HEADER_CURRENT_BLOCK_NUMBER = 'snet-current-block-number';
/** Free call: the token from `GetFreeCallToken`, `sig65 ‖ "_" ‖ decimal(expiry block)`, binary header. */
export const HEADER_FREE_CALL_AUTH_TOKEN_BIN = 'snet-free-call-auth-token-bin';
/** Free call, pre-v6 npm SDK only: the token expiry block, decimal. The v6 reference ignores it. */
export const HEADER_FREE_CALL_TOKEN_EXPIRY_BLOCK = 'snet-free-call-token-expiry-block';

/** Prepaid call: UTF-8 bytes of the JWT returned by `TokenService.GetToken`, binary header. */
export const HEADER_PREPAID_AUTH_TOKEN_BIN = 'snet-prepaid-auth-token-bin';

/** Train call: the model id (string), needed for `/upload_and_validate` and unary `train_model`/`validate_model`. */
export const HEADER_TRAIN_MODEL_ID = 'snet-train-model-id';

/** Set by the daemon on the call forwarded to the service: the authenticated sender, EIP-55 (overrides any client value). */
export const HEADER_USER_ADDRESS = 'snet-user-address';
/** Set by the daemon on the forwarded call: `streamIntercept` (or `unaryIntercept`). */
export const HEADER_DAEMON_DEBUG = 'snet-daemon-debug';

/** Informational (metering only): the client kind. */
export const HEADER_CLIENT_TYPE = 'snet-client-type';
/** Informational (metering only): free-form user info. */
export const HEADER_USER_INFO = 'snet-user-info';
/** Informational (metering only). */
export const HEADER_USER_AGENT = 'user-agent';
/** Declared by the reference but never used; listed so nobody re-invents it. */
export const HEADER_DERIVED_DYNAMIC_PRICE_COST = 'snet-derived-dynamic-price-cost';

/** The `snet-payment-type` values with a handler when the blockchain is enabled. */
export const PAYMENT_TYPES = ['escrow', 'free-call', 'prepaid-call', 'train-call'] as const;

/** A `snet-payment-type` value this daemon serves. */
export type PaymentType = (typeof PAYMENT_TYPES)[number];
