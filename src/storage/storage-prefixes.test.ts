import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildStoragePrefixes } from './storage-prefixes.ts';

const group = 'EoFmN3nvaXpf6ew8jJbIPVghE5NXfYupFF7PkRmVyGQ=';
const mpe = '0x5e592F9b1d303183d963635f895f0f0C48284f4e';

describe('buildStoragePrefixes()', () => {
  it('behavior: reproduces the reference keys with root ""', () => {
    const { base, mpe: mpePrefix } = buildStoragePrefixes({ network: 'sepolia', organizationId: 'my-org', groupIdBase64: group, mpeAddress: mpe, root: '' });
    assert.equal(base, `sepolia/my-org/${group}`);
    assert.equal(`${mpePrefix}//payment-channel/storage/{ID: 42}`, `sepolia/my-org/${group}/${mpe}//payment-channel/storage/{ID: 42}`);
  });

  it('behavior: defaults to the snetd-ts root and keeps "/" and "+" of the group id', () => {
    const { base } = buildStoragePrefixes({ network: 'sepolia', organizationId: 'o', groupIdBase64: 'a/b+c=', mpeAddress: mpe });
    assert.equal(base, 'snetd-ts/1/sepolia/o/a/b+c=');
  });

  it('error: empty parts and malformed addresses are refused', () => {
    assert.throws(() => buildStoragePrefixes({ network: '', organizationId: 'o', groupIdBase64: group, mpeAddress: mpe }), { code: 'STORAGE_INVALID_ARGUMENT' });
    assert.throws(() => buildStoragePrefixes({ network: 'n', organizationId: 'o', groupIdBase64: group, mpeAddress: '0x12' }), { code: 'STORAGE_INVALID_ARGUMENT' });
  });
});
