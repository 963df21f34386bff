// Free-call counters shared by replicas of one group on one real etcd: concurrent free calls of one user spread
// over two daemons are granted no more than the allowance, and a replica killed with SIGKILL in the middle of a
// free call leaves a reservation that blocks only until its lease ends (then it counts as a used call);
// `snetd freecall list|reset|unlock` work on the shared counters.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { DEV_ROLES, devAccount, startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { startEtcd, type TestEtcd } from '../harness/etcd.ts';
import { v6FreeCallUser } from '../harness/free-calls.ts';
import { startHoldingService } from '../harness/holding-service.ts';
import { createCalculatorClient, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';
import { runCliInProcess, startSnetd } from '../harness/run-cli.ts';

const FREE_CALLS = 4;
const LEASE = '4s';
const LEASE_MS = 4_000;

void describe('free calls on replicas sharing etcd', () => {
  let net: DevNetwork;
  let etcd: TestEtcd;
  let replicas: PaidDaemon[] = [];
  let overrides: Record<string, unknown>;

  before(async () => {
    [net, etcd] = await Promise.all([startDevNetwork({ logger: createSilentLogger(), freeCalls: FREE_CALLS }), startEtcd()]);
    overrides = { payment_channel_storage_type: 'etcd', 'payment_channel_storage_client.endpoints': [etcd.endpoint], payment_reservation_lease: LEASE };
    replicas = await Promise.all([startPaidDaemon(net, overrides), startPaidDaemon(net, overrides)]);
  });

  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await Promise.all([net.stop(), etcd.stop()]);
  });

  void it('behavior: concurrent free calls of one user on two replicas: exactly the allowance is granted, never more', async () => {
    const users = replicas.map((r) => v6FreeCallUser(net, r.target, devAccount(DEV_ROLES.thirdParty).privateKey));
    const calcs = replicas.map((r) => createCalculatorClient(r.target, net.serviceProtoFile));
    try {
      const { token } = await (users[0] as (typeof users)[number]).token();
      assert.ok(token !== undefined);
      let granted = 0;
      const refusals: string[] = [];
      for (let round = 0; round < 3; round++) {
        const results = await Promise.all(
          Array.from({ length: 6 }, async (_, k) => {
            const i = k % 2;
            return (calcs[i] as (typeof calcs)[number]).call('add', 1, k, await (users[i] as (typeof users)[number]).metadata(token));
          }),
        );
        for (const r of results) {
          if (r.error === undefined) granted++;
          else refusals.push(`${r.error.code} ${r.error.details}`);
        }
      }
      assert.equal(granted, FREE_CALLS, refusals.join('\n'));
      for (const refusal of refusals) {
        assert.match(refusal, /^(13 internal error: free call limit has been exceeded, calls made = 4, total free calls eligible = 4|9 another transaction on this user: \{ID:0x[0-9a-fA-F]{40}\/\/.*\} is in progress)$/);
      }
      for (const user of users) assert.equal((await user.available(token)).count, 0);
    } finally {
      for (const u of users) u.close();
      for (const c of calcs) c.close();
    }
  });

  void it('behavior: a replica killed (SIGKILL) during a free call: its reservation blocks only until the lease ends, then counts as used', async () => {
    const holding = await startHoldingService(net.serviceProtoFile);
    const settings: Record<string, string> = {
      ...Object.fromEntries(Object.entries(net.daemonConfig).map(([k, v]) => [k, String(v)])),
      daemon_endpoint: '127.0.0.1:0',
      service_endpoint: holding.endpoint,
      payment_channel_storage_type: 'etcd',
      'payment_channel_storage_client.endpoints': JSON.stringify([etcd.endpoint]),
      payment_reservation_lease: LEASE,
      'log.output.type': 'stdout',
    };
    const child = startSnetd(['serve', ...Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`])]);
    const key = devAccount(DEV_ROLES.spare).privateKey;
    const survivor = replicas[0] as PaidDaemon;
    const user = v6FreeCallUser(net, survivor.target, key);
    const calc = createCalculatorClient(survivor.target, net.serviceProtoFile);
    try {
      const { token } = await user.token();
      assert.ok(token !== undefined);
      for (let i = 0; i < FREE_CALLS - 1; i++) assert.equal((await calc.call('add', i, 1, await user.metadata(token))).error, undefined);
      const [, port] = (await child.waitFor(/"address":"127\.0\.0\.1:(\d+)"/)) as unknown as [string, string];
      const doomed = createCalculatorClient(`127.0.0.1:${port}`, net.serviceProtoFile);
      const pending = doomed.call('add', 9, 9, await user.metadata(token));
      await holding.received;
      const exited = once(child.child, 'exit');
      process.kill(child.child.pid as number, 'SIGKILL');
      await exited;
      assert.ok((await pending).error !== undefined);
      doomed.close();

      // The killed replica's call holds the last free call: busy, not granted twice.
      const busy = await calc.call('add', 1, 1, await user.metadata(token));
      assert.equal(busy.error?.code, grpc.status.FAILED_PRECONDITION);
      assert.match(busy.error?.details ?? '', /^another transaction on this user: \{ID:0x[0-9a-fA-F]{40}\/\/.+\} is in progress$/);
      assert.equal((await user.available(token)).count, 0);
      // After the lease the reservation frees itself and counts as the user's last free call.
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 500));
      const limited = await calc.call('add', 1, 1, await user.metadata(token));
      assert.equal(limited.error?.code, grpc.status.INTERNAL);
      assert.equal(limited.error?.details, `internal error: free call limit has been exceeded, calls made = ${FREE_CALLS}, total free calls eligible = ${FREE_CALLS}`);

      // The operator commands see the shared counter; a reset gives the user their free calls again.
      const flags = Object.entries({ ...settings, daemon_endpoint: '127.0.0.1:0' }).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
      const listed = await runCliInProcess(['freecall', 'list', ...flags]);
      assert.equal(listed.code, 0, listed.out);
      assert.match(listed.out, new RegExp(`${user.address}: ${FREE_CALLS} free calls used, 0 in flight`));
      const reset = await runCliInProcess(['freecall', 'reset', '-a', user.address.toLowerCase(), ...flags]);
      assert.match(reset.out, new RegExp(`free calls of ${user.address} reset to 0 used`));
      assert.match((await runCliInProcess(['freecall', 'unlock', '-a', user.address, ...flags])).out, /has no free call in flight/);
      assert.equal((await user.available(token)).count, FREE_CALLS);
      assert.equal((await calc.call('add', 1, 1, await user.metadata(token))).value, 2);
    } finally {
      user.close();
      calc.close();
      await child.stop();
      await holding.stop();
    }
  });
});
