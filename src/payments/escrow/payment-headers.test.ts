import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaymentError } from '../payment-error.ts';
import {
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
  type HeaderMap,
  type ParseResult,
} from './payment-headers.ts';

const MAX = (1n << 256n) - 1n;
const SIG = Uint8Array.from({ length: 65 }, (_, i) => i + 1);
const SIG_B64 = Buffer.from(SIG).toString('base64');
const VALID: HeaderMap = {
  'snet-payment-type': 'escrow',
  'snet-payment-channel-id': '42',
  'snet-payment-channel-nonce': '3',
  'snet-payment-channel-amount': '1000',
  'snet-payment-channel-signature-bin': SIG_B64,
};

function errorOf<T>(result: ParseResult<T>): PaymentError {
  assert.equal(result.ok, false, 'expected a parse error');
  if (result.ok) throw new Error('unreachable');
  return result.error;
}

void describe('getSingleHeader()', () => {
  void it('behavior: returns the one value', () => {
    assert.deepEqual(getSingleHeader({ k: 'v' }, 'k'), { ok: true, value: 'v' });
    assert.deepEqual(getSingleHeader({ k: ['v'] }, 'k'), { ok: true, value: 'v' });
    assert.deepEqual(getSingleHeader({ k: '' }, 'k'), { ok: true, value: '' });
  });
  void it('error: missing "<key>" when absent, undefined or an empty list', () => {
    for (const headers of [{}, { k: undefined }, { k: [] }] as HeaderMap[]) {
      const error = errorOf(getSingleHeader(headers, 'k'));
      assert.equal(error.code, 'PAYMENT_HEADER_MISSING');
      assert.equal(error.message, 'missing "k"');
    }
  });
  void it('error: too many values for key "<key>": [v1 v2] (Go %v of a slice) for arrays and node\'s ", "-joined repeats', () => {
    for (const headers of [{ k: ['1', '2'] }, { k: '1, 2' }, headerMapFromRawPairs(['k', '1', 'K', '2'])] as HeaderMap[]) {
      const error = errorOf(getSingleHeader(headers, 'k'));
      assert.equal(error.code, 'PAYMENT_HEADER_REPEATED');
      assert.equal(error.message, 'too many values for key "k": [1 2]');
    }
  });
});

void describe('parseDecimalUint256()', () => {
  const accepted: [string, bigint][] = [
    ['0', 0n],
    ['1', 1n],
    ['31415', 31415n],
    ['9007199254740993', 9007199254740993n], // 2^53 + 1: no float rounding
    ['010', 10n], // leading zero is decimal, never octal (docs/payments.md "Headers"; Go reads 8)
    ['0000', 0n],
    [MAX.toString(), MAX],
    [`000${MAX}`, MAX],
  ];
  for (const [text, value] of accepted) {
    void it(`behavior: "${text.length > 20 ? `${text.slice(0, 20)}…` : text}" → ${value > 10n ** 20n ? 'big' : value}`, () => {
      assert.equal(parseDecimalUint256(text), value);
    });
  }
  const rejected = ['', '-1', '+1', '0x10', '0X10', '0b1', '0o7', '1_000', ' 1', '1 ', '1.0', '1e3', '١', 'abc', (MAX + 1n).toString(), '9'.repeat(79), '0'.repeat(300)];
  for (const text of rejected) {
    void it(`error: rejects ${JSON.stringify(text.length > 24 ? `${text.slice(0, 24)}…` : text)}`, () => {
      assert.equal(parseDecimalUint256(text), undefined);
    });
  }
});

void describe('parseUint256Header()', () => {
  void it('error: incorrect format "<key>": "<value>" for a negative, hex or too large value', () => {
    for (const value of ['-5', '0x10', (MAX + 1n).toString()]) {
      const error = errorOf(parseUint256Header({ 'snet-payment-channel-nonce': value }, 'snet-payment-channel-nonce'));
      assert.equal(error.code, 'PAYMENT_HEADER_INVALID');
      assert.equal(error.message, `incorrect format "snet-payment-channel-nonce": "${value}"`);
    }
  });
  void it('error: a hostile 10 kB value is echoed cut short', () => {
    const error = errorOf(parseUint256Header({ n: 'x'.repeat(10_000) }, 'n'));
    assert.equal(error.message, `incorrect format "n": "${'x'.repeat(256)}…"`);
  });
});

