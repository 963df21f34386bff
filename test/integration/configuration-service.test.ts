// The configuration service through the real daemon (startDaemon from a config, blockchain disabled: no
// block drift check, as the reference): authentication refusals, GetConfiguration with secrets hidden, the
// stop switch with a call in flight, and UpdateConfiguration taking effect without a restart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { buildConfigurationMessage, privateKeyToAddress, signMessage } from '../../src/blockchain/index.ts';
import { callAdmin } from '../harness/admin-client.ts';
import { startConfiguredDaemon, type ConfiguredDaemon } from '../harness/configured-daemon.ts';
import { createTestClient, startTestService, type TestService } from '../harness/grpc-test-service.ts';

const adminKey = `0x${'11'.repeat(32)}`;
const strangerKey = `0x${'22'.repeat(32)}`;
const tokenSecret = 'a-private-token-secret-of-more-than-32-bytes!!';
const freeCallKey = 'a1'.repeat(32);

function unary(client: ReturnType<typeof createTestClient>, request: object = { text: 'hi' }): Promise<{ ok: boolean; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    (client['unary'] as unknown as (r: object, m: grpc.Metadata, cb: (e: grpc.ServiceError | null) => void) => void)(request, new grpc.Metadata(), (error) =>
      resolve(error === null ? { ok: true } : { ok: false, error }),
    );
  });
}

