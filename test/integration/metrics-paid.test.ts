// /metrics after paid, free, refused and failed calls through the real daemon on the dev chain (real MPE,
// signed escrow payments, the example Calculator behind the daemon).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { DEV_ROLES, devAccount, startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { v6FreeCallUser } from '../harness/free-calls.ts';
import { sample } from '../harness/monitored-daemon.ts';
import { createCalculatorClient, escrowMetadata, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';

const PRICE = 7n;

void describe('metrics of paid calls (dev chain)', () => {
  let net: DevNetwork;
  let paid: PaidDaemon;
  let calculator: ReturnType<typeof createCalculatorClient>;

  before(async () => {
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE });
    paid = await startPaidDaemon(net, { heartbeat_interval: '0s' });
    calculator = createCalculatorClient(paid.target, net.serviceProtoFile);
  });
  after(async () => {
    calculator.close();
    await paid.stop();
    await net.stop();
  });

  const pay = (amount: bigint): grpc.Metadata => escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount });

  void it('behavior: exact counters for paid OK, paid but failed by the service, refused, free calls and the free daemon methods', async () => {
    for (const amount of [PRICE, 2n * PRICE]) assert.equal((await calculator.call('add', 1, 2, pay(amount))).error, undefined);
    // Paid, then the service fails it (division by zero): the payment check passed, the reservation is released.
    assert.equal((await calculator.call('div', 1, 0, pay(3n * PRICE))).error?.code, grpc.status.INVALID_ARGUMENT);
    // Refused: no payment headers at all.
    assert.equal((await calculator.call('add', 1, 2, new grpc.Metadata())).error?.code, grpc.status.INVALID_ARGUMENT);
    // Free calls (v6 token from the daemon, the dev network grants 5 per user): all five, then one refused.
    const user = v6FreeCallUser(net, paid.target, devAccount(DEV_ROLES.thirdParty).privateKey);
    try {
      const { token, error } = await user.token();
      assert.ok(token !== undefined, error?.message);
      for (let i = 0; i < net.freeCalls; i++) assert.equal((await calculator.call('mul', i, 2, await user.metadata(token))).error, undefined);
      assert.notEqual((await calculator.call('mul', 1, 1, await user.metadata(token))).error, undefined);
    } finally {
      user.close();
    }
    // Free of payment: the daemon's own health check.
    const raw = new grpc.Client(paid.target, grpc.credentials.createInsecure());
    const healthCode = await new Promise<number>((resolve) =>
      raw.makeUnaryRequest('/grpc.health.v1.Health/Check', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (error) => resolve(error?.code ?? 0)),
    );
    raw.close();
    assert.equal(healthCode, 0);

    const text = await (await fetch(`http://${paid.target}/metrics`)).text();
    const add = 'method="/example_service.Calculator/add",payment_type="escrow"';
    assert.equal(sample(text, `snetd_calls_total{${add},code="OK"}`), 2);
    assert.equal(sample(text, `snetd_calls_total{${add},code="INVALID_ARGUMENT"}`), 1);
    assert.equal(sample(text, 'snetd_calls_total{method="/example_service.Calculator/div",payment_type="escrow",code="INVALID_ARGUMENT"}'), 1);
    assert.equal(sample(text, 'snetd_calls_total{method="/grpc.health.v1.Health/Check",payment_type="none",code="OK"}'), 1);
    assert.equal(sample(text, 'snetd_payments_total{payment_type="escrow",outcome="accepted"}'), 3);
    assert.equal(sample(text, 'snetd_payments_total{payment_type="escrow",outcome="header_missing"}'), 1);
    assert.equal(sample(text, 'snetd_service_duration_seconds_count{method="/example_service.Calculator/add"}'), 2, 'the refused call never reached the service');
    assert.equal(sample(text, 'snetd_call_overhead_seconds_count{method="/example_service.Calculator/add"}'), 3);
    assert.equal(sample(text, 'snetd_earned_cogs_total{payment_type="escrow"}'), Number(2n * PRICE), 'the two calls answered OK, not the failed one');
    assert.equal(sample(text, 'snetd_dependency_errors_total{dependency="storage"}'), undefined);
    const mul = 'method="/example_service.Calculator/mul",payment_type="free-call"';
    assert.equal(sample(text, `snetd_calls_total{${mul},code="OK"}`), net.freeCalls);
    assert.equal(sample(text, 'snetd_payments_total{payment_type="free-call",outcome="accepted"}'), net.freeCalls);
    assert.equal(sample(text, 'snetd_payments_total{payment_type="free-call",outcome="free_call_limit"}'), 1, 'the refusal has its own outcome, not other');
    assert.equal(sample(text, 'snetd_payments_total{payment_type="free-call",outcome="other"}'), undefined);
    assert.equal(sample(text, 'snetd_earned_cogs_total{payment_type="free-call"}'), undefined, 'free calls earn nothing');
    assert.equal(sample(text, 'snetd_service_duration_seconds_count{method="/example_service.Calculator/mul"}'), net.freeCalls);
    // GetFreeCallToken is a daemon method: counted, free of payment.
    assert.equal(sample(text, 'snetd_calls_total{method="/escrow.FreeCallStateService/GetFreeCallToken",payment_type="none",code="OK"}'), 1);
  });
});