void describe('decodeBase64()', () => {
  void it('behavior: padded and unpadded standard base64 (gRPC -bin rule)', () => {
    assert.deepEqual(decodeBase64(SIG_B64), SIG);
    assert.deepEqual(decodeBase64(SIG_B64.replace(/=+$/, '')), SIG);
    assert.deepEqual(decodeBase64('AQ=='), Uint8Array.of(1));
    assert.deepEqual(decodeBase64('AQ'), Uint8Array.of(1));
    assert.deepEqual(decodeBase64('AQI='), Uint8Array.of(1, 2));
    assert.deepEqual(decodeBase64('AQI'), Uint8Array.of(1, 2));
    assert.deepEqual(decodeBase64(''), new Uint8Array());
  });
  for (const bad of ['A', 'AQ=', 'A===', 'AQ==AQ==', '=AQ', 'AQ-_', 'AQ ==', 'A Q=', '*', 'AQIDBA=']) {
    void it(`error: rejects ${JSON.stringify(bad)}`, () => {
      assert.equal(decodeBase64(bad), undefined);
    });
  }
  void it('behavior: the result is a plain Uint8Array copy, not a view into node\'s Buffer pool', () => {
    const bytes = decodeBase64('AQI=');
    assert.ok(bytes !== undefined && !Buffer.isBuffer(bytes) && bytes.buffer.byteLength === 2);
  });
});

void describe('parseBinaryHeader()', () => {
  void it('behavior: decodes the signature header', () => {
    assert.deepEqual(parseBinaryHeader(VALID, 'snet-payment-channel-signature-bin'), { ok: true, value: SIG });
  });
  void it('behavior: comma-joined -bin values count as repeats', () => {
    const error = errorOf(parseBinaryHeader({ 'x-bin': 'AQ,Ag' }, 'x-bin'));
    assert.equal(error.message, 'too many values for key "x-bin": [AQ Ag]');
  });
  void it('error: incorrect format for invalid base64', () => {
    const error = errorOf(parseBinaryHeader({ 'x-bin': 'A' }, 'x-bin'));
    assert.equal(error.message, 'incorrect format "x-bin": "A"');
  });
  void it('error: a key without -bin is a caller bug and throws', () => {
    assert.throws(() => parseBinaryHeader({}, 'snet-payment-channel-signature'), /incorrect binary key name "snet-payment-channel-signature"/);
  });
});

void describe('parsePaymentType()', () => {
  void it('behavior: absent or empty list → the default (escrow, or train-call for unary train_model)', () => {
    assert.deepEqual(parsePaymentType({}), { ok: true, value: 'escrow' });
    assert.deepEqual(parsePaymentType({ 'snet-payment-type': [] }), { ok: true, value: 'escrow' });
    assert.deepEqual(parsePaymentType({}, 'train-call'), { ok: true, value: 'train-call' });
  });
  void it('behavior: each known type, and only the first value counts', () => {
    for (const type of ['escrow', 'free-call', 'prepaid-call', 'train-call'] as const) {
      assert.deepEqual(parsePaymentType({ 'snet-payment-type': type }), { ok: true, value: type });
    }
    assert.deepEqual(parsePaymentType({ 'snet-payment-type': ['free-call', 'nonsense'] }), { ok: true, value: 'free-call' });
  });
  void it('error: unexpected "snet-payment-type", value: "<v>" (case-sensitive)', () => {
    for (const value of ['Escrow', 'paid', '', 'constructor', '__proto__']) {
      const error = errorOf(parsePaymentType({ 'snet-payment-type': value }));
      assert.equal(error.code, 'PAYMENT_TYPE_UNKNOWN');
      assert.equal(error.message, `unexpected "snet-payment-type", value: "${value}"`);
    }
  });
});

void describe('parseMpeAddressHeader()', () => {
  void it('behavior: any-case hex address, 0x optional', () => {
    for (const value of ['0x5e592F9b1d303183d963635f895f0f0C48284f4e', '5e592f9b1d303183d963635f895f0f0c48284f4e']) {
      assert.deepEqual(parseMpeAddressHeader({ 'snet-payment-mpe-address': value }), { ok: true, value });
    }
  });
  void it('error: the allowed-user handler text for a non-address, missing when absent', () => {
    const error = errorOf(parseMpeAddressHeader({ 'snet-payment-mpe-address': '0x1234' }));
    assert.equal(error.code, 'PAYMENT_HEADER_INVALID');
    assert.equal(error.message, 'Address is not a valid Hex address "snet-payment-mpe-address": 0x1234');
    assert.equal(errorOf(parseMpeAddressHeader({})).message, 'missing "snet-payment-mpe-address"');
  });
});

