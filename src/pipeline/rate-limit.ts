import { SnetError } from '../errors/index.ts';
import type { CallContext } from './call-context.ts';
import type { Interceptor } from './interceptor.ts';
import { TokenBucket } from './token-bucket.ts';

/** One token bucket's settings. `perMinute` 0 = unlimited. */
export interface BucketSettings {
  readonly perMinute: number;
  /** Most calls at once after a quiet period. */
  readonly burst: number;
}

/** Limits of the proxied calls (the payment path). */
export interface RateLimitSettings {
  /** One bucket for the whole daemon, as the reference has. */
  readonly global: BucketSettings;
  /** One bucket per client (payment sender, else IP); `perMinute` 0 = off. */
  readonly perClient: BucketSettings;
  /** Most clients tracked at once; the least recently seen is forgotten first. */
  readonly maxClients: number;
}

/** Admits or refuses one call; settings can change while the daemon runs (configuration service). */
export interface RateLimiter {
  /** 0 when `ctx` may go on (its tokens are taken), else milliseconds until it could. */
  admit(ctx: Pick<CallContext, 'requestMetadata' | 'remoteAddress'>): number;
  update(settings: RateLimitSettings): void;
  /** Clients with a bucket now (bounded by `maxClients`). */
  trackedClients(): number;
}

/** The reference's refusal text (Go `handler/stream_interceptor.go`), which clients may match. */
export const rateLimitedMessage = 'rate limiting , too many requests to handle';

// A client-chosen header value is a map key: bound its length so keys cannot eat memory.
const maxKeyLength = 96;

function firstHeader(value: string | readonly string[] | undefined): string | undefined {
  const text = typeof value === 'string' ? value : value?.[0];
  return text === undefined || text === '' ? undefined : text.slice(0, maxKeyLength);
}

/**
 * Who a call counts against, from headers only (no signature is checked yet, so this costs a few
 * map reads): the payment channel (escrow and prepaid calls: one channel = one sender), the
 * free-call user, else the client IP. A client can name another channel to get a new bucket; the
 * global bucket still bounds the total, and the payment check refuses a channel it does not own.
 */
export function rateLimitClientKey(ctx: Pick<CallContext, 'requestMetadata' | 'remoteAddress'>): string {
  const headers = ctx.requestMetadata;
  const channel = firstHeader(headers['snet-payment-channel-id']);
  if (channel !== undefined) return `channel:${channel}`;
  const user = firstHeader(headers['snet-free-call-user-address']) ?? firstHeader(headers['snet-free-call-user-id']);
  if (user !== undefined) return `user:${user.toLowerCase()}`;
  return `ip:${ctx.remoteAddress ?? 'unknown'}`;
}

/** Creates a {@link RateLimiter}; `now` is injectable for unit tests. */
export function createRateLimiter(initial: RateLimitSettings, now: () => number = Date.now): RateLimiter {
  let settings = initial;
  const bucketFor = (limits: BucketSettings): TokenBucket | undefined => (limits.perMinute > 0 ? new TokenBucket(limits.perMinute, limits.burst, now()) : undefined);
  let global = bucketFor(settings.global);
  const clients = new Map<string, TokenBucket>();

  const clientBucket = (key: string, at: number): TokenBucket => {
    let bucket = clients.get(key);
    if (bucket !== undefined) {
      // Map order is insertion order: re-inserting keeps the most recently seen client last.
      clients.delete(key);
    } else {
      if (clients.size >= settings.maxClients) {
        const oldest = clients.keys().next();
        if (oldest.done !== true) clients.delete(oldest.value);
      }
      bucket = new TokenBucket(settings.perClient.perMinute, settings.perClient.burst, at);
    }
    clients.set(key, bucket);
    return bucket;
  };

  return {
    admit(ctx) {
      if (global === undefined && settings.perClient.perMinute <= 0) return 0;
      const at = now();
      const client = settings.perClient.perMinute > 0 ? clientBucket(rateLimitClientKey(ctx), at) : undefined;
      // Check both before taking from either: a call refused by one bucket costs the other nothing.
      const wait = Math.max(client?.waitMs(at) ?? 0, global?.waitMs(at) ?? 0);
      if (wait > 0) return wait;
      client?.take();
      global?.take();
      return 0;
    },
    update(next) {
      const at = now();
      if (next.global.perMinute <= 0) global = undefined;
      else if (global === undefined) global = bucketFor(next.global);
      else global.resize(next.global.perMinute, next.global.burst, at);
      const clientChanged = next.perClient.perMinute !== settings.perClient.perMinute || next.perClient.burst !== settings.perClient.burst;
      if (clientChanged) for (const bucket of clients.values()) bucket.resize(next.perClient.perMinute, next.perClient.burst, at);
      if (next.perClient.perMinute <= 0) clients.clear();
      settings = next;
      while (clients.size > settings.maxClients) {
        const oldest = clients.keys().next();
        if (oldest.done === true) break;
        clients.delete(oldest.value);
      }
    },
    trackedClients: () => clients.size,
  };
}

/** The refusal: RESOURCE_EXHAUSTED with the reference's text and a retry hint (`details.retryAfterMs`). */
export function rateLimitedError(waitMs: number): SnetError {
  return new SnetError('RATE_LIMITED', rateLimitedMessage, { hint: `retry in ${Math.ceil(waitMs / 1000)} s`, details: { retryAfterMs: waitMs } });
}

/** Refuses a call the limiter does not admit (before payment: a refused call costs no cryptography). */
export function createRateLimitInterceptor(limiter: RateLimiter): Interceptor {
  return (next) => (ctx) => {
    const waitMs = limiter.admit(ctx);
    return waitMs === 0 ? next(ctx) : Promise.reject(rateLimitedError(waitMs));
  };
}
