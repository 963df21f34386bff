import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSnetError } from '../errors/index.ts';
import type { CallContext } from './call-context.ts';
import { applyInterceptors } from './interceptor.ts';
import { createRateLimiter, createRateLimitInterceptor, rateLimitClientKey, type RateLimitSettings } from './rate-limit.ts';
import { createProcessingSwitch, createStopSwitchInterceptor } from './stop-switch.ts';

const off = { perMinute: 0, burst: 1 };
const settings = (over: Partial<RateLimitSettings>): RateLimitSettings => ({ global: off, perClient: off, maxClients: 100, ...over });
const call = (headers: Record<string, string> = {}, ip = '10.0.0.1'): Pick<CallContext, 'requestMetadata' | 'remoteAddress'> => ({ requestMetadata: headers, remoteAddress: ip });

describe('createRateLimiter()', () => {
  it('behavior: a full bucket of `burst` calls, then one call per 60000/rate ms; the wait is exact', () => {
    let now = 1_000_000;
    const limiter = createRateLimiter(settings({ global: { perMinute: 60, burst: 3 } }), () => now);
    assert.deepEqual([0, 0, 0].map(() => limiter.admit(call())), [0, 0, 0]);
    assert.equal(limiter.admit(call()), 1000);
    now += 400;
    assert.equal(limiter.admit(call()), 600, 'a refused call takes no token');
    now += 600;
    assert.equal(limiter.admit(call()), 0);
    assert.equal(limiter.admit(call()), 1000);
    now += 10 * 60_000;
    assert.deepEqual([0, 0, 0, 1].map(() => limiter.admit(call()) > 0), [false, false, false, true], 'never more than burst saved up');
  });

  it('behavior: rate below one a minute still admits one call (burst at least 1)', () => {
    let now = 0;
    const limiter = createRateLimiter(settings({ global: { perMinute: 0.5, burst: 1 } }), () => now);
    assert.equal(limiter.admit(call()), 0);
    assert.equal(limiter.admit(call()), 120_000);
    now += 120_000;
    assert.equal(limiter.admit(call()), 0);
  });

  it('behavior: per-client buckets are separate; a client refused by its own bucket takes no global token', () => {
    const limiter = createRateLimiter(settings({ global: { perMinute: 60, burst: 4 }, perClient: { perMinute: 60, burst: 2 } }), () => 0);
    const a = call({ 'snet-payment-channel-id': '1' });
    const b = call({ 'snet-payment-channel-id': '2' });
    assert.deepEqual([a, a, a, a].map((c) => limiter.admit(c) === 0), [true, true, false, false]);
    assert.deepEqual([b, b].map((c) => limiter.admit(c) === 0), [true, true], 'A used 2 of the 4 global tokens');
    assert.ok(limiter.admit(call({}, '10.9.9.9')) > 0, 'global bucket empty now');
  });

  it('behavior: at most maxClients are tracked; the least recently seen goes first', () => {
    const limiter = createRateLimiter(settings({ perClient: { perMinute: 60, burst: 1 }, maxClients: 2 }), () => 0);
    limiter.admit(call({}, 'a'));
    limiter.admit(call({}, 'b'));
    assert.ok(limiter.admit(call({}, 'a')) > 0, 'a seen again: now most recent');
    limiter.admit(call({}, 'c'));
    assert.equal(limiter.trackedClients(), 2);
    assert.ok(limiter.admit(call({}, 'a')) > 0, 'a was kept (b was the least recent)');
    assert.equal(limiter.admit(call({}, 'b')), 0, 'b was forgotten and starts full');
  });

  it('behavior: update() changes limits live without refilling the bucket', () => {
    let now = 0;
    const limiter = createRateLimiter(settings({}), () => now);
    assert.equal(limiter.admit(call()), 0, 'unlimited');
    limiter.update(settings({ global: { perMinute: 60, burst: 1 } }));
    assert.equal(limiter.admit(call()), 0);
    assert.ok(limiter.admit(call()) > 0);
    limiter.update(settings({ global: { perMinute: 120, burst: 5 } }));
    assert.equal(limiter.admit(call()), 500, 'no free burst from the change; the new rate applies');
    now += 500;
    assert.equal(limiter.admit(call()), 0);
    limiter.update(settings({}));
    assert.equal(limiter.admit(call()), 0);
  });

  it('behavior: the client key comes from headers only: channel, free-call user, else IP; long values are cut', () => {
    assert.equal(rateLimitClientKey(call({ 'snet-payment-channel-id': '7', 'snet-free-call-user-address': '0xAB' })), 'channel:7');
    assert.equal(rateLimitClientKey(call({ 'snet-free-call-user-address': '0xAB' })), 'user:0xab');
    assert.equal(rateLimitClientKey(call({}, '1.2.3.4')), 'ip:1.2.3.4');
    assert.equal(rateLimitClientKey(call({ 'snet-payment-channel-id': 'x'.repeat(10_000) })).length, 'channel:'.length + 96);
  });
});

describe('stop switch → rate limit interceptors', () => {
  it('behavior: a stopped daemon refuses before the bucket is touched; started again it admits', async () => {
    const processing = createProcessingSwitch();
    const limiter = createRateLimiter(settings({ global: { perMinute: 60, burst: 1 } }), () => 0);
    const handler = applyInterceptors(() => Promise.resolve({ code: 0, message: '' }), [createStopSwitchInterceptor(processing), createRateLimitInterceptor(limiter)]);
    const ctx = call() as CallContext;
    processing.stop();
    await assert.rejects(handler(ctx), (error: unknown) => isSnetError(error, 'DAEMON_NOT_PROCESSING') && error.message === 'No requests are currently being processed, please try again later');
    processing.start();
    assert.deepEqual(await handler(ctx), { code: 0, message: '' }, 'the refused call used no token');
    await assert.rejects(handler(ctx), (error: unknown) => isSnetError(error, 'RATE_LIMITED') && error.message === 'rate limiting , too many requests to handle' && error.details?.['retryAfterMs'] === 1000);
  });
});