void describe('parseCurrentBlockHeader()', () => {
  void it('behavior: decimal block number', () => {
    assert.deepEqual(parseCurrentBlockHeader({ 'snet-current-block-number': '21000000' }), { ok: true, value: 21000000n });
  });
  void it('error: missing / incorrect format', () => {
    assert.equal(errorOf(parseCurrentBlockHeader({})).message, 'missing "snet-current-block-number"');
    assert.equal(errorOf(parseCurrentBlockHeader({ 'snet-current-block-number': '-1' })).message, 'incorrect format "snet-current-block-number": "-1"');
  });
});

void describe('parseEscrowPaymentHeaders()', () => {
  void it('behavior: parses the npm SDK\'s escrow call', () => {
    assert.deepEqual(parseEscrowPaymentHeaders({ ...VALID, 'user-agent': 'grpc-node-js/1.14.7' }), {
      ok: true,
      value: { channelId: 42n, nonce: 3n, amount: 1000n, signature: SIG },
    });
  });
  void it('behavior: keeps snet-cli\'s snet-payment-mpe-address when it is one hex address, ignores it otherwise', () => {
    const mpe = '0x5e592F9b1d303183d963635f895f0f0C48284f4e';
    const withMpe = parseEscrowPaymentHeaders({ ...VALID, 'snet-payment-mpe-address': mpe });
    assert.ok(withMpe.ok && withMpe.value.mpeAddress === mpe);
    const badMpe = parseEscrowPaymentHeaders({ ...VALID, 'snet-payment-mpe-address': 'nonsense' });
    assert.ok(badMpe.ok && !('mpeAddress' in badMpe.value));
  });
  void it('behavior: a signature of the wrong length parses (it fails later as "payment signature is not valid", like Go)', () => {
    const result = parseEscrowPaymentHeaders({ ...VALID, 'snet-payment-channel-signature-bin': 'AQID' });
    assert.ok(result.ok && result.value.signature.length === 3);
  });
  void it('error: reports the first problem in the reference order id → nonce → amount → signature', () => {
    const { 'snet-payment-channel-id': _id, ...noId } = VALID;
    const { 'snet-payment-channel-nonce': _nonce, ...noNonce } = VALID;
    const { 'snet-payment-channel-amount': _amount, ...noAmount } = VALID;
    const { 'snet-payment-channel-signature-bin': _sig, ...noSig } = VALID;
    assert.equal(errorOf(parseEscrowPaymentHeaders({})).message, 'missing "snet-payment-channel-id"');
    assert.equal(errorOf(parseEscrowPaymentHeaders(noId)).message, 'missing "snet-payment-channel-id"');
    assert.equal(errorOf(parseEscrowPaymentHeaders(noNonce)).message, 'missing "snet-payment-channel-nonce"');
    assert.equal(errorOf(parseEscrowPaymentHeaders({ ...noNonce, 'snet-payment-channel-amount': 'x' })).message, 'missing "snet-payment-channel-nonce"');
    assert.equal(errorOf(parseEscrowPaymentHeaders(noAmount)).message, 'missing "snet-payment-channel-amount"');
    assert.equal(errorOf(parseEscrowPaymentHeaders(noSig)).message, 'missing "snet-payment-channel-signature-bin"');
    assert.equal(
      errorOf(parseEscrowPaymentHeaders({ ...VALID, 'snet-payment-channel-amount': '-1000' })).message,
      'incorrect format "snet-payment-channel-amount": "-1000"',
    );
  });
});

const TOKEN = Uint8Array.from([...Uint8Array.from({ length: 65 }, (_, i) => (i === 10 ? 0x5f : 200)), ...Buffer.from('_21172800')]);
const FREE_CALL: HeaderMap = {
  'snet-payment-type': 'free-call',
  'snet-free-call-user-address': '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23',
  'snet-current-block-number': '21000000',
  'snet-payment-channel-signature-bin': SIG_B64,
  'snet-free-call-auth-token-bin': Buffer.from(TOKEN).toString('base64'),
};

