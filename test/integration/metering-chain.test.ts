// Metering to the marketplace with the blockchain on: a daemon on the dev chain with metering_enabled, a local
// marketplace that checks every signature (test/harness/metering-receiver.ts), and real paid calls of the example
// Calculator. Start-up verification, then one usage POST per call (paid OK, paid but failed, refused) with the
// reference's payload and signed headers at the chain's current block.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { privateKeyToAddress } from '../../src/blockchain/index.ts';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { isSnetError } from '../../src/errors/index.ts';
import { computeDaemonId } from '../../src/ops/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { startMeteringReceiver, type MeteringReceiver, type MeteringRequest } from '../harness/metering-receiver.ts';
import { createCalculatorClient, currentBlock, escrowMetadata, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';

const METERING_KEY = '6c'.repeat(32);
const PRICE = 3n;

void describe('metering with the blockchain on (dev chain)', () => {
  let net: DevNetwork;
  let receiver: MeteringReceiver;
  let paid: PaidDaemon;
  let calculator: ReturnType<typeof createCalculatorClient>;
  let daemonId: string;

  before(async () => {
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE });
    receiver = await startMeteringReceiver(privateKeyToAddress(METERING_KEY));
    paid = await startPaidDaemon(net, { metering_enabled: true, metering_endpoint: receiver.url, private_key_for_metering: METERING_KEY, heartbeat_interval: '0s' });
    calculator = createCalculatorClient(paid.target, net.serviceProtoFile);
    daemonId = computeDaemonId(net.orgId, net.serviceId, net.groupId.base64, net.contracts.registry);
  });
  after(async () => {
    calculator.close();
    await paid?.stop();
    await receiver?.close();
    await net.stop();
  });

  /** The identity headers every metering request carries, and a signature by the metering key at a recent block. */
  const assertSigned = async (request: MeteringRequest, username: string): Promise<void> => {
    assert.equal(request.signer, privateKeyToAddress(METERING_KEY), `${request.path} is signed by private_key_for_metering`);
    assert.equal(request.headers['x-username'], username);
    assert.equal(request.headers['x-daemonid'], daemonId);
    assert.equal(request.headers['x-organizationid'], net.orgId);
    assert.equal(request.headers['x-serviceid'], net.serviceId);
    assert.equal(request.headers['x-groupid'], net.groupId.base64);
    assert.equal(request.headers['x-token'], '');
    const block = BigInt(String(request.headers['x-currentblocknumber']));
    const now = await currentBlock(net);
    assert.ok(block > 0n && block <= now && now - block < 20n, `X-Currentblocknumber ${block} is the chain's (now ${now})`);
  };

  void it('behavior: start-up verification is a signed GET /metering/verify for the daemon id, before the daemon takes calls', async () => {
    const verify = receiver.seen[0];
    assert.ok(verify !== undefined);
    assert.equal(`${verify.method} ${verify.path}`, 'GET /metering/verify');
    assert.equal(verify.headers['x-authtype'], 'verification');
    await assertSigned(verify, daemonId);
    assert.match(paid.logs(), /metering verified/);
  });

  void it('behavior: a usage POST per call, signed, with the reference payload: paid OK, paid but failed by the service, refused', async () => {
    const pay = (amount: bigint): grpc.Metadata => escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount });
    const usage = async (call: () => Promise<unknown>): Promise<{ request: MeteringRequest; record: Record<string, unknown> }> => {
      const from = receiver.seen.length;
      await call();
      const request = await receiver.next(/^\/metering\/usage$/, from);
      return { request, record: JSON.parse(request.body) as Record<string, unknown> };
    };

    const ok = await usage(() => calculator.call('add', 2, 3, pay(PRICE)));
    assert.equal(ok.request.method, 'POST');
    await assertSigned(ok.request, '');
    assert.deepEqual(
      { ...ok.record, request_id: '', request_received_time: '', response_sent_time: '', response_time: '', start_time: '', end_time: '', user_agent: '' },
      {
        type: 'response',
        registry_address_key: net.contracts.registry,
        ethereum_json_rpc_endpoint: net.rpcUrl,
        request_id: '',
        organization_id: net.orgId,
        service_id: net.serviceId,
        group_id: net.groupId.base64,
        service_method: '/example_service.Calculator/add',
        response_sent_time: '',
        request_received_time: '',
        response_time: '',
        response_code: 'OK',
        error_message: '',
        version: 'test',
        client_type: '',
        user_details: '',
        user_agent: '',
        channel_id: net.channel.id.toString(),
        username: '',
        operation: 'read',
        usage_type: 'apicall',
        status: 'success',
        start_time: '',
        end_time: '',
        usage_value: 1,
        time_zone: '',
        payment_mode: 'escrow',
        user_address: '',
      },
    );
    assert.match(String(ok.record['request_id']), /^[0-9a-v]{20}$/);
    assert.match(String(ok.record['start_time']), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/);
    assert.match(String(ok.record['response_time']), /^\d+\.\d{4}$/);
    assert.match(String(ok.record['user_agent']), /grpc-node-js/);

    const failed = await usage(() => calculator.call('div', 1, 0, pay(2n * PRICE)));
    await assertSigned(failed.request, '');
    assert.equal(failed.record['service_method'], '/example_service.Calculator/div');
    assert.equal(failed.record['response_code'], 'INVALID_ARGUMENT');
    assert.equal(failed.record['status'], 'failed');
    assert.equal(failed.record['error_message'], 'division by zero');

    const refused = await usage(() => calculator.call('add', 1, 1, new grpc.Metadata()));
    await assertSigned(refused.request, '');
    assert.equal(refused.record['response_code'], 'INVALID_ARGUMENT');
    assert.equal(refused.record['status'], 'failed');
    assert.equal(refused.record['payment_mode'], '');
    assert.equal(refused.record['channel_id'], '');
    assert.ok(receiver.seen.every((request) => request.signer === privateKeyToAddress(METERING_KEY)), 'every request the receiver saw was correctly signed');
  });

  void it('error: a marketplace that refuses the verification stops the start with METERING_VERIFICATION_FAILED', async () => {
    receiver.verifyAnswer = { status: 403, body: '{"error":"unknown daemon"}' };
    try {
      await assert.rejects(
        startPaidDaemon(net, { metering_enabled: true, metering_endpoint: receiver.url, private_key_for_metering: METERING_KEY, heartbeat_interval: '0s' }),
        (error) => isSnetError(error, 'METERING_VERIFICATION_FAILED') && /metering\/verify: HTTP 403/.test(error.message),
      );
    } finally {
      receiver.verifyAnswer = { status: 200, body: '{"data":"success"}' };
    }
  });
});
