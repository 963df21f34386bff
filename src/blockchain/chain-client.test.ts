import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRequestError, type PublicClient } from 'viem';
import { isSnetError } from '../errors/index.ts';
import { createSilentLogger } from '../shared/index.ts';
import { createChainClient } from './chain-client.ts';

const REGISTRY = '0x4E74FefA82E83E0964f0D9f53c68e03f7298a8b2';

/** A fake viem client whose getBlockNumber follows a script of results. */
function fakeClient(script: (() => Promise<bigint>)[]): { client: PublicClient; calls: () => number } {
  let calls = 0;
  const client = {
    getBlockNumber: () => {
      const step = script[Math.min(calls, script.length - 1)];
      calls++;
      return step!();
    },
  } as unknown as PublicClient;
  return { client, calls: () => calls };
}

const down = (): Promise<bigint> => Promise.reject(new HttpRequestError({ url: 'http://127.0.0.1:1/v3/secret', details: 'fetch failed' }));

void describe('createChainClient().getBlockNumber()', () => {
  void it('behavior: reuses the block number within the cache window; concurrent callers share one request', async () => {
    let now = 0;
    let head = 10n;
    const fake = fakeClient([() => Promise.resolve(head)]);
    const chain = createChainClient({ logger: createSilentLogger(), publicClient: fake.client, now: () => now }, { rpcHttpUrl: 'http://x', registryAddress: REGISTRY });
    const values = await Promise.all(Array.from({ length: 50 }, () => chain.getBlockNumber()));
    assert.deepEqual(new Set(values), new Set([10n]));
    assert.equal(fake.calls(), 1);
    now = 999;
    head = 11n;
    assert.equal(await chain.getBlockNumber(), 10n);
    assert.equal(fake.calls(), 1);
    now = 1000;
    assert.equal(await chain.getBlockNumber(), 11n);
    assert.equal(fake.calls(), 2);
  });

  void it('behavior: with blockNumberMaxStaleMs, a failed refresh answers the last known block while young enough', async () => {
    let now = 0;
    const fake = fakeClient([() => Promise.resolve(5n), down]);
    const chain = createChainClient(
      { logger: createSilentLogger(), publicClient: fake.client, now: () => now },
      { rpcHttpUrl: 'http://x', registryAddress: REGISTRY, readRetries: 0, blockNumberMaxStaleMs: 10_000 },
    );
    assert.equal(await chain.getBlockNumber(), 5n);
    now = 5_000;
    assert.equal(await chain.getBlockNumber(), 5n);
    assert.deepEqual(chain.lastKnownBlock(), { blockNumber: 5n, ageMs: 5_000 });
    now = 10_000;
    await assert.rejects(chain.getBlockNumber(), (e) => isSnetError(e, 'CHAIN_UNAVAILABLE'));
  });

  void it('behavior: retries transport failures, then succeeds', async () => {
    const fake = fakeClient([down, down, () => Promise.resolve(7n)]);
    const chain = createChainClient({ logger: createSilentLogger(), publicClient: fake.client }, { rpcHttpUrl: 'http://x', registryAddress: REGISTRY, readRetries: 3, retryBaseDelayMs: 1 });
    assert.equal(await chain.getBlockNumber(), 7n);
    assert.equal(fake.calls(), 3);
  });

  void it('error: CHAIN_UNAVAILABLE after the retries, without the URL path', async () => {
    const fake = fakeClient([down]);
    const chain = createChainClient({ logger: createSilentLogger(), publicClient: fake.client }, { rpcHttpUrl: 'http://127.0.0.1:1/v3/secret', registryAddress: REGISTRY, readRetries: 2, retryBaseDelayMs: 1 });
    await assert.rejects(chain.getBlockNumber(), (e) => isSnetError(e, 'CHAIN_UNAVAILABLE') && !e.message.includes('secret'));
    assert.equal(fake.calls(), 3);
  });

  void it('error: a non-transport failure is CHAIN_CALL_FAILED and not retried', async () => {
    const fake = fakeClient([() => Promise.reject(new Error('execution reverted'))]);
    const chain = createChainClient({ logger: createSilentLogger(), publicClient: fake.client }, { rpcHttpUrl: 'http://x', registryAddress: REGISTRY, retryBaseDelayMs: 1 });
    await assert.rejects(chain.getBlockNumber(), (e) => isSnetError(e, 'CHAIN_CALL_FAILED'));
    assert.equal(fake.calls(), 1);
  });
});
