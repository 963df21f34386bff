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

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const down = (): Promise<bigint> => Promise.reject(new HttpRequestError({ url: 'http://127.0.0.1:1/v3/secret', details: 'fetch failed' }));

void describe('createChainClient().getBlockNumber()', () => {
  void it('behavior: reuses the block number within the cache window; concurrent callers share one request', async () => {
    let now = 0;
    const head = 10n;
    const fake = fakeClient([() => Promise.resolve(head)]);
    const chain = createChainClient({ logger: createSilentLogger(), publicClient: fake.client, now: () => now }, { rpcHttpUrl: 'http://x', registryAddress: REGISTRY });
    assert.equal(chain.peekBlockNumber(), undefined, 'nothing to answer without a request yet');
    const values = await Promise.all(Array.from({ length: 50 }, () => chain.getBlockNumber()));
    assert.deepEqual(new Set(values), new Set([10n]));
    assert.equal(fake.calls(), 1);
    now = 499;
    assert.equal(await chain.getBlockNumber(), 10n);
    assert.equal(chain.peekBlockNumber(), 10n);
    assert.equal(fake.calls(), 1, 'no request in the first half of the window');
  });

  void it('behavior: from half the window on, the cached number is answered at once and one refresh runs in the background', async () => {
    const { chain, fake, gate, at } = await gatedChain();
    at(500, 11n);
    // The node has not answered the refresh (gate closed), yet callers get the cached number without waiting.
    assert.equal(await chain.getBlockNumber(), 10n);
    assert.equal(chain.peekBlockNumber(), 10n);
    assert.equal(await chain.getBlockNumber(), 10n);
    assert.equal(fake.calls(), 2, 'one background refresh for all callers');
    gate.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    at(999);
    assert.equal(await chain.getBlockNumber(), 11n, 'the refreshed number, read at 500');
    assert.equal(fake.calls(), 2);
    assert.deepEqual(chain.lastKnownBlock(), { blockNumber: 11n, ageMs: 499 });
  });

  void it('behavior: after an idle period longer than the window, callers wait for a fresh number', async () => {
    const { chain, fake, gate, at } = await gatedChain();
    at(5_000, 12n);
    assert.equal(chain.peekBlockNumber(), undefined, 'too old to answer without the node');
    let answered: bigint | undefined;
    const waiting = chain.getBlockNumber().then((v) => (answered = v));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(answered, undefined, 'the caller waits for the node');
    gate.resolve();
    assert.equal(await waiting, 12n);
    assert.equal(fake.calls(), 2);
  });

  void it('behavior: while refreshes fail, the last number is answered without waiting for the retries, up to blockNumberMaxStaleMs', async () => {
    let now = 0;
    const hang = deferred<bigint>();
    const fake = fakeClient([() => Promise.resolve(5n), down, () => hang.promise]);
    const logs: string[] = [];
    const logger = { ...createSilentLogger(), warn: (_obj: unknown, msg?: string) => void logs.push(msg ?? ''), child: () => logger };
    const chain = createChainClient(
      { logger, publicClient: fake.client, now: () => now },
      { rpcHttpUrl: 'http://x', registryAddress: REGISTRY, readRetries: 0, blockNumberMaxStaleMs: 10_000 },
    );
    assert.equal(await chain.getBlockNumber(), 5n);
    now = 2_000;
    // The first failure is waited for (the node was fine until now) and answered from the cache with a warning.
    assert.equal(await chain.getBlockNumber(), 5n);
    assert.deepEqual(logs, ['block number refresh failed; using the last known one']);
    // The node is now known to fail: the next refresh (hanging here) runs in the background, callers are not held.
    now = 3_000;
    assert.equal(await chain.getBlockNumber(), 5n);
    assert.equal(chain.peekBlockNumber(), 5n);
    assert.equal(fake.calls(), 3);
    now = 10_000;
    assert.equal(chain.peekBlockNumber(), undefined, 'older than blockNumberMaxStaleMs: callers wait again');
    hang.reject(new HttpRequestError({ url: 'http://x', details: 'fetch failed' }));
    await assert.rejects(chain.getBlockNumber(), (e) => isSnetError(e, 'CHAIN_UNAVAILABLE'));
  });

  void it('behavior: a closed client starts no background refresh', async () => {
    let now = 0;
    const fake = fakeClient([() => Promise.resolve(1n)]);
    const chain = createChainClient({ logger: createSilentLogger(), publicClient: fake.client, now: () => now }, { rpcHttpUrl: 'http://x', registryAddress: REGISTRY });
    assert.equal(await chain.getBlockNumber(), 1n);
    await chain.close();
    now = 700;
    assert.equal(await chain.getBlockNumber(), 1n);
    assert.equal(fake.calls(), 1);
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

/**
 * A chain client whose first block-number request answers 10 at once and whose second waits for `gate`;
 * `at(ms, head?)` moves the fake clock (and the node's head). The first request has been made and answered.
 */
async function gatedChain(): Promise<{
  chain: ReturnType<typeof createChainClient>;
  fake: ReturnType<typeof fakeClient>;
  gate: ReturnType<typeof deferred<void>>;
  at: (ms: number, nextHead?: bigint) => void;
}> {
  let now = 0;
  let head = 10n;
  const gate = deferred<void>();
  const fake = fakeClient([() => Promise.resolve(head), async () => (await gate.promise, head)]);
  const chain = createChainClient({ logger: createSilentLogger(), publicClient: fake.client, now: () => now }, { rpcHttpUrl: 'http://x', registryAddress: REGISTRY });
  assert.equal(await chain.getBlockNumber(), 10n);
  const at = (ms: number, nextHead?: bigint): void => {
    now = ms;
    if (nextHead !== undefined) head = nextHead;
  };
  return { chain, fake, gate, at };
}

void describe('createChainClient() onRoundTrip', () => {
  void it('behavior: every JSON-RPC request is timed; no answer is a failure, an error answer is not', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const { id, method } = JSON.parse(body) as { id: number; method: string };
        const answer = method === 'eth_blockNumber' ? { jsonrpc: '2.0', id, result: '0x2a' } : { jsonrpc: '2.0', id, error: { code: -32601, message: 'no such method' } };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    const trips: boolean[] = [];
    const chain = createChainClient({ logger: createSilentLogger(), onRoundTrip: (seconds, ok) => (assert.ok(seconds >= 0), trips.push(ok)) }, { rpcHttpUrl: `http://127.0.0.1:${port}`, registryAddress: REGISTRY, readRetries: 0 });
    try {
      assert.equal(await chain.getBlockNumber(), 42n);
      await assert.rejects(chain.getChainId(), (e) => isSnetError(e, 'CHAIN_CALL_FAILED'));
      assert.deepEqual(trips, [true, true], 'the node answered both');
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await assert.rejects(chain.getChainId(), (e) => isSnetError(e, 'CHAIN_UNAVAILABLE'));
      assert.deepEqual(trips, [true, true, false]);
    } finally {
      await chain.close();
      if (server.listening) server.close();
    }
  });
});
