import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAbiParameters, encodeEventTopics, type Log, type PublicClient } from 'viem';
import { SnetError } from '../errors/index.ts';
import { createSilentLogger } from '../shared/index.ts';
import { mpeAbi } from './contracts/abi.ts';
import { createEventWatcher, type ChainEvent } from './event-watcher.ts';

const MPE = '0x5C7a4290F6F8FF64c69eEffDFAFc8644A4Ec3a4E';
const REGISTRY = '0x4E74FefA82E83E0964f0D9f53c68e03f7298a8b2';

function addFundsLog(block: bigint, channelId: bigint, amount: bigint): Log {
  return {
    address: MPE,
    blockHash: `0x${'11'.repeat(32)}`,
    blockNumber: block,
    data: encodeAbiParameters([{ type: 'uint256' }], [amount]),
    logIndex: 0,
    removed: false,
    topics: encodeEventTopics({ abi: mpeAbi, eventName: 'ChannelAddFunds', args: { channelId } }) as Log['topics'],
    transactionHash: `0x${'22'.repeat(32)}`,
    transactionIndex: 0,
  };
}

void describe('createEventWatcher()', { timeout: 30_000 }, () => {
  void it('behavior: scans in bounded ranges; a failed poll is retried from the same block, nothing skipped', async () => {
    let head = 20n;
    const asked: [bigint, bigint][] = [];
    const served: [bigint, bigint][] = [];
    let failNext = false;
    const client = {
      getLogs: ({ fromBlock, toBlock }: { fromBlock: bigint; toBlock: bigint }) => {
        asked.push([fromBlock, toBlock]);
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('rate limited'));
        }
        served.push([fromBlock, toBlock]);
        const logs = [addFundsLog(5n, 1n, 10n), addFundsLog(12n, 2n, 20n), addFundsLog(23n, 3n, 30n), addFundsLog(25n, 4n, 40n)];
        return Promise.resolve(logs.filter((l) => l.blockNumber! >= fromBlock && l.blockNumber! <= toBlock));
      },
    } as unknown as PublicClient;
    const delivered: ChainEvent[] = [];
    const errors: SnetError[] = [];
    let wake: () => void = () => undefined;
    const watcher = createEventWatcher(
      { logger: createSilentLogger(), publicClient: client, getBlockNumber: () => Promise.resolve(head), classify: (err) => new SnetError('CHAIN_UNAVAILABLE', String(err)) },
      { mpeAddress: MPE, registryAddress: REGISTRY, pollIntervalMs: 1, maxBlockRange: 8n },
      {
        fromBlock: 1n,
        onEvents: (events) => {
          delivered.push(...events);
          wake();
        },
        onError: (e) => {
          errors.push(e);
          wake();
        },
      },
    );
    const until = (done: () => boolean): Promise<void> =>
      new Promise((resolve) => {
        wake = () => {
          if (done()) resolve();
        };
        wake();
      });
    try {
      await until(() => delivered.length >= 2);
      failNext = true;
      head = 25n;
      await until(() => delivered.length >= 4 && errors.length >= 1);
    } finally {
      await watcher.stop();
    }
    assert.equal(errors.length, 1);
    assert.deepEqual(delivered.map((e) => (e.kind === 'ChannelAddFunds' ? [e.channelId, e.additionalFunds] : [])), [[1n, 10n], [2n, 20n], [3n, 30n], [4n, 40n]]);
    // Served ranges are contiguous from block 1 to the head, none longer than maxBlockRange.
    let next = 1n;
    for (const [from, to] of served) {
      assert.equal(from, next);
      assert.ok(to - from + 1n <= 8n);
      next = to + 1n;
    }
    assert.equal(next, 26n);
    // The range that failed was asked again from the same block.
    const failed = asked.find((range) => !served.includes(range));
    assert.ok(failed !== undefined && served.some(([from]) => from === failed[0]));
    assert.equal(watcher.lastBlock(), 25n);
  });
});
