// The official npm client (snet-sdk 2.0.0, unmodified) makes paid escrow calls through snetd-ts on the dev
// chain: it reads the channel on chain, asks the daemon's GetChannelState for the signed amount, signs
// amount + price with the chain nonce, and the daemon accepts each call once. Then the provider claims on
// chain and the SDK continues on the next nonce (it needs the new nonce's signed amount from the daemon).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeUint } from '../../src/blockchain/index.ts';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { createOfficialSdkClient, loadDevMetadata, type OfficialSdkClient } from '../harness/payments-official-sdk.ts';
import { multiChannelClaim, startClaimsAsOwner, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';

const PRICE = 3n;

void describe('official npm snet-sdk against snetd-ts (dev chain)', () => {
  let net: DevNetwork;
  let paid: PaidDaemon;
  let sdk: OfficialSdkClient;
  let workDir: string;

  before(async () => {
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE });
    paid = await startPaidDaemon(net);
    workDir = await mkdtemp(join(tmpdir(), 'snetd-sdk-'));
    sdk = await createOfficialSdkClient(net, paid.target, await loadDevMetadata(net), workDir);
  });

  after(async () => {
    await paid.stop();
    await net.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  void it('behavior: paid escrow calls made by the SDK are accepted and the state it syncs matches', async () => {
    assert.equal(await sdk.call('add', 20, 22), 42);
    assert.equal(await sdk.call('mul', 6, 7), 42);
    assert.equal(await sdk.call('add', 1, 1), 2);
    const state = await sdk.channelState();
    assert.equal(state.nonce, '0');
    assert.equal(state.currentSignedAmount, (PRICE * 3n).toString());
  });

  void it('behavior: after the provider claims on chain, the SDK continues on the next nonce', async () => {
    const started = await startClaimsAsOwner(net, paid.target, [net.channel.id]);
    assert.equal(started.error, undefined, started.error?.message);
    const [claim] = started.payments ?? [];
    assert.equal(decodeUint(claim?.['signedAmount'] as Uint8Array), PRICE * 3n);
    await multiChannelClaim(net, [{ channelId: net.channel.id, amount: PRICE * 3n, signature: claim?.['signature'] as Uint8Array }]);
    assert.equal(await sdk.call('add', 2, 3), 5);
    assert.equal(await sdk.call('mul', 2, 3), 6);
    const state = await sdk.channelState();
    assert.equal(state.nonce, '1');
    assert.equal(state.currentSignedAmount, (PRICE * 2n).toString());
  });
});
