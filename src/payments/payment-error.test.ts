// Pins every client-visible payment error text (like viem errors/address.test.ts): these are the
// Go daemon's texts (Go `handler/stream_interceptor.go`, `escrow/payment_channel_storage.go`, `escrow/validation.go`) and clients match on some of them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freeCallBalanceError, freeCallBusyError, freeCallLimitError, freeCallRefusalError, freeCallStorageError, signNotValid, TOKEN_EXPIRED } from './free-call/free-call-errors.ts';
import { errorCatalogue, isSnetError } from '../errors/index.ts';
import {
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
  prepaidTokenInvalidError,
  usageExceededError,
  userNotAllowedError,
  priceUndefinedError,
  serviceRejectedError,
  signatureInvalidError,
  wrongGroupError,
  wrongRecipientError,
  wrongSignerError,
} from './payment-error.ts';
import { dynamicPriceFailedError } from './pricing/index.ts';

const cases: [PaymentError, string, string][] = [
  [dynamicPriceFailedError('price estimate /p.S/estimate_m failed with status 13: boom'), 'PAYMENT_DYNAMIC_PRICE_FAILED', 'internal error: price estimate /p.S/estimate_m failed with status 13: boom'],
  [headerMissingError('snet-payment-channel-id'), 'PAYMENT_HEADER_MISSING', 'missing "snet-payment-channel-id"'],
  [headerRepeatedError('snet-payment-channel-nonce', ['1', '2']), 'PAYMENT_HEADER_REPEATED', 'too many values for key "snet-payment-channel-nonce": [1 2]'],
  [headerInvalidError('snet-payment-channel-amount', 'abc'), 'PAYMENT_HEADER_INVALID', 'incorrect format "snet-payment-channel-amount": "abc"'],
  [mpeAddressInvalidError('snet-payment-mpe-address', 'zz'), 'PAYMENT_HEADER_INVALID', 'Address is not a valid Hex address "snet-payment-mpe-address": zz'],
  [freeCallTokenInvalidError("no '_' found"), 'PAYMENT_HEADER_INVALID', "invalid token: no '_' found"],
  [paymentTypeUnknownError('paid'), 'PAYMENT_TYPE_UNKNOWN', 'unexpected "snet-payment-type", value: "paid"'],
  [channelLockFailedError(42n, new Error('etcd down')), 'PAYMENT_CHANNEL_LOCK_FAILED', 'cannot get mutex for channel: {ID: 42}'],
  [concurrentCallError(42n), 'PAYMENT_CONCURRENT_CALL', 'another transaction on channel: {ID: 42} is in progress'],
  [channelReadFailedError('cannot read channel state'), 'PAYMENT_CHANNEL_READ_FAILED', 'payment channel error: cannot read channel state'],
  [
    wrongRecipientError(),
    'PAYMENT_WRONG_RECIPIENT',
    'payment channel error: recipient Address from org metadata does not Match on what was retrieved from Channel',
  ],
  [
    wrongGroupError(Uint8Array.of(1, 2, 255), Uint8Array.of(0, 9)),
    'PAYMENT_WRONG_GROUP',
    'payment channel error: channel received belongs to another group of replicas, current group: [1 2 255], channel group: [0 9]',
  ],
  [channelNotFoundError(42n), 'PAYMENT_CHANNEL_NOT_FOUND', 'payment channel "{ID: 42}" not found'],
  [nonceMismatchError(4n, 3n), 'PAYMENT_NONCE_MISMATCH', 'incorrect payment channel nonce, latest: 4, sent: 3'],
  [signatureInvalidError(), 'PAYMENT_SIGNATURE_INVALID', 'payment signature is not valid'],
  [wrongSignerError(), 'PAYMENT_WRONG_SIGNER', 'payment is not signed by channel signer/sender'],
  [blockUnavailableError(), 'PAYMENT_BLOCK_UNAVAILABLE', 'cannot determine current block'],
  [
    channelExpiredError(1100n, 1000n, 100n),
    'PAYMENT_CHANNEL_EXPIRED',
    'payment channel is near to be expired, expiration time: 1100, current block: 1000, expiration threshold: 100',
  ],
  [
    insufficientFundsError(10n, 10000000000000000000001n),
    'PAYMENT_INSUFFICIENT_FUNDS',
    'not enough tokens on payment channel, channel amount: 10, payment amount: 10000000000000000000001',
  ],
  [amountMismatchError(-5n, 10n), 'PAYMENT_AMOUNT_MISMATCH', 'income -5 does not equal to price 10'],
  [priceUndefinedError('/pkg.Svc/m'), 'PAYMENT_PRICE_UNDEFINED', 'internal error: price is not defined for the Method /pkg.Svc/m'],
  [commitFailedError(new Error('disk full')), 'PAYMENT_COMMIT_FAILED', 'unable to store new payment channel state'],
  [
    paymentTypeUnsupportedError('free-call'),
    'PAYMENT_TYPE_UNSUPPORTED',
    'payment type "free-call" is not supported by this daemon; use "escrow" (pay per call on an MPE channel)',
  ],
  [
    trainCallUnimplementedError(),
    'PAYMENT_TYPE_UNIMPLEMENTED',
    'payment type "train-call" is not implemented: this daemon does not offer the training API (training.Daemon); call the service with escrow, prepaid-call or free-call payments',
  ],
  [userNotAllowedError('0x2c7536E3605D9C16a7a3D7b1898e529396a65c23'), 'PAYMENT_USER_NOT_ALLOWED', 'you are not Authorized to call this service during curation process'],
  [prepaidTokenInvalidError('token has invalid claims: token is expired'), 'PAYMENT_PREPAID_TOKEN_INVALID', 'internal error: token has invalid claims: token is expired'],
  [usageExceededError(7n), 'PAYMENT_USAGE_EXCEEDED', 'internal error: Usage Exceeded on channel Id 7'],
  [freeCallRefusalError(signNotValid('incorrect signature length')), 'PAYMENT_FREE_CALL_UNAUTHENTICATED', 'sign is not valid: incorrect signature length'],
  [freeCallRefusalError(TOKEN_EXPIRED), 'PAYMENT_FREE_CALL_EXPIRED', 'internal error: authentication failed as the Free Call Token passed has expired'],
  [freeCallLimitError(5, 5), 'PAYMENT_FREE_CALL_LIMIT', 'internal error: free call limit has been exceeded, calls made = 5, total free calls eligible = 5'],
  [freeCallBusyError('0xabc/'), 'PAYMENT_FREE_CALL_BUSY', 'another transaction on this user: {ID:0xabc/} is in progress'],
  [freeCallStorageError('0xabc/', new Error('etcd down')), 'PAYMENT_FREE_CALL_STORAGE_FAILED', 'cannot get mutex for user: {ID:0xabc/}'],
  [freeCallBalanceError(10n), 'PAYMENT_FREE_CALL_BALANCE_TOO_LOW', 'you must have at least 10 FET (ASI) in your balance to use free calls'],
  [serviceRejectedError('incorrect signature'), 'PAYMENT_SERVICE_REJECTED', 'incorrect signature'],
];

void describe('PaymentError factories', () => {
  for (const [error, code, message] of cases) {
    void it(`behavior: ${code}: ${message}`, () => {
      assert.ok(error instanceof PaymentError);
      assert.ok(isSnetError(error, error.code));
      assert.equal(error.name, 'PaymentError');
      assert.equal(error.code, code);
      assert.equal(error.message, message);
      assert.ok(errorCatalogue[error.code].fix.length > 0);
    });
  }
  void it('behavior: the cause is kept for logs but is not part of the message', () => {
    const cause = new Error('connection refused 10.0.0.7:2379');
    const error = channelLockFailedError(7n, cause);
    assert.equal(error.cause, cause);
    assert.doesNotMatch(error.message, /10\.0\.0\.7/);
  });
  void it('behavior: every PAYMENT_* catalogue code has a factory test above', () => {
    const catalogued = Object.keys(errorCatalogue).filter((code) => code.startsWith('PAYMENT_') && code !== 'PAYMENT_PRICING_INVALID');
    assert.deepEqual(new Set(cases.map(([, code]) => code)), new Set(catalogued));
  });
});
