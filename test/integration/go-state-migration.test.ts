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
import * as grpc from '@grpc/grpc-js';
import { buildClaimMessage, decodeUint, mpeAbi, signMessage, toChecksumAddress } from '../../src/blockchain/index.ts';
import { createDevActions, createDevClients, DEV_ROLES, devAccount, startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { goUsageKeyLayout, type GoFreeCallKeyParts } from '../../src/payments/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { buildStoragePrefixes, createEtcdStore, type AtomicStore, type StoragePrefixes } from '../../src/storage/index.ts';
import { startEtcd, type TestEtcd } from '../harness/etcd.ts';
import { buildGoGobTool, goDecode, goEncode, type GoGobTool, type GoValue } from '../harness/go-gob.ts';
import { v6FreeCallUser } from '../harness/free-calls.ts';
import { createOfficialSdkClient, loadDevMetadata } from '../harness/payments-official-sdk.ts';
import { prepaidMetadata, requestToken } from '../harness/payments-prepaid.ts';
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

  /** The Go daemon's BASE and MPE prefixes for the dev network's group. */
  const goPrefixes = (): StoragePrefixes =>
    buildStoragePrefixes({
      network: String(net.daemonConfig['blockchain_network_selected']),
      organizationId: net.orgId,
      groupIdBase64: net.groupId.base64,
      mpeAddress: toChecksumAddress(net.contracts.mpe),
      root: '',
    });
  /** `--set` flags configuring the CLI like the daemon: the dev network, our state in the test etcd. */
  const cliFlags = (): string[] => {
    const settings = {
      ...Object.fromEntries(Object.entries(net.daemonConfig).map(([k, v]) => [k, String(v)])),
      payment_channel_storage_type: 'etcd',
      'payment_channel_storage_client.endpoints': etcd.endpoint,
      'log.output.type': 'stdout',
    };
    return Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  };

  void it('behavior: the Go-era signed amount carries over, the channel continues, and the total is claimable after rollback', async () => {
    const goMpe = goPrefixes().mpe;
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

    const setFlags = cliFlags();

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
      assert.deepEqual(new Uint8Array(started.payments?.[0]?.['signature'] as Uint8Array), sign(claimTotal), 'the control service hands the owner the client\'s signature of the total');
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
    const { publicClient } = createDevClients(net.rpcUrl, net.chainId);
    const balance = (): Promise<bigint> => publicClient.readContract({ address: net.contracts.mpe, abi: mpeAbi, functionName: 'balances', args: [net.owner.address] });
    const before = await balance();
    await multiChannelClaim(net, [{ channelId: net.channel.id, amount: claimTotal, signature: goClaim.value.signature }]);
    assert.equal((await balance()) - before, claimTotal, 'the owner received the Go-era plus snetd-ts-era total');
    const [chainNonce] = await publicClient.readContract({ address: net.contracts.mpe, abi: mpeAbi, functionName: 'channels', args: [net.channel.id] });
    assert.equal(chainNonce, 1n);
  });
  void it('behavior: free calls used and prepaid spent under Go carry over: the user gets only the remainder, prepaid calls stop at the imported plan, rollback hands Go the totals', async () => {
    const { base } = goPrefixes();
    const goKeys = goUsageKeyLayout(base, { organizationId: net.orgId, serviceId: net.serviceId, groupIdBase64: net.groupId.base64 });
    const setFlags = cliFlags();

    // A free-call user who made 3 of the service's 5 free calls under Go; Go counted them under two spellings
    // of the address as sent (2 checksummed, 1 lower-case): the user's calls are the sum.
    const userKey = devAccount(DEV_ROLES.thirdParty).privateKey;
    const address = toChecksumAddress(devAccount(DEV_ROLES.thirdParty).address);
    const spellings = [
      { address, userId: '', made: 2n },
      { address: address.toLowerCase(), userId: '', made: 1n },
    ];
    // A prepaid channel of another client: Go planned 10 prices through GetToken (the signed amount the owner
    // claims), then served 7 prepaid calls and refunded 1 that failed: 6 prices used, 4 left.
    const spender = devAccount(DEV_ROLES.spare);
    const prepaidChannel = await createDevActions(createDevClients(net.rpcUrl, net.chainId), net.contracts).openChannel({
      senderIndex: DEV_ROLES.spare,
      recipient: net.channel.recipient,
      groupId: net.groupId.hex,
      valueCogs: 1000n,
      expiration: net.channel.expiration,
    });
    const planned = 10n * PRICE;
    const signature = signMessage(spender.privateKey, buildClaimMessage({ mpeAddress: net.contracts.mpe, channelId: prepaidChannel, nonce: 0n, amount: planned }));
    const goValues: GoValue[] = [
      ...spellings.map((s): GoValue => ({ type: 'FreeCallUserData', value: { address: s.address, userId: s.userId, freeCallsMade: s.made, organizationId: net.orgId, serviceId: net.serviceId, groupId: net.groupId.base64 } })),
      {
        type: 'PaymentChannelData',
        value: {
          channelId: prepaidChannel,
          nonce: 0n,
          state: 0n,
          sender: hexBytes(spender.address),
          recipient: hexBytes(net.channel.recipient),
          groupId: hexBytes(net.groupId.hex),
          fullAmount: 1000n,
          expiration: net.channel.expiration,
          signer: hexBytes(spender.address),
          authorizedAmount: planned,
          signature,
        },
      },
      { type: 'PrePaidData', value: { amount: planned } },
      { type: 'PrePaidData', value: { amount: 7n * PRICE } },
      { type: 'PrePaidData', value: { amount: PRICE } },
    ];
    const [made2, made1, channelGob, pGob, uGob, rGob] = await goEncode(tool, goValues);
    await goStore.put(goKeys.freeCallKey(spellings[0] as GoFreeCallKeyParts), made2 as Uint8Array);
    await goStore.put(goKeys.freeCallKey(spellings[1] as GoFreeCallKeyParts), made1 as Uint8Array);
    await goStore.put(goKeys.freeCallLockKey(spellings[0] as GoFreeCallKeyParts), new TextEncoder().encode('unlocked'));
    await goStore.put(`${goPrefixes().mpe}//payment-channel/storage/{ID: ${prepaidChannel}}`, channelGob as Uint8Array);
    await goStore.put(goKeys.prepaidKey(prepaidChannel, 'P'), pGob as Uint8Array);
    await goStore.put(goKeys.prepaidKey(prepaidChannel, 'U'), uGob as Uint8Array);
    await goStore.put(goKeys.prepaidKey(prepaidChannel, 'R'), rGob as Uint8Array);

    const dry = JSON.parse((await cli(['storage', 'import', '--from-go-etcd', etcd.endpoint, '--dry-run', '--json', ...setFlags])).out) as Record<string, unknown>;
    assert.deepEqual(dry['freeCalls'], [{ address, userId: '', made: 3, action: 'copied' }]);
    assert.deepEqual(dry['prepaid'], [{ channelId: prepaidChannel.toString(), planned: planned.toString(), used: (6n * PRICE).toString(), action: 'copied' }]);
    const imported = await cli(['storage', 'import', '--from-go-etcd', etcd.endpoint, ...setFlags]);
    assert.equal(imported.code, 0, imported.out);
    assert.match(imported.out, /free-call counters: 1 \(1 copied\), 3 free calls made/);
    assert.match(imported.out, new RegExp(`prepaid usage: 1 channel\\(s\\) \\(1 copied\\), ${6n * PRICE} of ${planned} planned cogs used`));
    assert.match((await cli(['storage', 'import', '--from-go-etcd', etcd.endpoint, ...setFlags])).out, /free-call counters: 1 \(1 unchanged\)[^]*prepaid usage: 1 channel\(s\) \(1 unchanged\)/);

    const daemon = await startPaidDaemon(net, { payment_channel_storage_type: 'etcd', 'payment_channel_storage_client.endpoints': [etcd.endpoint] });
    const user = v6FreeCallUser(net, daemon.target, userKey);
    const calc = createCalculatorClient(daemon.target, net.serviceProtoFile);
    const control = new grpc.Client(daemon.target, grpc.credentials.createInsecure());
    try {
      // The free-call user gets the 2 calls Go left, then the limit refusal counts all 5.
      assert.equal(user.address, address);
      const { token, error } = await user.token();
      assert.equal(error, undefined, error?.message);
      assert.ok(token !== undefined);
      assert.equal((await user.available(token)).count, net.freeCalls - 3);
      for (let i = 0; i < net.freeCalls - 3; i++) assert.equal((await calc.call('add', i, 1, await user.metadata(token))).value, i + 1);
      assert.equal((await user.available(token)).count, 0);
      const refused = await calc.call('add', 1, 1, await user.metadata(token));
      assert.equal(refused.error?.details, `internal error: free call limit has been exceeded, calls made = ${net.freeCalls}, total free calls eligible = ${net.freeCalls}`);

      // GetToken at the Go-era signed amount renews the token with Go's plan and usage; the 4 prices left pay
      // 4 prepaid calls, the next is refused before the service.
      const renewed = await requestToken(control, net, { amount: planned, channelId: prepaidChannel, privateKey: spender.privateKey });
      assert.equal(renewed.error, undefined, renewed.error?.message);
      assert.deepEqual([renewed.planned, renewed.used], [planned, 6n * PRICE]);
      for (let i = 0; i < 4; i++) assert.equal((await calc.call('mul', i, 2, prepaidMetadata(prepaidChannel, renewed.token as string))).value, i * 2);
      const over = await calc.call('mul', 1, 1, prepaidMetadata(prepaidChannel, renewed.token as string));
      assert.equal(over.error?.code, grpc.status.INTERNAL);
      assert.equal(over.error?.details, `internal error: Usage Exceeded on channel Id ${prepaidChannel}`);
    } finally {
      control.close();
      calc.close();
      user.close();
      await daemon.stop();
    }

    // Rollback: Go's own decoder reads the snetd-ts-era totals. Every spelling Go knows of the user counts all
    // 5 calls (Go grants no more, whichever the client sends), and used − refunded reaches the plan.
    const exported = await cli(['storage', 'export', '--to-go-etcd', etcd.endpoint, ...setFlags]);
    assert.equal(exported.code, 0, exported.out);
    assert.match(exported.out, /free-call counters: 2 \(2 raised\)/);
    assert.match(exported.out, new RegExp(`prepaid usage: 1 channel\\(s\\) \\(1 raised\\), ${planned} of ${planned} planned cogs used`));
    const read = async (key: string): Promise<Uint8Array> => {
      const bytes = await goStore.get(key);
      assert.ok(bytes !== undefined, key);
      return bytes;
    };
    const back = await goDecode(tool, [
      { type: 'FreeCallUserData', gob: await read(goKeys.freeCallKey(spellings[0] as GoFreeCallKeyParts)) },
      { type: 'FreeCallUserData', gob: await read(goKeys.freeCallKey(spellings[1] as GoFreeCallKeyParts)) },
      { type: 'PrePaidData', gob: await read(goKeys.prepaidKey(prepaidChannel, 'P')) },
      { type: 'PrePaidData', gob: await read(goKeys.prepaidKey(prepaidChannel, 'U')) },
      { type: 'PrePaidData', gob: await read(goKeys.prepaidKey(prepaidChannel, 'R')) },
    ]);
    assert.deepEqual(
      back.map((v) => ('error' in v ? v.error : v.type === 'FreeCallUserData' ? [v.value.address, v.value.freeCallsMade] : v.type === 'PrePaidData' ? v.value.amount : v.type)),
      [[address, BigInt(net.freeCalls)], [address.toLowerCase(), BigInt(net.freeCalls)], planned, planned + PRICE, PRICE],
    );
  });
});
