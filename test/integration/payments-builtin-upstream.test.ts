// A paid escrow call with the service hop on the built-in HTTP/2 client: the config keys
// upstream_http2_engine / upstream_connections go through the real start-up (config → app → upstream),
// the payment interceptor and the example Calculator on the dev chain.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { createCalculatorClient, escrowMetadata, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';

const PRICE = 7n;

void describe('paid call through the builtin upstream engine (dev chain)', () => {
  let net: DevNetwork;
  let paid: PaidDaemon;
  let calculator: ReturnType<typeof createCalculatorClient>;

  before(async () => {
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE });
    paid = await startPaidDaemon(net, { upstream_http2_engine: 'builtin', upstream_connections: 2 });
    calculator = createCalculatorClient(paid.target, net.serviceProtoFile);
  });

  after(async () => {
    calculator.close();
    await paid.stop();
    await net.stop();
  });

  void it('behavior: paid calls reach the service; an unpaid one is refused before it', async () => {
    const pay = (amount: bigint) => escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount });
    for (let i = 1n; i <= 3n; i++) {
      const result = await calculator.call('add', 40, Number(i), pay(PRICE * i));
      assert.equal(result.error, undefined, result.error?.message);
      assert.equal(result.value, 40 + Number(i));
    }
    const unpaid = await calculator.call('add', 1, 1, pay(PRICE * 3n));
    assert.notEqual(unpaid.error, undefined);
  });
});