describe('configuration service through the daemon', () => {
  let service: TestService;
  let daemon: ConfiguredDaemon;
  let admin: grpc.Client;
  let client: ReturnType<typeof createTestClient>;

  before(async () => {
    service = await startTestService();
    daemon = await startConfiguredDaemon({
      service_endpoint: `http://127.0.0.1:${service.port}`,
      authentication_addresses: privateKeyToAddress(adminKey),
      token_secret_key: tokenSecret,
      private_key_for_free_calls: freeCallKey,
      'log.formatter.type': 'json',
    });
    admin = new grpc.Client(daemon.target, grpc.credentials.createInsecure());
    client = createTestClient(daemon.target);
  });
  after(async () => {
    admin.close();
    client.close();
    await daemon.stop();
    await service.stop();
  });

  it('error: no auth → UNAUTHENTICATED; a short signature → INVALID_ARGUMENT; a stranger → PERMISSION_DENIED naming the signer', async () => {
    const noAuth = await callAdmin(admin, 'GetConfiguration', { noAuth: true });
    assert.equal(noAuth.error?.code, grpc.status.UNAUTHENTICATED);
    assert.match(noAuth.error?.details ?? '', /has no auth/);
    const short = await callAdmin(admin, 'StopProcessingRequests', { signature: new Uint8Array(10) });
    assert.equal(short.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(short.error?.details, 'incorrect signature length');
    const stranger = await callAdmin(admin, 'StopProcessingRequests', { key: strangerKey });
    assert.equal(stranger.error?.code, grpc.status.PERMISSION_DENIED);
    assert.equal(stranger.error?.details, `unauthorized access, ${privateKeyToAddress(strangerKey)} is not authorized`);
    const otherMethod = await callAdmin(admin, 'StopProcessingRequests', { signature: signMessage(adminKey, buildConfigurationMessage({ method: 'GetConfiguration', currentBlock: 0n })) });
    assert.equal(otherMethod.error?.code, grpc.status.PERMISSION_DENIED, 'a signature for another RPC recovers another signer');
    assert.equal((await unary(client)).ok, true, 'nothing was stopped');
  });

  it('behavior: GetConfiguration lists every key with secrets hidden and the schema marks updatable keys', async () => {
    const answer = await callAdmin(admin, 'GetConfiguration', { key: adminKey });
    assert.equal(answer.error, undefined, answer.error?.message);
    const current = answer.reply?.['currentConfiguration'] as Record<string, string>;
    assert.equal(current['token_secret_key'], '[hidden]');
    assert.equal(current['private_key_for_free_calls'], '[hidden]');
    assert.equal(current['service_endpoint'], `http://127.0.0.1:${service.port}`);
    assert.equal(current['log.level'], 'info');
    const text = JSON.stringify(answer.reply);
    assert.ok(!text.includes(tokenSecret) && !text.includes(freeCallKey), 'no secret in the answer');
    const details = (answer.reply?.['schema'] as { details: { name: string; editable: boolean; restartDaemon: string }[] }).details;
    const byName = new Map(details.map((d) => [d.name, d]));
    assert.deepEqual([byName.get('rate_limit_per_minute')?.editable, byName.get('rate_limit_per_minute')?.restartDaemon], [true, 'NO_IMPACT']);
    assert.deepEqual([byName.get('daemon_endpoint')?.editable, byName.get('daemon_endpoint')?.restartDaemon], [false, 'RESTART_REQUIRED']);
    assert.ok(byName.has('log.output.file_pattern'), 'nested keys are dotted');
  });

  it('behavior: StopProcessingRequests lets a call in flight finish, refuses new ones with UNAVAILABLE; daemon services still answer; Start resumes', async () => {
    const inFlight = unary(client, { text: 'slow', delayMs: 1500 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const busy = await callAdmin(admin, 'IsDaemonProcessingRequests', { key: adminKey });
    assert.equal(busy.reply?.['currentProcessingStatus'], 'REQUEST_IN_PROGRESS');
    const stop = await callAdmin(admin, 'StopProcessingRequests', { key: adminKey });
    assert.equal(stop.reply?.['currentProcessingStatus'], 'HAS_STOPPED_PROCESSING_REQUESTS');
    const refused = await unary(client);
    assert.equal(refused.error?.code, grpc.status.UNAVAILABLE);
    assert.equal(refused.error?.details, 'No requests are currently being processed, please try again later');
    assert.deepEqual(await inFlight, { ok: true }, 'the call in flight finished');
    const stopped = await callAdmin(admin, 'IsDaemonProcessingRequests', { key: adminKey });
    assert.equal(stopped.reply?.['currentProcessingStatus'], 'HAS_STOPPED_PROCESSING_REQUESTS');
    const stopLine = daemon.logs().split('\n').find((line) => line.includes('request processing stopped by an administrator'));
    assert.ok(stopLine?.includes(privateKeyToAddress(adminKey)), 'the admin action is logged with the admin\'s address');
    const start = await callAdmin(admin, 'StartProcessingRequests', { key: adminKey });
    assert.equal(start.reply?.['currentProcessingStatus'], 'REQUEST_IN_PROGRESS');
    assert.equal((await unary(client)).ok, true);
    const idle = await callAdmin(admin, 'IsDaemonProcessingRequests', { key: adminKey });
    assert.equal(idle.reply?.['currentProcessingStatus'], 'IDLE');
  });

  it('behavior: UpdateConfiguration applies a rate limit at once, without a restart, and GetConfiguration shows it', async () => {
    const update = await callAdmin(admin, 'UpdateConfiguration', { key: adminKey, updates: { rate_limit_per_minute: '60', burst_size: '1' } });
    assert.equal(update.error, undefined, update.error?.message);
    assert.equal((update.reply?.['currentConfiguration'] as Record<string, string>)['rate_limit_per_minute'], '60');
    assert.equal((await unary(client)).ok, true);
    const limited = await unary(client);
    assert.equal(limited.error?.code, grpc.status.RESOURCE_EXHAUSTED);
    const lifted = await callAdmin(admin, 'UpdateConfiguration', { key: adminKey, updates: { rate_limit_per_minute: '0' } });
    assert.equal(lifted.error, undefined, lifted.error?.message);
    assert.equal((await unary(client)).ok, true, 'unlimited again');
  });

  it('error: a restart-only key, an unknown key or a bad value is refused naming it, and nothing of the request is applied', async () => {
    const restart = await callAdmin(admin, 'UpdateConfiguration', { key: adminKey, updates: { daemon_endpoint: '127.0.0.1:9', rate_limit_per_minute: '1' } });
    assert.equal(restart.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(restart.error?.details ?? '', /daemon_endpoint: needs a restart/);
    const unknown = await callAdmin(admin, 'UpdateConfiguration', { key: adminKey, updates: { no_such_key: '1' } });
    assert.match(unknown.error?.details ?? '', /no_such_key: unknown key/);
    const bad = await callAdmin(admin, 'UpdateConfiguration', { key: adminKey, updates: { rate_limit_per_minute: '-5', 'log.level': 'loud' } });
    assert.equal(bad.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(bad.error?.details ?? '', /rate_limit_per_minute: must be 0/);
    assert.match(bad.error?.details ?? '', /log\.level: allowed:/);
    const after = await callAdmin(admin, 'GetConfiguration', { key: adminKey });
    const current = after.reply?.['currentConfiguration'] as Record<string, string>;
    assert.equal(current['rate_limit_per_minute'], '0');
    assert.equal(current['log.level'], 'info');
    assert.equal((await unary(client)).ok, true, 'no rate limit was set by the refused request');
  });

  it('behavior: log.level and cors_allowed_origins change live', async () => {
    assert.equal((await callAdmin(admin, 'UpdateConfiguration', { key: adminKey, updates: { 'log.level': 'error' } })).error, undefined);
    const before = daemon.logs().length;
    await callAdmin(admin, 'StopProcessingRequests', { key: adminKey });
    await callAdmin(admin, 'StartProcessingRequests', { key: adminKey });
    assert.doesNotMatch(daemon.logs().slice(before), /request processing (stopped|started)/, 'warn lines are below the new level');
    assert.equal((await callAdmin(admin, 'UpdateConfiguration', { key: adminKey, updates: { 'log.level': 'info' } })).error, undefined);

    const preflight = (origin: string): Promise<Response> =>
      fetch(`http://${daemon.target}/snet.test.TestService/Unary`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    assert.equal((await preflight('https://b.example')).headers.get('access-control-allow-origin'), '*');
    assert.equal((await callAdmin(admin, 'UpdateConfiguration', { key: adminKey, updates: { cors_allowed_origins: 'https://a.example' } })).error, undefined);
    assert.equal((await preflight('https://b.example')).headers.get('access-control-allow-origin'), null);
    assert.equal((await preflight('https://a.example')).headers.get('access-control-allow-origin'), 'https://a.example');
  });
});

describe('configuration service with an empty admin list', () => {
  it('error: every RPC answers PERMISSION_DENIED', async () => {
    const daemon = await startConfiguredDaemon({ passthrough_enabled: false });
    const admin = new grpc.Client(daemon.target, grpc.credentials.createInsecure());
    try {
      const answer = await callAdmin(admin, 'StopProcessingRequests', { key: adminKey });
      assert.equal(answer.error?.code, grpc.status.PERMISSION_DENIED);
      assert.match(answer.error?.details ?? '', /authentication_addresses is empty/);
    } finally {
      admin.close();
      await daemon.stop();
    }
  });
});
