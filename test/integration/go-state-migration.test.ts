// Switching from the Go daemon: a real etcd holds Go-format state (gob values written by Go's encoding/gob
// through test/go-gob, under the Go daemon's keys for this network/org/group/MPE). `snetd storage import
// --from-go-etcd` moves it into snetd-ts's store (here the same etcd, under snetd-ts/1/), a paid call continues
// the channel at the next amount, `storage export --to-go-etcd` writes the result back in Go's format (Go
// decodes it); the official npm snet-sdk continues the channel on snetd-ts, the owner starts the claim through
// the control service, rolls back, and claims the Go-era plus snetd-ts-era total on chain with the claim that
// Go's decoder reads from the Go layout.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildClaimMessage, decodeUint, signMessage, toChecksumAddress } from '../../src/blockchain/index.ts';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { buildStoragePrefixes, createEtcdStore, type AtomicStore } from '../../src/storage/index.ts';
import { startEtcd, type TestEtcd } from '../harness/etcd.ts';
import { buildGoGobTool, goDecode, goEncode, type GoGobTool, type GoValue } from '../harness/go-gob.ts';
import { createOfficialSdkClient, loadDevMetadata } from '../harness/payments-official-sdk.ts';
import { createCalculatorClient, escrowMetadata, multiChannelClaim, startClaimsAsOwner, startPaidDaemon } from '../harness/payments.ts';
import { runCliInProcess } from '../harness/run-cli.ts';

const PRICE = 4n;
const GO_ERA_CALLS = 3n;
const hexBytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex.replace(/^0x/, ''), 'hex'));

const cli = runCliInProcess;