void describe('parseFreeCallPaymentHeaders()', () => {
  void it('behavior: parses the Python SDK\'s v6 free call, splitting the token on its last "_"', () => {
    const result = parseFreeCallPaymentHeaders({ ...FREE_CALL, 'snet-free-call-user-id': 'user@example.com' });
    assert.ok(result.ok);
    assert.equal(result.value.userId, 'user@example.com');
    assert.equal(result.value.userAddress, '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23');
    assert.equal(result.value.currentBlock, 21000000n);
    assert.deepEqual(result.value.signature, SIG);
    assert.deepEqual(result.value.token, TOKEN);
    assert.deepEqual(result.value.tokenSignature, TOKEN.slice(0, 65));
    assert.equal(result.value.tokenExpiryBlock, 21172800n);
  });
  void it('behavior: user id is "" when missing or repeated, and is never split on commas', () => {
    for (const userId of [undefined, ['a', 'b']]) {
      const result = parseFreeCallPaymentHeaders({ ...FREE_CALL, 'snet-free-call-user-id': userId });
      assert.ok(result.ok && result.value.userId === '');
    }
    const comma = parseFreeCallPaymentHeaders({ ...FREE_CALL, 'snet-free-call-user-id': 'Doe, John' });
    assert.ok(comma.ok && comma.value.userId === 'Doe, John');
  });
  void it('error: the pre-v6 npm SDK (no user address) gets missing "snet-free-call-user-address", as from Go', () => {
    const { 'snet-free-call-user-address': _address, ...legacy } = FREE_CALL;
    assert.equal(errorOf(parseFreeCallPaymentHeaders({ ...legacy, 'snet-free-call-token-expiry-block': '21172800' })).message, 'missing "snet-free-call-user-address"');
  });
  void it('error: reference order address → block → signature → token, then invalid token texts', () => {
    const { 'snet-current-block-number': _block, ...noBlock } = FREE_CALL;
    const { 'snet-payment-channel-signature-bin': _sig, ...noSig } = FREE_CALL;
    const { 'snet-free-call-auth-token-bin': _token, ...noToken } = FREE_CALL;
    assert.equal(errorOf(parseFreeCallPaymentHeaders({ ...noBlock, 'snet-free-call-auth-token-bin': undefined })).message, 'missing "snet-current-block-number"');
    assert.equal(errorOf(parseFreeCallPaymentHeaders(noSig)).message, 'missing "snet-payment-channel-signature-bin"');
    assert.equal(errorOf(parseFreeCallPaymentHeaders(noToken)).message, 'missing "snet-free-call-auth-token-bin"');
    const noUnderscore = errorOf(parseFreeCallPaymentHeaders({ ...FREE_CALL, 'snet-free-call-auth-token-bin': 'AQID' }));
    assert.equal(noUnderscore.code, 'PAYMENT_HEADER_INVALID');
    assert.equal(noUnderscore.message, "invalid token: no '_' found");
    const badBlock = Buffer.from([1, 2, 0x5f, ...Buffer.from('12x')]).toString('base64');
    assert.equal(errorOf(parseFreeCallPaymentHeaders({ ...FREE_CALL, 'snet-free-call-auth-token-bin': badBlock })).message, 'invalid token: invalid block number');
  });
});

void describe('parsePrepaidPaymentHeaders()', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJwYXlsb2FkIjoiNDIifQ.c2ln';
  void it('behavior: channel id and the JWT text of the -bin header (nonce header not read)', () => {
    assert.deepEqual(
      parsePrepaidPaymentHeaders({
        'snet-payment-type': 'prepaid-call',
        'snet-payment-channel-id': '42',
        'snet-payment-channel-nonce': 'not read',
        'snet-prepaid-auth-token-bin': Buffer.from(jwt).toString('base64'),
      }),
      { ok: true, value: { channelId: 42n, token: jwt } },
    );
  });
  void it('error: channel id first, then the token', () => {
    assert.equal(errorOf(parsePrepaidPaymentHeaders({})).message, 'missing "snet-payment-channel-id"');
    assert.equal(errorOf(parsePrepaidPaymentHeaders({ 'snet-payment-channel-id': '1' })).message, 'missing "snet-prepaid-auth-token-bin"');
  });
});
