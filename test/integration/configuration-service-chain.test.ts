// The configuration service with the blockchain enabled (dev chain): the signed block must be within 5
// blocks of the chain's, checked before the signature; the stop switch refuses paid calls before any
// payment work and they go through again, on the same channel, after Start.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { privateKeyToAddress } from '../../src/blockchain/index.ts';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { callAdmin } from '../harness/admin-client.ts';
import { createCalculatorClient, currentBlock, escrowMetadata, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';

const PRICE = 3n;
const adminKey = `0x${'33'.repeat(32)}`;

describe('configuration service on the dev chain', () => {
  let net: DevNetwork;
  let paid: PaidDaemon;
  let admin: grpc.Client;
  let calculator: ReturnType<typeof createCalculatorClient>;

  before(async () => {
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE });
    paid = await startPaidDaemon(net, { authentication_addresses: privateKeyToAddress(adminKey) });
    admin = new grpc.Client(paid.target, grpc.credentials.createInsecure());
    calculator = createCalculatorClient(paid.target, net.serviceProtoFile);
  });
  after(async () => {
    admin.close();
    calculator.close();
    await paid.stop();
    await net.stop();
  });

  const pay = (amount: bigint): grpc.Metadata => escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount });

  it('error: a block more than 5 away from the chain\'s is refused UNAUTHENTICATED with the reference text, even with a bad signature', async () => {
    const block = await currentBlock(net);
    const old = await callAdmin(admin, 'IsDaemonProcessingRequests', { key: adminKey, block: block + 50n });
    assert.equal(old.error?.code, grpc.status.UNAUTHENTICATED);
    assert.equal(old.error?.details, 'authentication failed as the signature passed has expired');
    const garbage = await callAdmin(admin, 'IsDaemonProcessingRequests', { signature: new Uint8Array(65).fill(7), block: block + 50n });
    assert.equal(garbage.error?.details, 'authentication failed as the signature passed has expired', 'drift is checked before the signature');
    const fresh = await callAdmin(admin, 'IsDaemonProcessingRequests', { key: adminKey, block });
    assert.equal(fresh.error, undefined, fresh.error?.message);
    assert.equal(fresh.reply?.['currentProcessingStatus'], 'IDLE');
  });

  it('behavior: stopped, a paid call is refused UNAVAILABLE and charges nothing; after Start the same payment goes through', async () => {
    assert.equal((await calculator.call('add', 1, 2, pay(PRICE))).value, 3);
    const stop = await callAdmin(admin, 'StopProcessingRequests', { key: adminKey, block: await currentBlock(net) });
    assert.equal(stop.error, undefined, stop.error?.message);
    const refused = await calculator.call('add', 2, 2, pay(2n * PRICE));
    assert.equal(refused.error?.code, grpc.status.UNAVAILABLE);
    assert.equal(refused.error?.details, 'No requests are currently being processed, please try again later');
    const start = await callAdmin(admin, 'StartProcessingRequests', { key: adminKey, block: await currentBlock(net) });
    assert.equal(start.error, undefined, start.error?.message);
    assert.equal((await calculator.call('add', 2, 2, pay(2n * PRICE))).value, 4, 'the refused payment was not counted: the same amount is accepted now');
  });
});
