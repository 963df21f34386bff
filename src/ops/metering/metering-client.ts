// Metering to the marketplace (Go metrics/*.go, handler/stream_interceptor.go): a start-up verification, then
// per call a usage POST and per committed payment a channel-balance POST. Off by default; the POSTs leave from
// a bounded queue on their own schedule, so a slow marketplace never slows a call. No retries (as the reference).
import { randomBytes } from 'node:crypto';
import { SnetError } from '../../errors/index.ts';
import type { Logger } from '../../shared/index.ts';
import { redactUrl } from '../logging/redact-url.ts';
import { statusLabels, statusIndex } from '../metrics/label-sets.ts';
import type { SignedHeaders } from './signed-headers.ts';

/** Settings of {@link createMeteringClient}. */
export interface MeteringOptions {
  /** `metering_endpoint` (base URL, no trailing slash needed). */
  readonly endpoint: string;
  readonly signedHeaders: SignedHeaders;
  readonly daemonId: string;
  readonly organizationId: string;
  readonly serviceId: string;
  readonly groupId: string;
  readonly registryAddress: string;
  /** `ethereum_json_rpc_endpoint` as the reference reports it (redacted of API keys). */
  readonly rpcEndpoint: string;
  readonly version: string;
  readonly logger: Logger;
  /** POSTs waiting at most; further ones are dropped and counted. @default 1000 */
  readonly maxQueue?: number;
  /** POSTs in flight at most. @default 4 */
  readonly concurrency?: number;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

/** One finished call, as the usage record needs it. */
export interface MeteredCall {
  readonly method: string;
  readonly code: number;
  readonly message: string;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly metadata: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** The marketplace client. */
export interface MeteringClient {
  /** Start-up check; rejects with METERING_VERIFICATION_FAILED. */
  verify(): Promise<void>;
  /** Queues the usage record of a call. Never throws, never waits. */
  reportCall(call: MeteredCall): void;
  /** Queues a channel-balance report after a committed payment (`X-username` = the channel sender). */
  reportChannelBalance(balance: { channelId: bigint; nonce: bigint; authorizedAmount: bigint; fullAmount: bigint; sender: string }): void;
  /** Waits for queued POSTs (shutdown, tests). */
  idle(): Promise<void>;
  /** POSTs dropped because the queue was full. */
  readonly dropped: number;
}

/** Go's `2006-01-02 15:04:05.999999999` in UTC (trailing zeros of the fraction trimmed, as Go does). */
export function formatMeteringTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction === '' ? '' : `.${fraction}`}`;
}

/** A 20-character request id in xid's alphabet (base32hex, lower case), random. */
function requestId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  let out = '';
  for (const byte of randomBytes(20)) out += alphabet[byte & 31];
  return out;
}

/** A header value the reference copies only when it is present exactly once. */
function single(metadata: MeteredCall['metadata'], name: string): string {
  const value = metadata[name];
  return typeof value === 'string' ? value : '';
}

/** The usage JSON of the reference, field for field. */
export function usagePayload(call: MeteredCall, options: Pick<MeteringOptions, 'registryAddress' | 'rpcEndpoint' | 'organizationId' | 'serviceId' | 'groupId' | 'version'>): Record<string, string | number> {
  const ok = call.code === 0;
  return {
    type: 'response',
    registry_address_key: options.registryAddress,
    ethereum_json_rpc_endpoint: options.rpcEndpoint,
    request_id: requestId(),
    organization_id: options.organizationId,
    service_id: options.serviceId,
    group_id: options.groupId,
    service_method: call.method,
    response_sent_time: formatMeteringTime(call.endedAtMs),
    request_received_time: formatMeteringTime(call.startedAtMs),
    response_time: ((call.endedAtMs - call.startedAtMs) / 1000).toFixed(4),
    response_code: statusLabels[statusIndex(call.code)] ?? 'UNKNOWN',
    error_message: ok ? '' : call.message,
    version: options.version,
    client_type: single(call.metadata, 'snet-client-type'),
    user_details: single(call.metadata, 'snet-user-info'),
    user_agent: single(call.metadata, 'user-agent'),
    channel_id: single(call.metadata, 'snet-payment-channel-id'),
    username: single(call.metadata, 'snet-free-call-user-id'),
    operation: 'read',
    usage_type: 'apicall',
    status: ok ? 'success' : 'failed',
    start_time: formatMeteringTime(call.startedAtMs),
    end_time: formatMeteringTime(call.endedAtMs),
    usage_value: 1,
    time_zone: '',
    payment_mode: single(call.metadata, 'snet-payment-type'),
    user_address: '',
  };
}

/** Creates the client; nothing is sent before `verify` or a report. */
export function createMeteringClient(options: MeteringOptions): MeteringClient {
  const base = options.endpoint.replace(/\/+$/, '');
  const maxQueue = options.maxQueue ?? 1000;
  const concurrency = options.concurrency ?? 4;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const queue: Array<() => Promise<void>> = [];
  let running = 0;
  let dropped = 0;
  let idleWaiters: Array<() => void> = [];

  const pump = (): void => {
    while (running < concurrency && queue.length > 0) {
      const job = queue.shift() as () => Promise<void>;
      running++;
      void job()
        .catch((error: unknown) => options.logger.warn({ err: error }, 'metering POST failed'))
        .finally(() => {
          running--;
          if (running === 0 && queue.length === 0) {
            const waiters = idleWaiters;
            idleWaiters = [];
            for (const waiter of waiters) waiter();
          }
          pump();
        });
    }
  };
  const enqueue = (job: () => Promise<void>): void => {
    if (queue.length >= maxQueue) {
      if (dropped++ === 0) options.logger.warn({ maxQueue }, 'metering queue full: usage records are dropped until the marketplace catches up');
      return;
    }
    queue.push(job);
    pump();
  };
  const post = async (path: string, username: string, body: string): Promise<void> => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: await options.signedHeaders(username), body, signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    if (response.status !== 200) throw new Error(`${redactUrl(base)}${path} answered HTTP ${response.status}`);
  };

  return {
    async verify() {
      let reason: string;
      try {
        const headers = { ...(await options.signedHeaders(options.daemonId)), 'x-authtype': 'verification', 'access-control-allow-origin': '*' };
        const response = await fetch(`${base}/metering/verify`, { headers, signal: AbortSignal.timeout(timeoutMs) });
        const text = await response.text();
        if (response.status === 200 && (JSON.parse(text) as { data?: unknown }).data === 'success') return;
        reason = `HTTP ${response.status}`;
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
      // The reference's text (it panics with it), then what we saw.
      throw new SnetError('METERING_VERIFICATION_FAILED', `Metering authentication failed.Please verify the configuration as part of service publication process (${redactUrl(base)}/metering/verify: ${reason})`, {
        hint: 'Check metering_endpoint and private_key_for_metering, or set metering_enabled to false.',
      });
    },
    reportCall(call) {
      const payload = usagePayload(call, options);
      // X-username is the record's `username` (the free-call user, '' for other calls), as the reference signs it
      // (Go handler/stream_interceptor.go setAdditionalDetails); only the verification uses the daemon id.
      const body = JSON.stringify(payload);
      enqueue(() => post('/metering/usage', String(payload['username']), body));
    },
    reportChannelBalance(balance) {
      // Go field names as keys, big integers as JSON numbers (the reference marshals *big.Int that way).
      const body = `{"OrganizationID":${JSON.stringify(options.organizationId)},"ServiceID":${JSON.stringify(options.serviceId)},"GroupID":${JSON.stringify(options.groupId)},"AuthorizedAmount":${balance.authorizedAmount},"FullAmount":${balance.fullAmount},"ChannelId":${balance.channelId},"Nonce":${balance.nonce}}`;
      enqueue(() => post(`/contract-api/channel/${balance.channelId}/balance`, balance.sender, body));
    },
    idle() {
      if (running === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    get dropped() {
      return dropped;
    },
  };
}
