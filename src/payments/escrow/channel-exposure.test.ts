import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSilentLogger } from '../../shared/index.ts';
import { createMemoryStore } from '../../storage/index.ts';
import { channelExposure, unclaimedOf, watchChannelExposure, type ChannelExposure } from './channel-exposure.ts';
import { createChannelRepository } from './channel-repository.ts';
import { encodeChannelState, type ChannelState } from './channel-state.ts';

const ADDRESS = '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23';

const channel = (channelId: bigint, overrides: Partial<ChannelState> = {}): ChannelState => ({
  channelId,
  nonce: 0n,
  sender: ADDRESS,
  signer: ADDRESS,
  recipient: ADDRESS,
  groupId: `0x${'07'.repeat(32)}`,
  fullAmount: 1000n,
  expiration: 1000n,
  authorizedAmount: 0n,
  signature: undefined,
  pending: undefined,
  ...overrides,
});

describe('channelExposure()', () => {
  it('behavior: sums the committed signed amounts and lists the channels within the threshold that hold some', () => {
    const exposure = channelExposure(
      [
        channel(5n, { authorizedAmount: 30n, expiration: 1100n }), // 100 blocks left = threshold: near
        channel(2n, { authorizedAmount: 7n, expiration: 1101n }), // 101 left: not near
        channel(3n, { authorizedAmount: 0n, expiration: 1001n }), // near but nothing to lose
        channel(4n, { authorizedAmount: 11n, expiration: 990n }), // already expired: near, negative blocks left
      ],
      1000n,
      100n,
    );
    assert.equal(exposure.unclaimedCogs, 48n);
    assert.deepEqual(exposure.nearExpiry, [
      { channelId: 4n, unclaimedCogs: 11n, blocksLeft: -10n },
      { channelId: 5n, unclaimedCogs: 30n, blocksLeft: 100n },
    ]);
  });

  it('behavior: a reservation in flight counts with the amount committed before it', () => {
    const reserved = channel(1n, { authorizedAmount: 50n, pending: { previousAmount: 40n, previousSignature: undefined, leaseUntilMs: 0, owner: 'ab' } });
    assert.equal(unclaimedOf(reserved), 40n);
    assert.equal(channelExposure([], 0n, 100n).unclaimedCogs, 0n);
  });
});

describe('watchChannelExposure()', () => {
  it('behavior: scans the stored records periodically with the current block and reports; a failing chain reports nothing', async () => {
    const store = createMemoryStore();
    let block = 900n;
    let chainDown = false;
    const reader = {
      getChannel: () => Promise.resolve(undefined),
      getBlockNumber: () => (chainDown ? Promise.reject(new Error('down')) : Promise.resolve(block)),
    };
    const repository = createChannelRepository({ store, chain: reader }, { mpePrefix: 'p', groupId: new Uint8Array(32).fill(7), recipient: ADDRESS });
    await store.put(repository.channelKey(1n), encodeChannelState(channel(1n, { authorizedAmount: 25n, expiration: 1000n })));
    const reports: ChannelExposure[] = [];
    const stop = watchChannelExposure({ repository, chain: reader, logger: createSilentLogger() }, { periodMs: 5, thresholdBlocks: 50n, report: (e) => reports.push(e) });
    try {
      while (reports.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(reports[0], { unclaimedCogs: 25n, nearExpiry: [] });
      block = 960n;
      const seen = reports.length;
      while (reports.length === seen) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(reports.at(-1), { unclaimedCogs: 25n, nearExpiry: [{ channelId: 1n, unclaimedCogs: 25n, blocksLeft: 40n }] });
      chainDown = true;
      await new Promise((resolve) => setTimeout(resolve, 30));
      const during = reports.length;
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.equal(reports.length, during, 'no report while the scan fails');
    } finally {
      stop();
      await store.close();
    }
  });
});
