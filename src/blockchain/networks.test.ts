import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSnetError } from '../errors/index.ts';
import { lookupPackageAddress, resolveNetwork } from './networks.ts';

void describe('resolveNetwork()', () => {
  void it('behavior: local is first-class (31337, legacy local addresses)', () => {
    const net = resolveNetwork('local');
    assert.equal(net.chainId, 31337);
    assert.equal(net.rpcHttpUrl, 'http://127.0.0.1:8545');
    assert.equal(net.registryAddress, '0x4E74FefA82E83E0964f0D9f53c68e03f7298a8b2');
    assert.equal(net.mpeAddress, '0x5C7a4290F6F8FF64c69eEffDFAFc8644A4Ec3a4E');
  });
  void it('behavior: main and sepolia take addresses from the npm package (2.x nested format)', () => {
    const main = resolveNetwork('main', { rpcHttpUrl: 'https://rpc.example' });
    assert.equal(main.registryAddress, '0x247DEbEBB766E4fA99667265A158060018D5f4F8');
    assert.equal(main.mpeAddress, '0xdF8d4826E016aFA8803d94A716FEB70aD5D2B8Ac');
    assert.equal(main.tokenAddress, '0xaea46A60368A7bD060eec7DF8CBa43b7EF41Ad85');
    assert.equal(resolveNetwork('main', { rpcHttpUrl: 'https://rpc.example', deployment: { token: 'AGIX' } }).tokenAddress, '0x5B7533812759B45C2B44C19e320ba2cD2681b542');
    const sepolia = resolveNetwork('Sepolia', { rpcHttpUrl: 'https://rpc.example' });
    assert.equal(sepolia.chainId, 11155111);
    assert.equal(sepolia.registryAddress, '0x4DCc70c6FCE4064803f0ae0cE48497B3f7182e5D');
    assert.equal(sepolia.mpeAddress, '0x042d31F61c598eADcAc729B845406514521db520');
    assert.equal(sepolia.tokenAddress, '0x3A54192862D1c52C8175d4912f1f778d1E3C2449');
  });
  void it('args: explicit registry_address_key wins and is checksummed', () => {
    const net = resolveNetwork('main', { rpcHttpUrl: 'https://rpc.example', registryAddress: '0x4e74fefa82e83e0964f0d9f53c68e03f7298a8b2' });
    assert.equal(net.registryAddress, '0x4E74FefA82E83E0964f0D9f53c68e03f7298a8b2');
  });
  void it('behavior: flat truffle format is read too', () => {
    assert.equal(lookupPackageAddress({ '5': { address: '0xdd4292864063d0da1f294ac65d74d55a44f4766c' } }, 5, { token: 'FET', stage: 'prod' }), '0xdd4292864063d0DA1F294AC65D74d55a44F4766C');
  });
  void it('error: unknown network, missing RPC URL, bad address', () => {
    assert.throws(() => resolveNetwork('goerli'), (e) => isSnetError(e, 'CHAIN_NETWORK_UNKNOWN') && /unknown blockchain network "goerli"/.test(e.message));
    assert.throws(() => resolveNetwork('main'), (e) => isSnetError(e, 'CHAIN_NETWORK_UNKNOWN') && /needs an Ethereum JSON-RPC endpoint/.test(e.message));
    assert.throws(() => resolveNetwork('local', { registryAddress: '0x12' }), (e) => isSnetError(e, 'CHAIN_NETWORK_UNKNOWN'));
  });
});
