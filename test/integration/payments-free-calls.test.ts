// Free calls on the dev chain through real daemons: a v6 client written here (grpc-js) until its allowance runs
// out, the unmodified npm snet-sdk 2.0.0 speaking the pre-v6 protocol (free calls, then it pays; not configured:
// it pays at once), and the curation refusal.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { fetchMetadataContent, parseMetadataUri } from '../../src/blockchain/index.ts';
import { DEV_ROLES, devAccount, startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { v6FreeCallUser } from '../harness/free-calls.ts';
import { createOfficialSdkClient } from '../harness/payments-official-sdk.ts';
import { createCalculatorClient, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';
import { runSnetd } from '../harness/run-cli.ts';

const PRICE = 3n;
const FREE_CALLS = 3;

void describe('free calls on the dev chain', () => {
  let net: DevNetwork;
  let workDir: string;
  const daemons: PaidDaemon[] = [];
  let metadata: { service: Record<string, unknown>; org: Record<string, unknown> };

  before(async () => {
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE, freeCalls: FREE_CALLS });
    workDir = await mkdtemp(join(tmpdir(), 'snetd-free-calls-'));
    const read = async (uri: string): Promise<Record<string, unknown>> => {
      const location = parseMetadataUri(uri);
      assert.ok(location !== undefined);
      return JSON.parse(new TextDecoder().decode(await fetchMetadataContent(location, { ipfsEndpoint: net.ipfsUrl }))) as Record<string, unknown>;
    };
    metadata = { service: await read(net.serviceMetadataUri), org: await read(net.orgMetadataUri) };
  });

  after(async () => {
    for (const d of daemons) await d.stop();
    await net.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  const daemon = async (overrides: Record<string, unknown> = {}): Promise<PaidDaemon> => {
    const d = await startPaidDaemon(net, overrides);
    daemons.push(d);
    return d;
  };

  void it('behavior: a v6 client makes its free calls until the allowance runs out, then gets the limit refusal (INTERNAL)', async () => {
    const paid = await daemon();
    const user = v6FreeCallUser(net, paid.target, devAccount(DEV_ROLES.thirdParty).privateKey);
    const calc = createCalculatorClient(paid.target, net.serviceProtoFile);
    try {
      const { token, error } = await user.token();
      assert.equal(error, undefined, error?.message);
      assert.ok(token !== undefined);
      for (let i = 0; i < FREE_CALLS; i++) {
        assert.equal((await user.available(token)).count, FREE_CALLS - i);
        const result = await calc.call('add', i, 1, await user.metadata(token));
        assert.equal(result.error, undefined, result.error?.message);
        assert.equal(result.value, i + 1);
      }
      assert.equal((await user.available(token)).count, 0);
      const refused = await calc.call('add', 1, 1, await user.metadata(token));
      assert.equal(refused.error?.code, grpc.status.INTERNAL);
      assert.equal(refused.error?.details, `internal error: free call limit has been exceeded, calls made = ${FREE_CALLS}, total free calls eligible = ${FREE_CALLS}`);
      // A v6 client still gets a token (it asks before every call) and falls through to paying.
      assert.ok((await user.token()).token !== undefined);
    } finally {
      user.close();
      calc.close();
    }
  });

  void it('behavior: the unmodified npm snet-sdk 2.0.0 (pre-v6 protocol) makes its free calls with an owner-issued token, then pays', async () => {
    const paid = await daemon();
    const configPath = join(workDir, 'sdk-daemon.json');
    await writeFile(configPath, JSON.stringify({ ...net.daemonConfig, payment_channel_storage_type: 'memory', 'log.output.type': 'stdout' }));
    const issued = await runSnetd(['freecall', 'token', '--email', 'user@example.com', '--address', net.client.address, '--expiry-blocks', '1000', '-c', configPath]);
    assert.equal(issued.code, 0, issued.stderr);
    const options = JSON.parse(issued.stdout) as Record<string, unknown>;
    const sdk = await createOfficialSdkClient(net, paid.target, metadata, workDir, { extra: options });
    for (let i = 0; i < FREE_CALLS + 2; i++) assert.equal(await sdk.call('add', i, 2), i + 2);
    // FREE_CALLS were free; the two after them were paid on the channel.
    assert.equal((await sdk.channelState()).currentSignedAmount, (PRICE * 2n).toString());
  });

  void it('behavior: with free calls not configured on the daemon, the npm SDK with a token pays at once (GetFreeCallsAvailable 0)', async () => {
    const paid = await daemon({ private_key_for_free_calls: '' });
    const sdk = await createOfficialSdkClient(net, paid.target, metadata, workDir, { extra: { email: 'user@example.com', tokenToMakeFreeCall: 'ab'.repeat(65), tokenExpirationBlock: 99_999_999 } });
    assert.equal(await sdk.call('mul', 6, 7), 42);
    assert.equal((await sdk.channelState()).currentSignedAmount, PRICE.toString());
  });

  void it('error: curation (allowed_user_flag) refuses free calls of users not on the allow-list', async () => {
    const owner = devAccount(DEV_ROLES.owner);
    const paid = await daemon({ allowed_user_flag: true, allowed_user_addresses: [owner.address] });
    const user = v6FreeCallUser(net, paid.target, devAccount(DEV_ROLES.spare).privateKey);
    const calc = createCalculatorClient(paid.target, net.serviceProtoFile);
    try {
      const refused = await user.token();
      assert.equal(refused.error?.code, grpc.status.PERMISSION_DENIED);
      assert.equal(refused.error?.details, 'you are not Authorized to call this service during curation process');
      // With a token from a daemon without curation, the call itself is refused too.
      const open = await daemon();
      const other = v6FreeCallUser(net, open.target, devAccount(DEV_ROLES.spare).privateKey);
      const { token } = await other.token();
      other.close();
      assert.ok(token !== undefined);
      const call = await calc.call('add', 1, 1, await user.metadata(token));
      assert.equal(call.error?.code, grpc.status.PERMISSION_DENIED);
      assert.equal(call.error?.details, 'you are not Authorized to call this service during curation process');
      const allowed = v6FreeCallUser(net, paid.target, owner.privateKey);
      assert.ok((await allowed.token()).token !== undefined);
      allowed.close();
    } finally {
      user.close();
      calc.close();
    }
  });
});
