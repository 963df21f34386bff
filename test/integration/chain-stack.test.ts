import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LEGACY_LOCAL_ADDRESSES } from '../../src/devnet/index.ts';
import { encodePacked, keccak256 } from 'viem';
import { mpeAbi } from '../../src/blockchain/index.ts';
import { DEV_ROLES, devAccount, devGroupId, startTestChain, type TestChain } from '../harness/chain.ts';

void describe('dev chain harness (hardhat node + npm contracts + local IPFS)', () => {
  let chain: TestChain;
  before(async () => {
    chain = await startTestChain();
  });
  after(async () => {
    await chain?.stop();
  });
  beforeEach(async () => {
    await chain.reset();
  });

  void it('behavior: deploys the contracts at the legacy snet local addresses', () => {
    assert.equal(chain.chainId, 31337);
    assert.equal(chain.contracts.token, LEGACY_LOCAL_ADDRESSES.token);
    assert.equal(chain.contracts.mpe, LEGACY_LOCAL_ADDRESSES.mpe);
    assert.equal(chain.contracts.registry, LEGACY_LOCAL_ADDRESSES.registry);
  });

  void it('behavior: opens a channel and reverts it away on reset', async () => {
    const recipient = devAccount(DEV_ROLES.owner).address;
    const channelId = await chain.actions.openChannel({ recipient, groupId: devGroupId('g').hex, valueCogs: 1000n, expiration: 10_000n });
    assert.equal(channelId, 0n);
    const read = () => chain.clients.publicClient.readContract({ address: chain.contracts.mpe, abi: mpeAbi, functionName: 'channels', args: [0n] });
    assert.equal((await read())[5], 1000n);
    await chain.reset();
    assert.equal((await read())[5], 0n);
  });

  void it('behavior: the recipient claims with the signer\'s payment signature', async () => {
    const recipient = devAccount(DEV_ROLES.owner).address;
    const signer = devAccount(DEV_ROLES.signer);
    const channelId = await chain.actions.openChannel({ recipient, signer: signer.address, groupId: devGroupId('g').hex, valueCogs: 1000n, expiration: 10_000n });
    const message = keccak256(encodePacked(['string', 'address', 'uint256', 'uint256', 'uint256'], ['__MPE_claim_message', chain.contracts.mpe, channelId, 0n, 300n]));
    const signature = await signer.account.signMessage({ message: { raw: message } });
    await chain.actions.claim({ recipientIndex: DEV_ROLES.owner, channelId, actualCogs: 300n, plannedCogs: 300n, signature });
    const [nonce, , , , , value] = await chain.clients.publicClient.readContract({ address: chain.contracts.mpe, abi: mpeAbi, functionName: 'channels', args: [channelId] });
    assert.deepEqual([nonce, value], [1n, 700n]);
  });

  void it('behavior: hardhat_mine advances the block number', async () => {
    const before = await chain.blockNumber();
    await chain.mine(100n);
    assert.equal(await chain.blockNumber(), before + 100n);
  });

  void it('behavior: IPFS add then cat returns the same bytes', async () => {
    const published = await chain.publishJson({ hello: 'world', big: 123456789012345678901234567890n });
    assert.match(published.cid, /^Qm/);
    const response = await fetch(`${chain.ipfs.url}/api/v0/cat?arg=${published.cid}`, { method: 'POST' });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.equal(text, new TextDecoder().decode(published.bytes));
    assert.match(text, /"big": 123456789012345678901234567890/);
  });
});
