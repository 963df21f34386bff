// The official npm client (snet-sdk 2.0.0, unmodified) in its DEFAULT mode pays with prepaid (concurrency) tokens:
// its DefaultPaymentStrategy skips free calls (no e-mail / free-call token configured: it fails that check inside
// the SDK without calling the daemon), then, `concurrency` being on by default, asks TokenService/GetToken for a
// token and sends prepaid-call headers. SDK behaviour the test relies on (its ConcurrencyManager.js):
// - it first asks for a token at its current signed amount and reuses it when used < planned, else it signs
//   current + price × concurrentCalls (1 by default) and asks again;
// - the token is cached for the life of the service client and never renewed: one client makes exactly
//   `concurrentCalls` prepaid calls, the next is refused with the daemon's "Usage Exceeded"; a new client goes on.
// Unlike the reference daemon, a channel already used with escrow switches to prepaid (the reference answers
// `unable to retrieve planned Amount` to the SDK's first GetToken there).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { createOfficialSdkClient, loadDevMetadata } from '../harness/payments-official-sdk.ts';
import { startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';

const PRICE = 3n;

void describe('official npm snet-sdk in its default mode (prepaid) against snetd-ts (dev chain)', () => {
  let net: DevNetwork;
  let paid: PaidDaemon;
  let workDir: string;
  let metadata: { service: Record<string, unknown>; org: Record<string, unknown> };

  before(async () => {
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE });
    paid = await startPaidDaemon(net);
    workDir = await mkdtemp(join(tmpdir(), 'snetd-sdk-prepaid-'));
    metadata = await loadDevMetadata(net);
  });

  after(async () => {
    await paid.stop();
    await net.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  void it('behavior: prepaid calls on a channel used with escrow before; one call per SDK client (its token is cached forever); all of it claimable', async () => {
    const escrowClient = await createOfficialSdkClient(net, paid.target, metadata, workDir, { mode: 'escrow' });
    assert.equal(await escrowClient.call('add', 1, 2), 3);

    const first = await createOfficialSdkClient(net, paid.target, metadata, workDir, { mode: 'default' });
    assert.equal(await first.call('add', 20, 22), 42);
    // The SDK never asks again for this client: its cached token is used up.
    await assert.rejects(first.call('mul', 6, 7), (err: Error & { details?: string }) => {
      assert.equal(err.details ?? err.message, `internal error: Usage Exceeded on channel Id ${net.channel.id}`);
      return true;
    });

    const second = await createOfficialSdkClient(net, paid.target, metadata, workDir, { mode: 'default' });
    assert.equal(await second.call('mul', 6, 7), 42);
    // Escrow (1 price) + two tokens of one price each: what the provider can claim.
    const state = await second.channelState();
    assert.equal(state.currentSignedAmount, (PRICE * 3n).toString());
  });
});
