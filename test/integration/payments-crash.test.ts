// kill -9 in the middle of a paid call: the daemon (a real `snetd serve` child) has reserved the payment and
// the service holds the call. After SIGKILL the reservation is still in the embedded store: it blocks the
// channel only for its lease, `snetd list channels` shows it, `snetd channel unlock` ends it at once, and
// it counts as accepted (the client signed it), so the next payment continues from the reserved amount.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { startHoldingService } from '../harness/holding-service.ts';
import { createCalculatorClient, escrowMetadata, startPaidDaemon } from '../harness/payments.ts';
import { runCliInProcess, startSnetd } from '../harness/run-cli.ts';

const PRICE = 4n;

const cli = runCliInProcess;

void describe('a daemon killed with SIGKILL during a paid call', () => {
  let net: DevNetwork;
  let dir: string;
  let holding: Awaited<ReturnType<typeof startHoldingService>>;

  before(async () => {
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE });
    dir = await mkdtemp(join(tmpdir(), 'snetd-crash-'));
    holding = await startHoldingService(net.serviceProtoFile);
  });

  after(async () => {
    await holding.stop();
    await net.stop();
    await rm(dir, { recursive: true, force: true });
  });

  void it('behavior: the reservation survives, blocks only until unlocked or expired, and counts as paid', async () => {
    const settings: Record<string, string> = {
      ...Object.fromEntries(Object.entries(net.daemonConfig).map(([k, v]) => [k, String(v)])),
      daemon_endpoint: '127.0.0.1:0',
      service_endpoint: holding.endpoint,
      payment_channel_storage_type: 'embedded',
      embedded_storage_dir: join(dir, 'store'),
      'log.output.type': 'stdout',
    };
    const setFlags = Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
    const child = startSnetd(['serve', ...setFlags]);
    try {
      const [, port] = (await child.waitFor(/"address":"127\.0\.0\.1:(\d+)"/)) as unknown as [string, string];
      const client = createCalculatorClient(`127.0.0.1:${port}`, net.serviceProtoFile);
      const pending = client.call('add', 1, 2, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount: PRICE }));
      const metadata = await holding.received;
      assert.deepEqual(metadata.get('snet-user-address'), [net.client.address], 'the service sees the checksummed channel sender');
      const exited = once(child.child, 'exit');
      process.kill(child.child.pid as number, 'SIGKILL');
      await exited;
      assert.ok((await pending).error !== undefined, 'the client saw the call fail');
      client.close();
    } finally {
      await child.stop();
    }

    const listed = await cli(['list', 'channels', ...setFlags]);
    assert.equal(listed.code, 0, listed.out);
    assert.match(listed.out, new RegExp(`channel ${net.channel.id}: nonce 0, signed amount ${PRICE} of \\d+ cogs.*call in flight until`));

    const unlocked = await cli(['channel', 'unlock', net.channel.id.toString(), ...setFlags]);
    assert.equal(unlocked.code, 0, unlocked.out);
    assert.match(unlocked.out, /unlocked \(the reserved amount stays authorised\)/);
    assert.match((await cli(['channel', '--unlock', net.channel.id.toString(), ...setFlags])).out, /was not locked/);

    // A new daemon on the same store (the example service behind it): the crashed call's amount counts as paid.
    const paid = await startPaidDaemon(net, { embedded_storage_dir: join(dir, 'store') });
    const client = createCalculatorClient(paid.target, net.serviceProtoFile);
    try {
      const replay = await client.call('add', 1, 1, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount: PRICE }));
      assert.equal(replay.error?.details, `income 0 does not equal to price ${PRICE}`);
      const next = await client.call('add', 1, 1, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount: PRICE * 2n }));
      assert.equal(next.value, 2);
    } finally {
      client.close();
      await paid.stop();
    }
    const claims = await cli(['list', 'claims', ...setFlags]);
    assert.match(claims.out, /no claims in progress/);

    // The state moves to another store with export/import (here: a second embedded store).
    const file = join(dir, 'export.jsonl');
    const exported = await cli(['storage', 'export', file, ...setFlags]);
    assert.equal(exported.code, 0, exported.out);
    const otherFlags = [...setFlags, '--set', `embedded_storage_dir=${join(dir, 'other')}`];
    const imported = await cli(['storage', 'import', file, ...otherFlags]);
    assert.match(imported.out, /imported 1, unchanged 0, overwritten 0/);
    const copied = await cli(['list', 'channels', '--json', ...otherFlags]);
    const [channel] = JSON.parse(copied.out) as Array<Record<string, unknown>>;
    assert.equal(channel?.['authorizedAmount'], (PRICE * 2n).toString());
  });
});
