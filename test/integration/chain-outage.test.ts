// Issue #4: when the RPC node goes away, a channel the daemon already knows keeps working from its
// stored state (docs/payments.md); a channel it has never seen is refused with a clear status.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { isProcessAlive } from '../harness/ports.ts';
import { createCalculatorClient, escrowMetadata, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';

describe('paid calls while the chain is down', () => {
  let net: DevNetwork;
  let paid: PaidDaemon;
  let calculator: ReturnType<typeof createCalculatorClient>;

  before(async () => {
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: 1n });
    paid = await startPaidDaemon(net);
    calculator = createCalculatorClient(paid.target, net.serviceProtoFile);
  });

  after(async () => {
    calculator.close();
    await paid.stop();
    await net.stop();
  });

  const call = (channelId: bigint, amount: bigint) =>
    calculator.call('add', 2, 2, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId, nonce: 0n, amount }));

  it('behavior: a known channel keeps working from stored state; an unknown one gets UNAVAILABLE', async () => {
    assert.equal((await call(net.channel.id, 1n)).value, 4, 'the first call stores the channel');
    for (const pid of net.childPids) {
      process.kill(pid, 'SIGKILL');
      while (isProcessAlive(pid)) await new Promise((resolve) => setImmediate(resolve));
    }
    // Reading an unknown channel needs the chain: the reads are retried with backoff, then refused.
    const unknown = await call(net.channel.id + 1000n, 1n);
    assert.equal(unknown.error?.code, 14, `UNAVAILABLE expected, got ${unknown.error?.code}: ${unknown.error?.details}`);
    // By now the cached block number is stale: the known channel is served with the last known block.
    const staleLogged = paid.waitForLog(/block number refresh failed; using the last known one/);
    const during = await call(net.channel.id, 2n);
    assert.equal(during.error, undefined, during.error?.message);
    assert.equal(during.value, 4);
    await staleLogged;
  });
});