void describe('switching from the Go daemon: storage import --from-go-etcd / export --to-go-etcd', () => {
  let net: DevNetwork;
  let etcd: TestEtcd;
  let tool: GoGobTool;
  let goStore: AtomicStore;

  before(async () => {
    tool = buildGoGobTool();
    [net, etcd] = await Promise.all([startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE }), startEtcd()]);
    goStore = await createEtcdStore({ endpoints: [etcd.endpoint], logger: createSilentLogger() });
  });

  after(async () => {
    await goStore?.close();
    await Promise.all([net?.stop(), etcd?.stop()]);
    tool?.cleanup();
  });

  void it('behavior: the Go-era signed amount carries over, the channel continues, and the total is claimable after rollback', async () => {
    const goMpe = buildStoragePrefixes({
      network: String(net.daemonConfig['blockchain_network_selected']),
      organizationId: net.orgId,
      groupIdBase64: net.groupId.base64,
      mpeAddress: toChecksumAddress(net.contracts.mpe),
      root: '',
    }).mpe;
    const channelKey = (id: bigint): string => `${goMpe}//payment-channel/storage/{ID: ${id}}`;
    const sign = (amount: bigint): Uint8Array => signMessage(net.client.privateKey, buildClaimMessage({ mpeAddress: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount }));
    const goEraAmount = GO_ERA_CALLS * PRICE;

    // What a Go daemon leaves behind after three paid calls on the dev channel, a claim in progress of
    // another channel, and a channel a Go replica holds locked mid-call.
    const goChannel: GoValue = {
      type: 'PaymentChannelData',
      value: {
        channelId: net.channel.id,
        nonce: 0n,
        state: 0n,
        sender: hexBytes(net.channel.sender),
        recipient: hexBytes(net.channel.recipient),
        groupId: hexBytes(net.groupId.hex),
        fullAmount: net.channel.valueCogs,
        expiration: net.channel.expiration,
        signer: hexBytes(net.channel.signer),
        authorizedAmount: goEraAmount,
        signature: sign(goEraAmount),
      },
    };
    const lockedChannel: GoValue = { type: 'PaymentChannelData', value: { ...goChannel.value, channelId: 900n, authorizedAmount: 7n } };
    const claim: GoValue = { type: 'Payment', value: { mpeContractAddress: new Uint8Array(20), channelId: 901n, channelNonce: 2n, amount: 55n, signature: new Uint8Array(65).fill(3) } };
    const [channelGob, lockedGob, claimGob] = await goEncode(tool, [goChannel, lockedChannel, claim]);
    await goStore.put(channelKey(net.channel.id), channelGob as Uint8Array);
    await goStore.put(channelKey(900n), lockedGob as Uint8Array);
    await goStore.put(`${goMpe}//payment/storage/901/2`, claimGob as Uint8Array);
    await goStore.put(`${goMpe}//payment-channel/lock/{ID: 900}`, new TextEncoder().encode('locked'));

    const settings = {
      ...Object.fromEntries(Object.entries(net.daemonConfig).map(([k, v]) => [k, String(v)])),
      payment_channel_storage_type: 'etcd',
      'payment_channel_storage_client.endpoints': etcd.endpoint,
      'log.output.type': 'stdout',
    };
    const setFlags = Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`]);

    // A dry run reports everything and writes nothing; the locked channel makes it exit non-zero.
    const dry = await cli(['storage', 'import', '--from-go-etcd', etcd.endpoint, '--dry-run', ...setFlags]);
    assert.equal(dry.code, 1, dry.out);
    assert.match(dry.out, /\(dry run: nothing written\)/);
    assert.match(dry.out, /channels: 2 \(1 copied, 1 skipped-locked\)/);
    assert.match(dry.out, /channel 900 \(nonce 0, signed 7 cogs\): skipped-locked: Go lock .*\{ID: 900\} is "locked"/);
    assert.match(dry.out, /STORAGE_MIGRATION_INCOMPLETE/);
    assert.match((await cli(['list', 'channels', ...setFlags])).out, /no channels in storage/);

    // The Go replica finished its call (the reference's Unlock writes "unlocked"): the import is complete.
    await goStore.put(`${goMpe}//payment-channel/lock/{ID: 900}`, new TextEncoder().encode('unlocked'));
    const imported = await cli(['storage', 'import', '--from-go-etcd', ` ${etcd.endpoint} ,`, ...setFlags]);
    assert.equal(imported.code, 0, imported.out);
    assert.match(imported.out, /channels: 2 \(2 copied\)/);
    assert.match(imported.out, new RegExp(`unclaimed signed amount now held by snetd-ts: ${goEraAmount + 7n} cogs`));
    assert.match(imported.out, /claims in progress: 1 \(1 copied\), 55 cogs/);
    const again = await cli(['storage', 'import', '--from-go-etcd', etcd.endpoint, ...setFlags]);
    assert.match(again.out, /channels: 2 \(2 unchanged\)/);
    const report = JSON.parse((await cli(['storage', 'import', '--from-go-etcd', etcd.endpoint, '--dry-run', '--json', ...setFlags])).out) as Record<string, unknown>;
    assert.deepEqual(report['channels'], [
      { channelId: net.channel.id.toString(), nonce: '0', authorizedAmount: goEraAmount.toString(), action: 'unchanged' },
      { channelId: '900', nonce: '0', authorizedAmount: '7', action: 'unchanged' },
    ]);
    assert.equal(report['unclaimedCogs'], (goEraAmount + 7n).toString());
    assert.match((await cli(['list', 'claims', ...setFlags])).out, /claim channel 901 nonce 2: 55 cogs/);

    // snetd-ts serves the channel: the Go-era amount is already paid, the next call pays one price more.
    const daemon = await startPaidDaemon(net, { payment_channel_storage_type: 'etcd', 'payment_channel_storage_client.endpoints': [etcd.endpoint] });
    const client = createCalculatorClient(daemon.target, net.serviceProtoFile);
    try {
      const replay = await client.call('add', 1, 2, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount: goEraAmount }));
      assert.equal(replay.error?.details, `income 0 does not equal to price ${PRICE}`);
      const next = await client.call('add', 1, 2, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount: goEraAmount + PRICE }));
      assert.equal(next.value, 3);
    } finally {
      client.close();
      await daemon.stop();
    }

    // Rollback: the state goes back into the Go layout, where Go's own decoder reads the new amount.
    const exported = await cli(['storage', 'export', '--to-go-etcd', etcd.endpoint, ...setFlags]);
    assert.equal(exported.code, 0, exported.out);
    assert.match(exported.out, /channels: 2 \(1 updated, 1 unchanged\)/);
    assert.match(exported.out, /claims in progress: 1 \(1 unchanged\), 55 cogs/);
    const stored = await goStore.get(channelKey(net.channel.id));
    assert.ok(stored !== undefined);
    const [decoded] = await goDecode(tool, [{ type: 'PaymentChannelData', gob: stored }]);
    assert.ok(decoded !== undefined && !('error' in decoded), 'Go decodes the exported channel');
    const total = goEraAmount + PRICE;
    assert.deepEqual(decoded.value, { ...goChannel.value, authorizedAmount: total, signature: sign(total) });

    // The official npm SDK continues the channel on snetd-ts: it learns the signed amount from GetChannelState
    // and pays one price more. The owner then starts the claim through the control service (Go-era plus
    // snetd-ts-era total), rolls back again, and claims on chain with the claim Go's decoder reads back.
    const restarted = await startPaidDaemon(net, { payment_channel_storage_type: 'etcd', 'payment_channel_storage_client.endpoints': [etcd.endpoint] });
    const workDir = await mkdtemp(join(tmpdir(), 'snetd-go-sdk-'));
    const claimTotal = total + PRICE;
    try {
      const sdk = await createOfficialSdkClient(net, restarted.target, await loadDevMetadata(net), workDir);
      assert.equal(await sdk.call('add', 20, 22), 42);
      assert.deepEqual(await sdk.channelState(), { nonce: '0', currentSignedAmount: claimTotal.toString() });
      const started = await startClaimsAsOwner(net, restarted.target, [net.channel.id]);
      assert.equal(started.error, undefined, started.error?.message);
      assert.equal(decodeUint(started.payments?.[0]?.['signedAmount'] as Uint8Array), claimTotal);
    } finally {
      await restarted.stop();
      await rm(workDir, { recursive: true, force: true });
    }

    const rolledBack = await cli(['storage', 'export', '--to-go-etcd', etcd.endpoint, ...setFlags]);
    assert.equal(rolledBack.code, 0, rolledBack.out);
    assert.match(rolledBack.out, /channels: 2 \(1 updated, 1 unchanged\)/);
    assert.match(rolledBack.out, new RegExp(`claims in progress: 2 \\(1 copied, 1 unchanged\\), ${claimTotal + 55n} cogs`));
    const claimGobBack = await goStore.get(`${goMpe}//payment/storage/${net.channel.id}/0`);
    const channelGobBack = await goStore.get(channelKey(net.channel.id));
    assert.ok(claimGobBack !== undefined && channelGobBack !== undefined);
    const [goClaim, goChannelBack] = await goDecode(tool, [
      { type: 'Payment', gob: claimGobBack },
      { type: 'PaymentChannelData', gob: channelGobBack },
    ]);
    assert.ok(goClaim !== undefined && !('error' in goClaim) && goClaim.type === 'Payment', 'Go decodes the exported claim');
    assert.deepEqual(goClaim.value, { mpeContractAddress: new Uint8Array(20), channelId: net.channel.id, channelNonce: 0n, amount: claimTotal, signature: sign(claimTotal) });
    assert.ok(goChannelBack !== undefined && !('error' in goChannelBack) && goChannelBack.type === 'PaymentChannelData');
    assert.equal(goChannelBack.value.nonce, 1n, 'the Go layout has the channel at the next nonce, as a Go StartClaim leaves it');
    assert.equal(goChannelBack.value.authorizedAmount, 0n);

    // The owner claims the Go-era plus snetd-ts-era total on chain with the claim read back from Go's state.
    await multiChannelClaim(net, [{ channelId: net.channel.id, amount: claimTotal, signature: goClaim.value.signature }]);
  });
});
