// Two `snetd serve` replicas of one group on one real etcd share a channel's prepaid budget: a burst of concurrent
// prepaid calls spread over both, one replica killed with SIGKILL in the middle of it. No usage is lost (every
// call that succeeded is charged), at most the calls in flight on the killed replica stay charged (a charge made
// before the service is never refunded by a dead process: documented in docs/payments.md), and the calls
// accepted never exceed what was planned.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { startEtcd, type TestEtcd } from '../harness/etcd.ts';
import { createCalculatorClient } from '../harness/payments.ts';
import { prepaidMetadata, requestToken } from '../harness/payments-prepaid.ts';
import { startSnetd, type RunningCli } from '../harness/run-cli.ts';

const PRICE = 5n;
const PLANNED_CALLS = 30n;

void describe('prepaid usage shared by two replicas on one etcd, one killed with SIGKILL', () => {
  let net: DevNetwork;
  let etcd: TestEtcd;
  const replicas: RunningCli[] = [];

  before(async () => {
    [net, etcd] = await Promise.all([startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE }), startEtcd()]);
  });

  after(async () => {
    for (const replica of replicas) await replica.stop();
    await Promise.all([net.stop(), etcd.stop()]);
  });

  void it('behavior: no usage lost, never more calls than planned, only in-flight calls of the killed replica stay charged', async (t) => {
    const settings: Record<string, string> = {
      ...Object.fromEntries(Object.entries(net.daemonConfig).map(([k, v]) => [k, String(v)])),
      daemon_endpoint: '127.0.0.1:0',
      payment_channel_storage_type: 'etcd',
      'payment_channel_storage_client.endpoints': JSON.stringify([etcd.endpoint]),
      token_secret_key: randomBytes(32).toString('hex'),
      'log.output.type': 'stdout',
    };
    const flags = Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
    replicas.push(startSnetd(['serve', ...flags]), startSnetd(['serve', ...flags]));
    const targets = await Promise.all(replicas.map(async (r) => `127.0.0.1:${((await r.waitFor(/"address":"127\.0\.0\.1:(\d+)"/)) as unknown as [string, string])[1]}`));
    const [targetA] = targets as [string, string];
    const daemonA = new grpc.Client(targetA, grpc.credentials.createInsecure());
    const calculators = targets.map((t) => createCalculatorClient(t, net.serviceProtoFile));
    const [calcA, calcB] = calculators as [(typeof calculators)[number], (typeof calculators)[number]];
    try {
      const planned = await requestToken(daemonA, net, { amount: PRICE * PLANNED_CALLS });
      assert.equal(planned.error, undefined, planned.error?.message);
      assert.equal(planned.planned, PRICE * PLANNED_CALLS);
      const token = planned.token as string;

      // Burst: 12 calls on each replica at once; B is killed as soon as its first answer arrives.
      const victim = replicas[1] as RunningCli;
      const killed = once(victim.child, 'exit');
      let killing = false;
      const kill = (): void => {
        if (killing) return;
        killing = true;
        process.kill(victim.child.pid as number, 'SIGKILL');
      };
      const burst = await Promise.all(
        Array.from({ length: 24 }, async (_, i) => {
          const onB = i % 2 === 1;
          const result = await (onB ? calcB : calcA).call('add', i, 1, prepaidMetadata(net.channel.id, token));
          if (onB) kill();
          return { ...result, onB };
        }),
      );
      await killed;
      const ok1 = burst.filter((r) => r.error === undefined).length;
      const failed1 = burst.filter((r) => r.error !== undefined);
      for (const r of failed1) assert.ok(r.onB, `only calls on the killed replica fail: ${r.error?.details}`);

      const afterBurst = await requestToken(daemonA, net, { amount: PRICE * PLANNED_CALLS });
      const used1 = afterBurst.used as bigint;
      assert.ok(used1 >= BigInt(ok1) * PRICE, `no usage lost: used ${used1} for ${ok1} successful calls`);
      assert.ok(used1 - BigInt(ok1) * PRICE <= BigInt(failed1.length) * PRICE, `at most the ${failed1.length} calls cut by the kill stay charged (used ${used1})`);

      // Spend the rest on A, 6 at a time, until the daemon refuses: the total never exceeds the plan.
      let ok2 = 0;
      let refused: grpc.ServiceError | undefined;
      while (refused === undefined) {
        const wave = await Promise.all(Array.from({ length: 6 }, () => calcA.call('mul', 2, 3, prepaidMetadata(net.channel.id, token))));
        ok2 += wave.filter((r) => r.error === undefined).length;
        refused = wave.find((r) => r.error !== undefined)?.error;
      }
      assert.equal(refused.code, grpc.status.INTERNAL);
      assert.equal(refused.details, `internal error: Usage Exceeded on channel Id ${net.channel.id}`);
      const final = await requestToken(daemonA, net, { amount: PRICE * PLANNED_CALLS });
      t.diagnostic(`burst: ${ok1} ok, ${failed1.length} cut by the kill, ${(used1 - BigInt(ok1) * PRICE) / PRICE} of them charged; then ${ok2} ok on A`);
      assert.equal(final.used, PRICE * PLANNED_CALLS, 'the whole plan is used');
      assert.ok(BigInt(ok1 + ok2) <= PLANNED_CALLS, `never more calls than planned: ${ok1 + ok2}`);
      assert.equal(BigInt(ok1 + ok2) * PRICE, PRICE * PLANNED_CALLS - (used1 - BigInt(ok1) * PRICE), 'every cog planned is a successful call or a call cut by the kill');
    } finally {
      for (const c of calculators) c.close();
      daemonA.close();
    }
  });
});
