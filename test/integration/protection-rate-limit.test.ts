// Rate limiting through the real daemon: `snetd serve`'s startDaemon from a config, the test gRPC
// service behind it, grpc-js clients in front. The bucket is counted exactly: the burst, the refusal
// with the reference's text and a retry hint, one more call after the hinted wait, the burst defaulted
// when only the rate is set, per-client isolation, and the daemon's own services unaffected by a proxied flood.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { startConfiguredDaemon, type ConfiguredDaemon } from '../harness/configured-daemon.ts';
import { createTestClient, startTestService, type TestService } from '../harness/grpc-test-service.ts';

const statusTypes = protobuf.parse(`
  syntax = "proto3";
  package google.rpc;
  message Any { string type_url = 1; bytes value = 2; }
  message Duration { int64 seconds = 1; int32 nanos = 2; }
  message RetryInfo { Duration retry_delay = 1; }
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
`).root;

type Outcome = { ok: true } | { ok: false; error: grpc.ServiceError };

function unary(client: ReturnType<typeof createTestClient>, metadata = new grpc.Metadata()): Promise<Outcome> {
  return new Promise((resolve) => {
    (client['unary'] as unknown as (r: object, m: grpc.Metadata, cb: (e: grpc.ServiceError | null) => void) => void)({ text: 'hi' }, metadata, (error) =>
      resolve(error === null ? { ok: true } : { ok: false, error }),
    );
  });
}

function channelHeader(id: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('snet-payment-channel-id', id);
  return metadata;
}

/** The RetryInfo delay in ms from `grpc-status-details-bin`, checking the Status inside matches the call's status. */
function retryDelayMs(error: grpc.ServiceError): number {
  const raw = error.metadata.get('grpc-status-details-bin')[0];
  assert.ok(Buffer.isBuffer(raw), 'grpc-status-details-bin is present');
  const Status = statusTypes.lookupType('google.rpc.Status');
  const status = Status.toObject(Status.decode(raw), { longs: Number }) as { code: number; message: string; details: { typeUrl: string; value: Uint8Array }[] };
  assert.equal(status.code, grpc.status.RESOURCE_EXHAUSTED);
  assert.equal(status.message, 'rate limiting , too many requests to handle');
  assert.equal(status.details[0]?.typeUrl, 'type.googleapis.com/google.rpc.RetryInfo');
  const RetryInfo = statusTypes.lookupType('google.rpc.RetryInfo');
  const info = RetryInfo.toObject(RetryInfo.decode(status.details[0].value), { longs: Number, defaults: true }) as { retryDelay: { seconds: number; nanos: number } };
  return info.retryDelay.seconds * 1000 + info.retryDelay.nanos / 1e6;
}

function assertRateLimited(outcome: Outcome): grpc.ServiceError {
  assert.equal(outcome.ok, false, 'refused');
  if (outcome.ok) throw new Error('unreachable');
  assert.equal(outcome.error.code, grpc.status.RESOURCE_EXHAUSTED);
  assert.equal(outcome.error.details, 'rate limiting , too many requests to handle');
  return outcome.error;
}

describe('rate limiting through the daemon', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
  });
  after(async () => {
    await service.stop();
  });

  describe('global bucket: rate_limit_per_minute 12 (one call per 5 s), burst_size 3', () => {
    let daemon: ConfiguredDaemon;
    let client: ReturnType<typeof createTestClient>;
    before(async () => {
      daemon = await startConfiguredDaemon({ service_endpoint: `http://127.0.0.1:${service.port}`, rate_limit_per_minute: 12, burst_size: 3 });
      client = createTestClient(daemon.target);
    });
    after(async () => {
      client.close();
      await daemon.stop();
    });

    it('behavior: three calls pass, the fourth is refused with retry-after and RetryInfo; after the hinted wait exactly one more passes', async () => {
      const burst = [await unary(client), await unary(client), await unary(client)];
      assert.deepEqual(burst.map((o) => o.ok), [true, true, true]);
      const refused = assertRateLimited(await unary(client));
      const retryAfter = Number(refused.metadata.get('retry-after')[0]);
      const delayMs = retryDelayMs(refused);
      assert.ok(delayMs > 0 && delayMs <= 5000, `RetryInfo delay ${delayMs} ms is within one refill interval`);
      assert.equal(retryAfter, Math.ceil(delayMs / 1000), 'retry-after is the delay in whole seconds, rounded up');
      await sleep(delayMs + 50);
      assert.equal((await unary(client)).ok, true, 'one token refilled');
      assertRateLimited(await unary(client));
    });

    it('behavior: the daemon\'s own services have their own bucket: health answers while proxied calls are refused', async () => {
      assertRateLimited(await unary(client));
      const health = new grpc.Client(daemon.target, grpc.credentials.createInsecure());
      try {
        const statuses = await Promise.all(
          Array.from({ length: 20 }, () =>
            new Promise<number>((resolve) => {
              health.makeUnaryRequest('/grpc.health.v1.Health/Check', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (error) => resolve(error === null ? 0 : error.code));
            }),
          ),
        );
        assert.deepEqual(new Set(statuses), new Set([0]));
      } finally {
        health.close();
      }
    });
  });

  describe('rate_limit_per_minute alone (no burst_size): the bucket defaults to the per-minute rate', () => {
    let daemon: ConfiguredDaemon;
    let client: ReturnType<typeof createTestClient>;
    before(async () => {
      // The reference's missing burst limits nothing; here 4 a minute means a bucket of 4.
      daemon = await startConfiguredDaemon({ service_endpoint: `http://127.0.0.1:${service.port}`, rate_limit_per_minute: 4 });
      client = createTestClient(daemon.target);
    });
    after(async () => {
      client.close();
      await daemon.stop();
    });

    it('behavior: four calls pass, the fifth is refused', async () => {
      const burst = [await unary(client), await unary(client), await unary(client), await unary(client)];
      assert.deepEqual(burst.map((o) => o.ok), [true, true, true, true]);
      const refused = assertRateLimited(await unary(client));
      assert.ok(retryDelayMs(refused) <= 15_000, 'one token refills within a quarter minute');
    });
  });

  describe('per-client buckets: 12 a minute, burst 2 each; global 600', () => {
    let daemon: ConfiguredDaemon;
    let client: ReturnType<typeof createTestClient>;
    before(async () => {
      daemon = await startConfiguredDaemon({
        service_endpoint: `http://127.0.0.1:${service.port}`,
        rate_limit_per_minute: 600,
        rate_limit_per_client_per_minute: 12,
        rate_limit_per_client_burst: 2,
      });
      client = createTestClient(daemon.target);
    });
    after(async () => {
      client.close();
      await daemon.stop();
    });

    it('behavior: channel 1 spends its two calls and is refused; channel 2 and an unpaid caller (by IP) still get theirs', async () => {
      const channel1 = [await unary(client, channelHeader('1')), await unary(client, channelHeader('1'))];
      assert.deepEqual(channel1.map((o) => o.ok), [true, true]);
      assertRateLimited(await unary(client, channelHeader('1')));
      const channel2 = [await unary(client, channelHeader('2')), await unary(client, channelHeader('2'))];
      assert.deepEqual(channel2.map((o) => o.ok), [true, true]);
      assertRateLimited(await unary(client, channelHeader('2')));
      const byIp = [await unary(client), await unary(client)];
      assert.deepEqual(byIp.map((o) => o.ok), [true, true]);
      assertRateLimited(await unary(client));
      assertRateLimited(await unary(client, channelHeader('1')));
    });
  });
});
