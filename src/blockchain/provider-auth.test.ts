import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { providerAuthHeaders, redactRpcUrl } from './provider-auth.ts';

void describe('providerAuthHeaders()', () => {
  void it('behavior: JWT → Bearer, infura → Basic, other → Bearer, none → no header', () => {
    assert.deepEqual(providerAuthHeaders('https://mainnet.infura.io/v3/x', 'aaa.bbb.ccc'), { Authorization: 'Bearer aaa.bbb.ccc' });
    assert.deepEqual(providerAuthHeaders('https://mainnet.infura.io/v3/x', 'secret'), { Authorization: `Basic ${Buffer.from(':secret').toString('base64')}` });
    assert.deepEqual(providerAuthHeaders('https://eth.example', 'secret'), { Authorization: 'Bearer secret' });
    assert.deepEqual(providerAuthHeaders('https://eth.example', ''), {});
    assert.deepEqual(providerAuthHeaders('https://eth.example', 'a..c'), { Authorization: 'Bearer a..c' });
  });
});

void describe('redactRpcUrl()', () => {
  void it('behavior: drops paths and userinfo that carry keys', () => {
    assert.equal(redactRpcUrl('https://mainnet.infura.io/v3/09027f4a13e841d48dbfefc67e7685d5'), 'https://mainnet.infura.io/…');
    assert.equal(redactRpcUrl('https://user:pw@node.example:8545'), 'https://node.example:8545/…');
    assert.equal(redactRpcUrl('http://127.0.0.1:8545'), 'http://127.0.0.1:8545');
  });
});
