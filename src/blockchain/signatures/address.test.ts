import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressToBytes, addressesEqual, isHexAddress, parseAddress, toChecksumAddress } from './address.ts';

// The examples of EIP-55 itself (https://eips.ethereum.org/EIPS/eip-55, "Test Cases").
const EIP55 = [
  '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
  '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
  '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
  '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
  '0x52908400098527886E0F7030069857D2E4169EE7',
  '0xde709f2102306220921060314715629080e2fb77',
];

void describe('toChecksumAddress()', () => {
  for (const expected of EIP55) {
    void it(`behavior: EIP-55 test case ${expected}`, () => {
      assert.equal(toChecksumAddress(expected.toLowerCase()), expected);
      assert.equal(toChecksumAddress(expected.toUpperCase().replace('0X', '0x')), expected);
      assert.equal(toChecksumAddress(addressToBytes(expected)), expected);
    });
  }
  void it('error: throws a TypeError for a non-address', () => {
    assert.throws(() => toChecksumAddress('0x1234'), TypeError);
    assert.throws(() => toChecksumAddress(new Uint8Array(19)), TypeError);
  });
});

void describe('isHexAddress() / parseAddress()', () => {
  void it('behavior: accepts 40 hex digits with or without 0x, any case (go-ethereum IsHexAddress)', () => {
    assert.equal(isHexAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'), true);
    assert.equal(isHexAddress('5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'), true);
    assert.equal(isHexAddress('0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED'), true);
    assert.equal(parseAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed')?.length, 20);
  });
  for (const bad of ['', '0x', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg', ' 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed']) {
    void it(`error: rejects ${JSON.stringify(bad)}`, () => {
      assert.equal(isHexAddress(bad), false);
      assert.equal(parseAddress(bad), undefined);
    });
  }
});

void describe('addressesEqual()', () => {
  void it('behavior: compares the 20 bytes, ignoring case and checksum', () => {
    assert.equal(addressesEqual('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', '5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'), true);
    assert.equal(addressesEqual('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359'), false);
  });
});
