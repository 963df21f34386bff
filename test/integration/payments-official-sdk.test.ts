// The official npm client (snet-sdk 2.0.0, unmodified) makes paid escrow calls through snetd-ts on the dev
// chain: it reads the channel on chain, asks the daemon's GetChannelState for the signed amount, signs
// amount + price with the chain nonce, and the daemon accepts each call once. Then the provider claims on
// chain and the SDK continues on the next nonce (it needs the new nonce's signed amount from the daemon).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { buildStartClaimForMultipleChannelsMessage, decodeUint, fetchMetadataContent, parseMetadataUri, signMessage } from '../../src/blockchain/index.ts';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { providerControlPaths } from '../../src/services/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { createOfficialSdkClient, type OfficialSdkClient } from '../harness/payments-official-sdk.ts';
import { callEscrowService, currentBlock, escrowTypes, multiChannelClaim, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';

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
    const read = async (uri: string): Promise<Record<string, unknown>> => {
      const location = parseMetadataUri(uri);
      assert.ok(location !== undefined);
      return JSON.parse(new TextDecoder().decode(await fetchMetadataContent(location, { ipfsEndpoint: net.ipfsUrl }))) as Record<string, unknown>;
    };
    sdk = await createOfficialSdkClient(net, paid.target, { service: await read(net.serviceMetadataUri), org: await read(net.orgMetadataUri) }, workDir);
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
    const control = new grpc.Client(paid.target, grpc.credentials.createInsecure());
    try {
      const block = await currentBlock(net);
      const started = await callEscrowService(control, providerControlPaths.startClaimForMultipleChannels, escrowTypes.StartMultipleClaimRequest, escrowTypes.PaymentsListReply, {
        mpeAddress: net.contracts.mpe,
        channelIds: [net.channel.id.toString()],
        currentBlock: block.toString(),
        signature: signMessage(net.owner.privateKey, buildStartClaimForMultipleChannelsMessage({ mpeAddress: net.contracts.mpe, channelIds: [net.channel.id], currentBlock: block })),
      });
      assert.equal(started.error, undefined, started.error?.message);
      const [claim] = started.reply?.['payments'] as Array<Record<string, unknown>>;
      assert.equal(decodeUint(claim?.['signedAmount'] as Uint8Array), PRICE * 3n);
      await multiChannelClaim(net, [{ channelId: net.channel.id, amount: PRICE * 3n, signature: claim?.['signature'] as Uint8Array }]);
    } finally {
      control.close();
    }
    assert.equal(await sdk.call('add', 2, 3), 5);
    assert.equal(await sdk.call('mul', 2, 3), 6);
    const state = await sdk.channelState();
    assert.equal(state.nonce, '1');
    assert.equal(state.currentSignedAmount, (PRICE * 2n).toString());
  });
});
