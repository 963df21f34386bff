// The metering client against a local HTTP receiver that checks each request's signature the way the
// marketplace does: recover the signer of "_usage" ‖ username ‖ org ‖ service ‖ group ‖ uint256(block).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildMeteringMessage, privateKeyToAddress, signMessage } from '../../blockchain/index.ts';
import { createSilentLogger } from '../../shared/index.ts';
import { startMeteringReceiver, type MeteringReceiver, type MeteringRequest as Seen } from '../../../test/harness/metering-receiver.ts';
import { createMeteringClient, formatMeteringTime } from './metering-client.ts';
import { createSignedHeaders } from './signed-headers.ts';

const privateKey = '4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d';
const signer = privateKeyToAddress(privateKey);

describe('createMeteringClient()', () => {
  let receiver: MeteringReceiver;
  let base: string;
  before(async () => {
    receiver = await startMeteringReceiver(signer);
    base = receiver.url;
  });
  after(() => receiver.close());

  const client = () =>
    createMeteringClient({
      endpoint: base,
      signedHeaders: createSignedHeaders({
        daemonId: 'd'.repeat(64),
        organizationId: 'org',
        serviceId: 'svc',
        groupId: 'Z3JvdXA=',
        signUsage: (username, currentBlock) => signMessage(privateKey, buildMeteringMessage({ username, organizationId: 'org', serviceId: 'svc', groupId: 'Z3JvdXA=', currentBlock }), { recoveryByte: 'raw' }),
        currentBlock: () => Promise.resolve(1234n),
      }),
      daemonId: 'd'.repeat(64),
      organizationId: 'org',
      serviceId: 'svc',
      groupId: 'Z3JvdXA=',
      registryAddress: '0xregistry',
      rpcEndpoint: 'http://rpc',
      version: 'v-test',
      logger: createSilentLogger(),
    });

  it('behavior: verification, usage and channel balance with signed headers the receiver accepts', async () => {
    const metering = client();
    await metering.verify();
    metering.reportCall({
      method: '/example.Calc/Add',
      code: 0,
      message: '',
      startedAtMs: Date.parse('2026-01-02T03:04:05.120Z'),
      endedAtMs: Date.parse('2026-01-02T03:04:05.371Z'),
      metadata: { 'snet-payment-type': 'escrow', 'snet-payment-channel-id': '7', 'user-agent': 'grpc-node', 'snet-client-type': ['a', 'b'] },
    });
    metering.reportChannelBalance({ channelId: 7n, nonce: 2n, authorizedAmount: 10n ** 20n, fullAmount: 5n, sender: '0xSender' });
    await metering.idle();
    const seen = receiver.seen;
    assert.deepEqual(seen.map((s) => `${s.method} ${s.path} ${s.signer === signer}`), ['GET /metering/verify true', 'POST /metering/usage true', 'POST /contract-api/channel/7/balance true']);
    const verify = seen[0] as Seen;
    assert.equal(verify.headers['x-authtype'], 'verification');
    assert.equal(verify.headers['x-username'], 'd'.repeat(64));
    assert.equal(verify.headers['x-daemonid'], 'd'.repeat(64));
    assert.equal(verify.headers['x-token'], '');
    assert.equal(verify.headers['x-currentblocknumber'], '1234');
    assert.equal((seen[1] as Seen).headers['x-username'], '', 'a usage record is signed for its username: no free-call user here');
    const usage = JSON.parse((seen[1] as Seen).body) as Record<string, unknown>;
    assert.equal(usage['type'], 'response');
    assert.equal(usage['service_method'], '/example.Calc/Add');
    assert.equal(usage['response_code'], 'OK');
    assert.equal(usage['status'], 'success');
    assert.equal(usage['response_time'], '0.2510');
    assert.equal(usage['request_received_time'], '2026-01-02 03:04:05.12');
    assert.equal(usage['channel_id'], '7');
    assert.equal(usage['payment_mode'], 'escrow');
    assert.equal(usage['client_type'], '', 'a header sent twice is not copied');
    assert.equal(usage['usage_value'], 1);
    assert.match(String(usage['request_id']), /^[0-9a-v]{20}$/);
    const balance = seen[2] as Seen;
    assert.equal(balance.headers['x-username'], '0xSender');
    assert.equal(balance.body, '{"OrganizationID":"org","ServiceID":"svc","GroupID":"Z3JvdXA=","AuthorizedAmount":100000000000000000000,"FullAmount":5,"ChannelId":7,"Nonce":2}');
  });

  it('error: a marketplace that does not answer {"data":"success"} stops the start with METERING_VERIFICATION_FAILED', async () => {
    receiver.verifyAnswer = { status: 200, body: '{"data":"nope"}' };
    await assert.rejects(client().verify(), (error: Error & { code?: string }) => error.code === 'METERING_VERIFICATION_FAILED' && /Metering authentication failed/.test(error.message));
    receiver.verifyAnswer = { status: 200, body: '{"data":"success"}' };
  });

  it('behavior: Go time layout of the usage record', () => {
    assert.equal(formatMeteringTime(Date.parse('2026-01-02T03:04:05.000Z')), '2026-01-02 03:04:05');
    assert.equal(formatMeteringTime(Date.parse('2026-01-02T03:04:05.100Z')), '2026-01-02 03:04:05.1');
  });
});
