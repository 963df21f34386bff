// Public surface of the payments domain (what is ready): payment metadata names and pure parsers,
// the PaymentError catalogue with the reference's client-visible texts, and pricing.
// Wire status per code: README.md in this folder.
export * from './escrow/headers.ts';
export {
  decodeBase64,
  getSingleHeader,
  headerMapFromRawPairs,
  parseBinaryHeader,
  parseCurrentBlockHeader,
  parseDecimalUint256,
  parseEscrowPaymentHeaders,
  parseFreeCallPaymentHeaders,
  parseMpeAddressHeader,
  parsePaymentType,
  parsePrepaidPaymentHeaders,
  parseUint256Header,
  type EscrowPaymentHeaders,
  type FreeCallPaymentHeaders,
  type HeaderMap,
  type HeaderValue,
  type ParseResult,
  type PrepaidPaymentHeaders,
} from './escrow/payment-headers.ts';
export {
  PaymentError,
  amountMismatchError,
  blockUnavailableError,
  channelExpiredError,
  channelLockFailedError,
  channelNotFoundError,
  channelReadFailedError,
  commitFailedError,
  concurrentCallError,
  freeCallTokenInvalidError,
  headerInvalidError,
  headerMissingError,
  headerRepeatedError,
  insufficientFundsError,
  mpeAddressInvalidError,
  nonceMismatchError,
  paymentTypeUnknownError,
  paymentTypeUnsupportedError,
  trainCallUnimplementedError,
  userNotAllowedError,
  priceUndefinedError,
  prepaidTokenInvalidError,
  usageExceededError,
  serviceRejectedError,
  signatureInvalidError,
  wrongGroupError,
  wrongRecipientError,
  wrongSignerError,
  type PaymentErrorCode,
} from './payment-error.ts';
export * from './pricing/index.ts';
export type { AcceptedPayment, PaymentHandler } from './payment-handler.ts';
export { createPaymentDispatcher, type PaymentHandlers } from './payment-dispatcher.ts';
export { createAllowedUserHandler, type AllowedUserHandlerOptions } from './curation/allowed-user-handler.ts';
export {
  channelStateVersion,
  decodeChannelState,
  decodeClaimRecord,
  encodeChannelState,
  encodeClaimRecord,
  settleExpired,
  type ChainChannelView,
  type ChannelReader,
  type ChannelState,
  type ClaimRecord,
  type PendingPayment,
} from './escrow/channel-state.ts';
export {
  channelFromChain,
  createChannelRepository,
  serviceRejected,
  type ChainReadResult,
  type ChannelRepository,
  type ChannelRepositoryDeps,
  type ChannelRepositoryOptions,
  type MergedChannel,
  type StoredChannel,
} from './escrow/channel-repository.ts';
export {
  channelExposure,
  unclaimedOf,
  watchChannelExposure,
  type ChannelExposure,
  type ChannelExposureWatchOptions,
  type ChannelNearExpiry,
} from './escrow/channel-exposure.ts';
export {
  createEscrowPaymentHandler,
  type EscrowPaymentHandler,
  type EscrowPaymentHandlerDeps,
  type EscrowPaymentHandlerOptions,
  type Reservation,
} from './escrow/escrow-payment-handler.ts';
export {
  goFreeCallUserDataCodec,
  goPaymentChannelDataCodec,
  goPaymentCodec,
  goPrePaidDataCodec,
  type GoFreeCallUserData,
  type GoPayment,
  type GoPaymentChannelData,
  type GoPrePaidData,
} from './go-state/go-values.ts';
export type { GobStructCodec } from './go-state/gob-struct-codec.ts';
export { channelKeyLayout, type ChannelKeyLayout } from './go-state/go-channel-keys.ts';
export { channelFromGo, channelToGo, claimFromGo, claimToGo } from './go-state/go-channel-mapping.ts';
export { createGoChannelRepository, encodeGoChannel, sameChannel, type GoChannelRepositoryDeps } from './go-state/go-channel-repository.ts';
export {
  exportChannelsToGo,
  importChannelsFromGo,
  type ChannelMigrationAction,
  type ChannelMigrationOutcome,
  type ClaimMigrationAction,
  type ClaimMigrationOutcome,
  type GoMigrationOptions,
  type GoMigrationReport,
} from './go-state/go-migration.ts';
export { goUsageKeyLayout, signerHexOfSentAddress, type GoFreeCallKeyParts, type GoPrepaidKind, type GoUsageKeyLayout } from './go-state/go-usage-keys.ts';
export {
  exportUsageToGo,
  importUsageFromGo,
  usageSettled,
  type FreeCallMigrationOutcome,
  type GoUsageMigrationOptions,
  type GoUsageMigrationReport,
  type PrepaidMigrationOutcome,
  type UsageMigrationAction,
} from './go-state/go-usage-migration.ts';
export * from './prepaid/index.ts';
export {
  freeCallBalanceError,
  freeCallBusyError,
  freeCallLimitError,
  freeCallRefusalError,
  freeCallStorageError,
  type FreeCallRefusal,
} from './free-call/free-call-errors.ts';
export {
  createFreeCallAllowance,
  freeCallsAvailable,
  UNLIMITED_FREE_CALLS,
  UNLIMITED_FREE_CALLS_REPORTED,
  type FreeCallAllowance,
  type FreeCallLimitSetting,
} from './free-call/free-call-allowance.ts';
export { decodeFreeCallState, encodeFreeCallState, freeCallStateVersion, type FreeCallState } from './free-call/free-call-state.ts';
export { createFreeCallCounters, type FreeCallCounters, type FreeCallCountersOptions, type FreeCallUser, type StoredFreeCallCounter } from './free-call/free-call-counters.ts';
export {
  createFreeCallVerifier,
  isRefusal as isFreeCallRefusal,
  type FreeCallVerifier,
  type FreeCallVerifierDeps,
  type FreeCallVerifierOptions,
  type LegacyFreeCallFields,
  type V6FreeCallFields,
  type VerifiedFreeCall,
} from './free-call/free-call-verifier.ts';
export { freeCallProtocolOf, parseLegacyFreeCallHeaders, type FreeCallProtocol } from './free-call/free-call-headers.ts';
export {
  createFreeCallPaymentHandler,
  type FreeCallPaymentHandlerDeps,
  type FreeCallPaymentHandlerOptions,
  type FreeCallReservation,
} from './free-call/free-call-payment-handler.ts';
