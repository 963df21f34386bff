// A seeded chaos test through the real daemon (startDaemon with the embedded LMDB store, the dev chain, a grpc-js
// service with all four call kinds): ~60 concurrent clients mix paid calls with cancels, deadlines, destroyed
// connections, aborted gRPC-Web bodies, replays, concurrent calls on one channel and malformed requests, once per
// upstream HTTP/2 engine (nghttp2, then builtin on the same store). Afterwards it checks the invariants: every call
// got a well-formed outcome; nothing is left in flight in the daemon (DaemonServerStats via RunningDaemon.stats())
// or open at the service; for every channel the stored amount is exactly the accepted payments plus some of those
// whose outcome the client could not see, never a refused one, never one twice (test/harness/chaos-ledger.ts);
// every channel takes a normal paid call; no socket is left. Each load phase ends with a graceful stop while paid
// calls are in flight, and the next daemon (the last one with no load) checks the same books on the reopened store.
//
// The seed fixes the mix and the parameters of every operation (not the interleaving, which the machine decides).
// Reproduce a failure with CHAOS_SEED=<seed printed in the failure> ./node_modules/.bin/node --test test/integration/chaos.test.ts
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { buildChannelStateMessage, buildClaimMessage, decodeUint, signMessage } from '../../src/blockchain/index.ts';
import { createDevActions, createDevClients, devAccount, DEV_ROLES, startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { getChannelStatePath } from '../../src/services/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { CHAOS_FAIL_CODE, startChaosService, type ChaosBehaviour, type ChaosService } from '../harness/chaos-service.ts';
import { createRandom, PaymentLedger, type PaymentOutcome } from '../harness/chaos-ledger.ts';
import { callEscrowService, currentBlock, escrowTypes, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';
import { decodeEchoResponse, decodeTextBody, EchoRequestType, frame, parseFrames } from '../harness/raw-grpc.ts';

const SEED = process.env['CHAOS_SEED'] === undefined ? 20261124 : Number(process.env['CHAOS_SEED']);
const PRICE = 3n;
const CHANNELS = 16;
const CONCURRENCY = 60;
const OPS_PER_ENGINE = 1500;
/** grpc-js connections (own subchannel pool each). */
const GRPC_CLIENTS = 4;
/** How long the daemon may take to settle after the load (a bound for a hang, not a timing assertion). */
const SETTLE_BOUND_MS = 20_000;

const SERVICE = '/snet.test.TestService/';
type Method = 'Unary' | 'ServerStream' | 'ClientStream' | 'Bidi';
const METHODS: readonly Method[] = ['Unary', 'ServerStream', 'ClientStream', 'Bidi'];
const VALID_CODES = new Set([...Array.from({ length: 17 }, (_, i) => i), 1000]);
const BUSY = /^another transaction on channel: \{ID: \d+\} is in progress$/;
const INCOME = /^income (-?\d+) does not equal to price (\d+)$/;

const serialize = (value: Record<string, unknown>): Buffer => Buffer.from(EchoRequestType.encode(EchoRequestType.fromObject(value)).finish());
const deserialize = (bytes: Buffer): unknown => decodeEchoResponse(bytes);

/** What one client call ended with, as the client saw it. */
interface Observed {
  /** gRPC status; undefined when the client itself ended the call without one (destroyed socket, aborted body). */
  readonly code: number | undefined;
  readonly details: string;
  readonly trailers: Record<string, string>;
  readonly headers: Record<string, string>;
  /** The client cancelled, hit its deadline or dropped the connection before a status arrived. */
  readonly interfered: boolean;
}

void describe(`chaos through the real daemon (seed ${SEED})`, () => {
  let net_: DevNetwork;
  let service: ChaosService;
  let storeDir: string;
  const channelIds: bigint[] = [];
  const ledger = new PaymentLedger();
  /** Best guess of each channel's stored level (only chooses the next amount; never used in an assertion). */
  const hint: bigint[] = [];
  const wrongKey = devAccount(DEV_ROLES.spare).privateKey;

  before(async () => {
    [net_, service] = await Promise.all([startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE }), startChaosService()]);
    const actions = createDevActions(createDevClients(net_.rpcUrl, net_.chainId), net_.contracts);
    channelIds.push(net_.channel.id);
    for (let i = 1; i < CHANNELS; i++) {
      channelIds.push(await actions.openChannel({ senderIndex: DEV_ROLES.client, recipient: net_.owner.address, groupId: net_.groupId.hex, valueCogs: 10n ** 9n, expiration: net_.channel.expiration }));
    }
    for (let i = 0; i < CHANNELS; i++) hint.push(0n);
    storeDir = await mkdtemp(join(tmpdir(), 'snetd-chaos-'));
  });

  after(async () => {
    await service?.stop();
    await net_?.stop();
    if (storeDir !== undefined) await rm(storeDir, { recursive: true, force: true });
  });

  /** The escrow headers of (channel, level) as a header record (signature base64, as on the wire). */
  const paymentHeaders = (channel: number, level: bigint, key = net_.client.privateKey): Record<string, string> => {
    const channelId = channelIds[channel] as bigint;
    const amount = level * PRICE;
    const signature = signMessage(key, buildClaimMessage({ mpeAddress: net_.contracts.mpe, channelId, nonce: 0n, amount }));
    return {
      'snet-payment-type': 'escrow',
      'snet-payment-channel-id': channelId.toString(),
      'snet-payment-channel-nonce': '0',
      'snet-payment-channel-amount': amount.toString(),
      'snet-payment-channel-signature-bin': Buffer.from(signature).toString('base64'),
    };
  };

  const toMetadata = (headers: Record<string, string>): grpc.Metadata => {
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(headers)) metadata.set(key, key.endsWith('-bin') ? Buffer.from(value, 'base64') : value);
    return metadata;
  };

  const metadataRecord = (metadata: grpc.Metadata | undefined): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(metadata?.getMap() ?? {})) out[key] = Buffer.isBuffer(value) ? value.toString('base64') : String(value);
    return out;
  };

  /** Learns the stored level from a refusal (`income i` for amount level×price): a hint for the next amount only. */
  const learn = (channel: number, level: bigint, observed: Observed): void => {
    if (observed.code === 0) {
      if (level > (hint[channel] as bigint)) hint[channel] = level;
      return;
    }
    const income = INCOME.exec(observed.details);
    if (observed.code === grpc.status.UNAUTHENTICATED && income !== null) hint[channel] = level - BigInt(income[1] as string) / PRICE;
  };

  const stateOf = async (control: grpc.Client, channel: number): Promise<{ nonce: bigint; signed: bigint }> => {
    const channelId = channelIds[channel] as bigint;
    const block = await currentBlock(net_);
    const result = await callEscrowService(control, getChannelStatePath, escrowTypes.ChannelStateRequest, escrowTypes.ChannelStateReply, {
      channelId: Buffer.from(channelId.toString(16).padStart(8, '0'), 'hex'),
      currentBlock: block.toString(),
      signature: signMessage(net_.client.privateKey, buildChannelStateMessage({ mpeAddress: net_.contracts.mpe, channelId, currentBlock: block })),
    });
    assert.equal(result.error, undefined, result.error?.message);
    const num = (value: unknown): bigint => (value instanceof Uint8Array ? decodeUint(value) : 0n);
    return { nonce: num(result.reply?.['currentNonce']), signed: num(result.reply?.['currentSignedAmount']) };
  };

  /** Polls a condition of the in-process daemon (it has no event for it) up to a bound; false when the bound passed. */
  const until = async (condition: () => boolean, boundMs = SETTLE_BOUND_MS): Promise<boolean> => {
    const end = Date.now() + boundMs;
    while (!condition()) {
      if (Date.now() > end) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return true;
  };

  // Each load phase ends with a graceful stop while calls are in flight; the next daemon opens the same store, so its
  // books check (and the last phase, with no load) also covers what the stop settled.
  const phases = [
    { name: 'nghttp2', engine: 'nghttp2', ops: OPS_PER_ENGINE, stopUnderLoad: true },
    { name: 'builtin', engine: 'builtin', ops: OPS_PER_ENGINE, stopUnderLoad: true },
    { name: 'reopened', engine: 'nghttp2', ops: 0, stopUnderLoad: false },
  ] as const;
  for (const [phaseNo, { name, engine, ops, stopUnderLoad }] of phases.entries()) {
    const title =
      ops === 0
        ? `behavior: the store reopened after a stop under load: exact books, every channel usable`
        : `behavior: ${engine} upstream: ${ops} mixed operations, then no leak, exact books, every channel usable; a stop under load`;
    void it(title, async (t) => {
      const random = createRandom(SEED + phaseNo);
      const phaseStart = Date.now();
      const steps: string[] = [];
      const step = (what: string): void => void steps.push(`${what} ${Date.now() - phaseStart}`);
      const paid: PaidDaemon = await startPaidDaemon(net_, {
        service_endpoint: `http://127.0.0.1:${service.port}`,
        embedded_storage_dir: storeDir,
        upstream_http2_engine: engine,
        upstream_connections: engine === 'builtin' ? 2 : 1,
        // Calls still in flight at a stop are ended after this (hang calls would hold the stop for the default 30 s).
        shutdown_timeout: '2s',
      });
      const port = paid.daemon.address.port;
      const clients = Array.from({ length: GRPC_CLIENTS }, () => new grpc.Client(paid.target, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }));
      const control = new grpc.Client(paid.target, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
      const violations: string[] = [];
      const counts = new Map<string, number>();
      const count = (key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1);
      const fail = (text: string): void => void violations.push(`${name}: ${text}`);
      let opNo = 0;

      try {
        // ---- one grpc-js call -------------------------------------------------------------------------------
        const grpcCall = (args: {
          id: string;
          method: Method;
          headers: Record<string, string>;
          deadlineMs: number;
          messages: number;
          /** @default a random one of the phase's clients */
          client?: grpc.Client;
          /** When the client cancels; `ms` also bounds the other points (a hanging unary call sends no headers). */
          cancel?: { at: 'start' | 'headers' | 'first-message' | 'ms'; ms: number };
          /** Bytes of `payload` in every request message (large ones outrun a grpc-js service's 64 KiB connection window). */
          padBytes?: number;
        }): Promise<Observed> =>
          new Promise((resolve) => {
            const client = args.client ?? random.pick(clients);
            const metadata = toMetadata(args.headers);
            const options: grpc.CallOptions = { deadline: Date.now() + args.deadlineMs };
            const path = `${SERVICE}${args.method}`;
            const pad = args.padBytes === undefined || args.padBytes === 0 ? {} : { payload: Buffer.alloc(args.padBytes, 0x61) };
            const request = { text: args.id, repeat: args.messages, ...pad };
            let headers: grpc.Metadata | undefined;
            let cancelled = false;
            type AnyCall = grpc.ClientUnaryCall | grpc.ClientReadableStream<unknown> | grpc.ClientWritableStream<unknown> | grpc.ClientDuplexStream<unknown, unknown>;
            let call: AnyCall;
            const ignore = (): void => undefined;
            switch (args.method) {
              case 'Unary':
                call = client.makeUnaryRequest(path, serialize, deserialize, request, metadata, options, ignore);
                break;
              case 'ServerStream':
                call = client.makeServerStreamRequest(path, serialize, deserialize, request, metadata, options);
                break;
              case 'ClientStream': {
                const stream = client.makeClientStreamRequest(path, serialize, deserialize, metadata, options, ignore);
                for (let i = 0; i < args.messages; i++) stream.write({ text: `${args.id}.${i}`, ...pad });
                stream.end();
                call = stream;
                break;
              }
              case 'Bidi': {
                const stream = client.makeBidiStreamRequest(path, serialize, deserialize, metadata, options);
                for (let i = 0; i < args.messages; i++) stream.write({ text: `${args.id}.${i}`, ...pad });
                stream.end();
                call = stream;
                break;
              }
            }
            const cancel = (): void => {
              cancelled = true;
              call.cancel();
            };
            const events = call as unknown as NodeJS.EventEmitter;
            events.on('error', ignore);
            events.on('data', () => {
              if (args.cancel?.at === 'first-message' && !cancelled) cancel();
            });
            call.on('metadata', (m: grpc.Metadata) => {
              headers = m;
              if (args.cancel?.at === 'headers' && !cancelled) cancel();
            });
            // grpc-js ends every call by its deadline; a call without a status 5 s after that is a hang.
            const guard = setTimeout(() => {
              fail(`${args.id} ${args.method}: no status ${args.deadlineMs + 5000} ms after the call started`);
              cancel();
            }, args.deadlineMs + 5000);
            call.on('status', (status: grpc.StatusObject) => {
              clearTimeout(guard);
              if (status.code === grpc.status.DEADLINE_EXCEEDED) cancelled = true;
              resolve({ code: status.code, details: status.details, trailers: metadataRecord(status.metadata), headers: metadataRecord(headers), interfered: cancelled && (status.code as number) !== 0 });
            });
            if (args.cancel?.at === 'start') cancel();
            else if (args.cancel !== undefined) {
              const timer = setTimeout(() => !cancelled && cancel(), args.cancel.ms);
              events.on('status', () => clearTimeout(timer));
            }
          });

        // ---- one raw HTTP/2 gRPC call on its own socket (destroyed mid-call, or malformed) --------------------
        const rawCall = async (args: {
          method: Method;
          headers: Record<string, string>;
          body: Buffer;
          endBody: boolean;
          destroyAt?: 'sent' | 'headers' | 'data';
          /** With `destroyAt`: destroy after this long if that point never comes (a hanging unary call sends nothing). */
          destroyAfterMs?: number;
          /** @default 'application/grpc'; 'application/grpc-web+proto' sends gRPC-Web over HTTP/2 (status in the body). */
          contentType?: string;
          boundMs: number;
        }): Promise<Observed & { hung: boolean }> => {
          const socket = net.connect(port, '127.0.0.1');
          socket.on('error', () => undefined);
          const session = http2.connect(`http://127.0.0.1:${port}`, { createConnection: () => socket });
          session.on('error', () => undefined);
          try {
            return await new Promise((resolve) => {
              let responseHeaders: Record<string, string> = {};
              let trailers: Record<string, string> = {};
              let destroyed = false;
              const chunks: Buffer[] = [];
              const stream = session.request({ ':method': 'POST', ':path': `${SERVICE}${args.method}`, 'content-type': args.contentType ?? 'application/grpc', te: 'trailers', 'grpc-timeout': `${args.boundMs}m`, ...args.headers });
              const destroy = (): void => {
                if (destroyed) return;
                destroyed = true;
                socket.destroy();
              };
              const timer = setTimeout(() => {
                destroy();
                resolve({ code: undefined, details: '', trailers, headers: responseHeaders, interfered: true, hung: true });
              }, args.boundMs + 5000);
              stream.on('error', () => undefined);
              stream.on('response', (h: http2.IncomingHttpHeaders) => {
                responseHeaders = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]));
                if (args.destroyAt === 'headers') destroy();
              });
              stream.on('data', (chunk: Buffer) => {
                chunks.push(chunk);
                if (args.destroyAt === 'data') destroy();
              });
              stream.on('trailers', (h: http2.IncomingHttpHeaders) => {
                trailers = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]));
              });
              stream.on('close', () => {
                clearTimeout(timer);
                // gRPC-Web: the status is in the body's trailer frame unless the answer was trailers-only.
                if (trailers['grpc-status'] === undefined) trailers = parseFrames(Buffer.concat(chunks)).trailers ?? trailers;
                const source = trailers['grpc-status'] !== undefined ? trailers : responseHeaders;
                const code = source['grpc-status'] === undefined ? undefined : Number(source['grpc-status']);
                resolve({ code, details: decodeURIComponent(source['grpc-message'] ?? ''), trailers, headers: responseHeaders, interfered: destroyed && code !== 0, hung: false });
              });
              if (args.endBody) stream.end(args.body);
              else stream.write(args.body);
              if (args.destroyAt === 'sent') setImmediate(destroy);
              else if (args.destroyAfterMs !== undefined) {
                const fallback = setTimeout(destroy, args.destroyAfterMs);
                stream.on('close', () => clearTimeout(fallback));
              }
            });
          } finally {
            session.destroy();
            socket.destroy();
          }
        };

        // ---- one gRPC-Web call over HTTP/1.1 (keep-alive agent), optionally aborted -------------------------
        const webCall = (args: { headers: Record<string, string>; body: Buffer; abortAt?: 'mid-body' | 'headers'; text?: boolean; boundMs: number }): Promise<Observed & { hung: boolean }> =>
          new Promise((resolve) => {
            let settled = false;
            const done = (observed: Observed & { hung: boolean }): void => {
              if (settled) return;
              settled = true;
              clearTimeout(timer);
              resolve(observed);
            };
            const request = http.request({
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: `${SERVICE}Unary`,
              agent,
              headers: { 'content-type': args.text === true ? 'application/grpc-web-text' : 'application/grpc-web+proto', 'x-grpc-web': '1', 'grpc-timeout': `${args.boundMs}m`, ...args.headers },
            });
            const timer = setTimeout(() => {
              request.destroy();
              done({ code: undefined, details: '', trailers: {}, headers: {}, interfered: true, hung: true });
            }, args.boundMs + 5000);
            request.on('error', () => done({ code: undefined, details: '', trailers: {}, headers: {}, interfered: true, hung: false }));
            request.on('response', (response: http.IncomingMessage) => {
              const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, String(v)]));
              if (args.abortAt === 'headers') {
                request.destroy();
                done({ code: undefined, details: '', trailers: {}, headers, interfered: true, hung: false });
                return;
              }
              const chunks: Buffer[] = [];
              response.on('data', (c: Buffer) => chunks.push(c));
              response.on('error', () => undefined);
              response.on('end', () => {
                const raw = Buffer.concat(chunks);
                const { trailers } = parseFrames(args.text === true ? decodeTextBody(raw.toString('latin1')) : raw);
                const source = trailers ?? headers;
                const code = source['grpc-status'] === undefined ? undefined : Number(source['grpc-status']);
                // Trailers-only: the status and trailers are the HTTP headers.
                done({ code, details: decodeURIComponent(source['grpc-message'] ?? ''), trailers: source, headers, interfered: false, hung: false });
              });
            });
            if (args.abortAt === 'headers') {
              // A hanging unary call sends no headers: abort after a while instead.
              const fallback = setTimeout(() => {
                request.destroy();
                done({ code: undefined, details: '', trailers: {}, headers: {}, interfered: true, hung: false });
              }, 150 + random.int(150));
              request.on('close', () => clearTimeout(fallback));
            }
            const body = args.text === true ? Buffer.from(args.body.toString('base64'), 'latin1') : args.body;
            if (args.abortAt === 'mid-body') {
              // Half of the first message: the daemon cannot have forwarded a whole request to the service.
              request.write(body.subarray(0, Math.max(1, body.length >> 1)));
              setTimeout(() => {
                request.destroy();
                done({ code: undefined, details: '', trailers: {}, headers: {}, interfered: true, hung: false });
              }, random.int(15));
            } else {
              request.end(body);
            }
          });

        const tagged = (id: string, channel: number, level: bigint, behaviour: ChaosBehaviour, delayMs: number, payment: Record<string, string>): Record<string, string> => ({
          ...payment,
          'x-chaos-id': id,
          'x-chaos-payment': `${channel}/${level}`,
          'x-chaos-behaviour': behaviour,
          'x-chaos-delay-ms': String(delayMs),
        });

        /**
         * Classifies a paid send and records it: OK → accepted; a behaviour the service never answers OK → refused;
         * interfered → unknown; any other status → refused.
         */
        const settle = (kind: string, id: string, channel: number, level: bigint, behaviour: ChaosBehaviour | 'truncated', observed: Observed): PaymentOutcome => {
          const neverOk = behaviour === 'fail' || behaviour === 'headers-fail' || behaviour === 'hang' || behaviour === 'truncated';
          let outcome: PaymentOutcome;
          if (observed.code === 0) outcome = 'accepted';
          else if (neverOk) outcome = 'refused';
          else if (observed.interfered || observed.code === undefined) outcome = 'unknown';
          else outcome = 'refused';
          if (observed.code === 0 && neverOk) fail(`${id} ${kind}: behaviour ${behaviour} answered OK`);
          if (observed.code !== undefined && !VALID_CODES.has(observed.code)) fail(`${id} ${kind}: status ${observed.code} is not a gRPC status`);
          ledger.record({ channel, level, outcome, note: `${name} ${id} ${kind} ${behaviour} → ${observed.code ?? 'no status'} ${observed.details}`.trim() });
          learn(channel, level, observed);
          count(`${kind}:${outcome}`);
          if (outcome === 'refused' && observed.code !== undefined) count(`refusal:${observed.code}:${observed.details.replace(/\d+/g, 'N').slice(0, 40)}`);
          return outcome;
        };

        /** Calls the test has in flight per channel: ordinary operations take the least busy channel from their seeded one. */
        const inUse = Array.from({ length: CHANNELS }, () => 0);
        const withChannel = async (preferred: number, work: (channel: number) => Promise<void>): Promise<void> => {
          let channel = preferred;
          for (let k = 1; k < CHANNELS; k++) {
            const candidate = (preferred + k) % CHANNELS;
            if ((inUse[candidate] as number) < (inUse[channel] as number)) channel = candidate;
          }
          inUse[channel] = (inUse[channel] as number) + 1;
          try {
            await work(channel);
          } finally {
            inUse[channel] = (inUse[channel] as number) - 1;
          }
        };

        /** A status the daemon may answer a paid call with, whatever the mix (refusals of busy/used amounts). */
        const isPaymentRefusal = (o: Observed): boolean =>
          (o.code === grpc.status.FAILED_PRECONDITION && BUSY.test(o.details)) || (o.code === grpc.status.UNAUTHENTICATED && INCOME.test(o.details));

        /** Checks a non-interfered paid call's status against its behaviour. */
        const expectServiceOutcome = (id: string, kind: string, behaviour: ChaosBehaviour, o: Observed): void => {
          if (isPaymentRefusal(o)) return;
          if (behaviour === 'ok' || behaviour === 'slow') {
            if (o.code !== 0 && !o.interfered) fail(`${id} ${kind} ${behaviour}: unexpected status ${o.code} ${o.details}`);
            return;
          }
          if (behaviour === 'fail' || behaviour === 'headers-fail') {
            if (o.interfered) return;
            if (o.code !== CHAOS_FAIL_CODE) fail(`${id} ${kind} ${behaviour}: status ${o.code} ${o.details}, expected the service's ${CHAOS_FAIL_CODE}`);
            else if (o.trailers['x-chaos-trailer'] !== 'failed-on-purpose' || o.trailers['grpc-status-details-bin'] === undefined) {
              fail(`${id} ${kind} ${behaviour}: the service's error trailers did not reach the client: ${JSON.stringify(o.trailers)}`);
            }
          }
        };

        // ---- the operations ---------------------------------------------------------------------------------
        type Op = () => Promise<void>;
        const behaviours: readonly ChaosBehaviour[] = ['ok', 'ok', 'ok', 'slow', 'fail', 'headers-fail'];

        const paidCall = (id: string): Op => {
          const method = random.pick(METHODS);
          const behaviour = random.pick(behaviours);
          const delayMs = 5 + random.int(60);
          const messages = 1 + random.int(3);
          const preferred = random.int(CHANNELS);
          // One paid call in four sends 40–150 KB messages: the service's flow control holds them back, so the
          // builtin engine spreads calls over its connections (upstream_connections) while the others go on.
          const padBytes = random.int(4) === 0 ? 40_000 + random.int(110_000) : 0;
          return () =>
            withChannel(preferred, async (channel) => {
              const level = (hint[channel] as bigint) + 1n;
              const o = await grpcCall({ id, method, headers: tagged(id, channel, level, behaviour, delayMs, paymentHeaders(channel, level)), deadlineMs: 15_000, messages, padBytes });
              settle(`grpc-${method}`, id, channel, level, behaviour, o);
              expectServiceOutcome(id, `grpc-${method}`, behaviour, o);
              // The service sent its headers before failing: the client gets them as response headers, not as trailers.
              if (behaviour === 'headers-fail' && o.code === CHAOS_FAIL_CODE && o.headers['x-chaos-header'] !== 'sent') {
                fail(`${id} ${method}: the service's response headers were lost before its error: headers ${JSON.stringify(o.headers)} trailers ${JSON.stringify(o.trailers)}`);
              }
            });
        };

        const cancelledCall = (id: string): Op => {
          const method = random.pick(METHODS);
          const behaviour = random.pick<ChaosBehaviour>(['ok', 'slow', 'slow', 'hang']);
          const delayMs = 5 + random.int(80);
          const at = random.pick(['start', 'headers', 'first-message', 'ms', 'ms'] as const);
          const ms = at === 'ms' ? random.int(60) : 100 + random.int(200);
          const preferred = random.int(CHANNELS);
          return () =>
            withChannel(preferred, async (channel) => {
              const level = (hint[channel] as bigint) + 1n;
              // A short deadline: grpc-js still sends a call cancelled right after it was made ('start'), whole and
              // half-closed, with no RST_STREAM after it, so the daemon rightly runs it until this deadline.
              const o = await grpcCall({ id, method, headers: tagged(id, channel, level, behaviour, delayMs, paymentHeaders(channel, level)), deadlineMs: 2000, messages: 2, cancel: { at, ms } });
              settle(`cancel-${at}`, id, channel, level, behaviour, o);
              if (!o.interfered) expectServiceOutcome(id, `cancel-${at}`, behaviour, o);
            });
        };

        const deadlineCall = (id: string): Op => {
          const method = random.pick(METHODS);
          const behaviour = random.pick<ChaosBehaviour>(['slow', 'slow', 'hang']);
          const delayMs = 20 + random.int(200);
          const deadlineMs = 10 + random.int(150);
          const preferred = random.int(CHANNELS);
          return () =>
            withChannel(preferred, async (channel) => {
              const level = (hint[channel] as bigint) + 1n;
              const o = await grpcCall({ id, method, headers: tagged(id, channel, level, behaviour, delayMs, paymentHeaders(channel, level)), deadlineMs, messages: 2 });
              settle('deadline', id, channel, level, behaviour, o);
              if (!o.interfered) expectServiceOutcome(id, 'deadline', behaviour, o);
            });
        };

        const destroyedConnection = (id: string): Op => {
          const method = random.pick<Method>(['Unary', 'ServerStream', 'Bidi']);
          const behaviour = random.pick<ChaosBehaviour>(['ok', 'slow', 'hang']);
          const delayMs = 20 + random.int(100);
          const destroyAt = random.pick(['sent', 'headers', 'data'] as const);
          const contentType = random.pick(['application/grpc', 'application/grpc', 'application/grpc-web+proto']);
          const preferred = random.int(CHANNELS);
          return () =>
            withChannel(preferred, async (channel) => {
              const level = (hint[channel] as bigint) + 1n;
              const body = frame(serialize({ text: id, repeat: 3 }));
              const o = await rawCall({ method, headers: tagged(id, channel, level, behaviour, delayMs, paymentHeaders(channel, level)), body, endBody: method !== 'Bidi', destroyAt, destroyAfterMs: 100 + delayMs * 2, contentType, boundMs: 10_000 });
              const kind = `destroy-${destroyAt}${contentType === 'application/grpc' ? '' : '-web-h2'}`;
              if (o.hung) fail(`${id} ${kind}: no outcome within the call's deadline`);
              settle(kind, id, channel, level, behaviour, o);
            });
        };

        const webOperation = (id: string): Op => {
          const variant = random.pick(['ok', 'ok', 'mid-body', 'headers'] as const);
          const behaviour = variant === 'ok' ? random.pick(behaviours) : random.pick<ChaosBehaviour>(['slow', 'hang']);
          const delayMs = 10 + random.int(80);
          const text = random.chance(0.3);
          const preferred = random.int(CHANNELS);
          return () =>
            withChannel(preferred, async (channel) => {
              const level = (hint[channel] as bigint) + 1n;
              const body = frame(serialize({ text: id }));
              const o = await webCall({ headers: tagged(id, channel, level, behaviour, delayMs, paymentHeaders(channel, level)), body, text, ...(variant === 'ok' ? {} : { abortAt: variant }), boundMs: 10_000 });
              if (o.hung) fail(`${id} web-${variant}: no outcome within the call's deadline`);
              // Half a first message can never be answered OK by the service: certain refusal.
              settle(`web-${variant}`, id, channel, level, variant === 'mid-body' ? 'truncated' : behaviour, o);
              if (variant === 'ok') {
                if (o.code === undefined) fail(`${id} web: no gRPC status in the answer`);
                else expectServiceOutcome(id, 'web', behaviour, o);
              }
            });
        };

        /**
         * A client that stops reading a large server stream (HTTP/2 flow control then stops the daemon, which stops the
         * service), then resets the stream, drops the connection, or reads on to the end (every message, in order).
         */
        const slowReader = (id: string): Op => {
          const end = random.pick(['rst', 'destroy', 'resume'] as const);
          const repeat = 40 + random.int(80);
          const waitMs = 20 + random.int(150);
          const preferred = random.int(CHANNELS);
          return () =>
            withChannel(preferred, async (channel) => {
              const level = (hint[channel] as bigint) + 1n;
              const headers = tagged(id, channel, level, 'ok', 0, paymentHeaders(channel, level));
              const socket = net.connect(port, '127.0.0.1');
              socket.on('error', () => undefined);
              const session = http2.connect(`http://127.0.0.1:${port}`, { createConnection: () => socket });
              session.on('error', () => undefined);
              try {
                const o = await new Promise<Observed & { messages: number; inOrder: boolean }>((resolve) => {
                  const stream = session.request({ ':method': 'POST', ':path': `${SERVICE}ServerStream`, 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': '10000m', ...headers });
                  const chunks: Buffer[] = [];
                  let responseHeaders: Record<string, string> = {};
                  let trailers: Record<string, string> = {};
                  let interfered = false;
                  const guard = setTimeout(() => {
                    fail(`${id} slow-reader-${end}: no outcome within the call's deadline`);
                    socket.destroy();
                  }, 15_000);
                  stream.on('error', () => undefined);
                  stream.on('data', (c: Buffer) => chunks.push(c));
                  stream.on('trailers', (h: http2.IncomingHttpHeaders) => (trailers = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]))));
                  stream.on('response', (h: http2.IncomingHttpHeaders) => {
                    responseHeaders = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]));
                    if (responseHeaders['grpc-status'] !== undefined) return;
                    stream.pause();
                    setTimeout(() => {
                      if (end === 'resume') stream.resume();
                      else {
                        interfered = true;
                        if (end === 'rst') stream.close(http2.constants.NGHTTP2_CANCEL);
                        else socket.destroy();
                      }
                    }, waitMs);
                  });
                  stream.on('close', () => {
                    clearTimeout(guard);
                    const source = trailers['grpc-status'] !== undefined ? trailers : responseHeaders;
                    const code = source['grpc-status'] === undefined ? undefined : Number(source['grpc-status']);
                    const { messages } = parseFrames(Buffer.concat(chunks));
                    const inOrder = messages.every((m, i) => decodeEchoResponse(m).index === i);
                    resolve({ code, details: decodeURIComponent(source['grpc-message'] ?? ''), trailers, headers: responseHeaders, interfered: interfered && code !== 0, messages: messages.length, inOrder });
                  });
                  stream.end(frame(serialize({ text: id, repeat, chunkBytes: 32 << 10 })));
                });
                settle(`slow-reader-${end}`, id, channel, level, 'ok', o);
                if (end === 'resume' && o.code === 0 && (o.messages !== repeat || !o.inOrder)) fail(`${id} slow-reader: ${o.messages} of ${repeat} messages${o.inOrder ? '' : ', out of order'}`);
                if (end === 'resume' && o.code !== 0 && !isPaymentRefusal(o)) fail(`${id} slow-reader: got ${o.code} ${o.details}`);
              } finally {
                session.destroy();
                socket.destroy();
              }
            });
        };

        const replay = (id: string): Op => {
          const pickIndex = random.next();
          return async () => {
            const accepted = ledger.sends().filter((s) => s.outcome === 'accepted');
            if (accepted.length === 0) return;
            const target = accepted[Math.floor(pickIndex * accepted.length)];
            if (target === undefined) return;
            const o = await grpcCall({ id, method: 'Unary', headers: tagged(id, target.channel, target.level, 'ok', 0, paymentHeaders(target.channel, target.level)), deadlineMs: 15_000, messages: 1 });
            if (o.code === 0) fail(`${id}: a replay of an accepted payment (channel ${target.channel} level ${target.level}, ${target.note}) was accepted again`);
            else if (!isPaymentRefusal(o)) fail(`${id}: a replay got ${o.code} ${o.details}, not a payment refusal`);
            settle('replay', id, target.channel, target.level, 'ok', o);
          };
        };

        /** A call held at the service keeps its channel reserved: a second call on it must be FAILED_PRECONDITION. */
        const concurrentOnChannel = (id: string): Op => {
          const channel = random.int(CHANNELS);
          const secondOverWeb = random.chance(0.4);
          const secondLevelSame = random.chance(0.5);
          return async () => {
            const level = (hint[channel] as bigint) + 1n;
            const holderId = `${id}.hold`;
            let cancelHolder: () => void = () => undefined;
            const holder = new Promise<Observed>((resolve) => {
              const client = random.pick(clients);
              let cancelled = false;
              const call = client.makeUnaryRequest(`${SERVICE}Unary`, serialize, deserialize, { text: holderId }, toMetadata(tagged(holderId, channel, level, 'hang', 0, paymentHeaders(channel, level))), { deadline: Date.now() + 15_000 }, () => undefined);
              cancelHolder = () => {
                cancelled = true;
                call.cancel();
              };
              call.on('status', (s: grpc.StatusObject) => resolve({ code: s.code, details: s.details, trailers: {}, headers: {}, interfered: cancelled || s.code === grpc.status.DEADLINE_EXCEEDED }));
            });
            const held = new Promise<boolean>((resolve) => {
              const onCall = (record: { id: string }): void => {
                if (record.id !== holderId) return;
                service.events.off('call', onCall);
                resolve(true);
              };
              service.events.on('call', onCall);
              holder.then(() => {
                service.events.off('call', onCall);
                resolve(false);
              }, () => resolve(false));
            });
            if (await held) {
              const secondId = `${id}.second`;
              const secondLevel = secondLevelSame ? level : level + 1n;
              const headers = tagged(secondId, channel, secondLevel, 'ok', 0, paymentHeaders(channel, secondLevel));
              const second = secondOverWeb
                ? await webCall({ headers, body: frame(serialize({ text: secondId })), boundMs: 10_000 })
                : await grpcCall({ id: secondId, method: 'Unary', headers, deadlineMs: 15_000, messages: 1 });
              if (second.code !== grpc.status.FAILED_PRECONDITION || !BUSY.test(second.details)) {
                fail(`${secondId}: a call on channel ${channel} while ${holderId} held it at the service got ${second.code} ${second.details}, expected FAILED_PRECONDITION "another transaction …"`);
              }
              settle(secondOverWeb ? 'concurrent-web' : 'concurrent-grpc', secondId, channel, secondLevel, 'ok', second);
              cancelHolder();
            }
            settle('holder', holderId, channel, level, 'hang', await holder);
          };
        };

        const malformed = (id: string): Op => {
          const variant = random.pick(['amount', 'missing', 'nonce', 'signature', 'wrong-signer', 'truncated', 'compressed', 'garbage'] as const);
          const preferred = random.int(CHANNELS);
          return () =>
            withChannel(preferred, async (channel) => {
              const level = (hint[channel] as bigint) + 1n;
              const good = tagged(id, channel, level, 'ok', 0, paymentHeaders(channel, level));
              const body = frame(serialize({ text: id }));
              if (variant === 'garbage') {
                const socket = net.connect(port, '127.0.0.1');
                socket.on('error', () => undefined);
                socket.end(Buffer.from('\x16\x03\x01 not a request\r\n\r\n'));
                const chunks: Buffer[] = [];
                socket.on('data', (c: Buffer) => chunks.push(c));
                await once(socket, 'close');
                if (!/^HTTP\/1\.1 400/.test(Buffer.concat(chunks).toString('latin1'))) fail(`${id}: garbage bytes were not answered HTTP 400`);
                count('malformed-garbage');
                return;
              }
              const headers: Record<string, string> = { ...good };
              let expected: { code: number; details: RegExp } | undefined;
              let payment = false;
              let sendBody = body;
              switch (variant) {
                case 'amount':
                  headers['snet-payment-channel-amount'] = 'abc';
                  expected = { code: grpc.status.INVALID_ARGUMENT, details: /^incorrect format "snet-payment-channel-amount": "abc"$/ };
                  break;
                case 'missing':
                  delete headers['snet-payment-channel-signature-bin'];
                  expected = { code: grpc.status.INVALID_ARGUMENT, details: /^missing "snet-payment-channel-signature-bin"$/ };
                  break;
                case 'nonce':
                  headers['snet-payment-channel-nonce'] = '-1';
                  expected = { code: grpc.status.INVALID_ARGUMENT, details: /^incorrect format "snet-payment-channel-nonce": "-1"$/ };
                  break;
                case 'signature':
                  headers['snet-payment-channel-signature-bin'] = Buffer.alloc(65, 7).toString('base64');
                  payment = true;
                  break;
                case 'wrong-signer':
                  Object.assign(headers, paymentHeaders(channel, level, wrongKey));
                  payment = true;
                  break;
                case 'truncated':
                  sendBody = frame(serialize({ text: id }), 0, body.length + 40);
                  payment = true;
                  break;
                case 'compressed':
                  sendBody = frame(serialize({ text: id }), 1);
                  payment = true;
                  break;
              }
              const o = await rawCall({ method: 'Unary', headers, body: sendBody, endBody: true, boundMs: 10_000 });
              if (o.hung || o.code === undefined) fail(`${id} malformed-${variant}: no gRPC status (${o.hung ? 'hung' : 'none'})`);
              if (expected !== undefined && (o.code !== expected.code || !expected.details.test(o.details))) fail(`${id} malformed-${variant}: got ${o.code} ${o.details}`);
              if (payment) {
                if (o.code === 0) fail(`${id} malformed-${variant}: answered OK`);
                settle(`malformed-${variant}`, id, channel, level, 'truncated', o);
              } else {
                count(`malformed-${variant}`);
              }
            });
        };

        // ---- the seeded plan: op kinds by weight ---------------------------------------------------------------
        const kinds: [number, (id: string) => Op][] = [
          [30, paidCall],
          [14, cancelledCall],
          [10, deadlineCall],
          [8, destroyedConnection],
          [10, webOperation],
          [8, replay],
          [8, concurrentOnChannel],
          [12, malformed],
          [5, slowReader],
        ];
        const totalWeight = kinds.reduce((sum, [w]) => sum + w, 0);
        const plan: Op[] = [];
        for (let i = 0; i < ops; i++) {
          let roll = random.int(totalWeight);
          const kind = kinds.find(([w]) => (roll -= w) < 0) as [number, (id: string) => Op];
          plan.push(kind[1](`${name}-${i}`));
        }
        const started = Date.now();
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (opNo < plan.length) {
              const op = plan[opNo++] as Op;
              await op();
            }
          }),
        );
        const loadMs = Date.now() - started;
        step('load');

        // ---- afterwards: nothing in flight, nothing open -------------------------------------------------------
        const serviceIdle = await Promise.race([service.allEnded().then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), SETTLE_BOUND_MS).unref())]);
        if (!serviceIdle) fail(`the service still has ${service.open()} calls open: ${[...service.calls.values()].filter((c) => !c.ended).map((c) => `${c.id} ${c.method} ${c.behaviour}`).join(', ')}`);
        const daemonIdle = await until(() => {
          const s = paid.daemon.stats();
          return s.activeCalls === 0 && s.handlersRunning === 0;
        });
        if (!daemonIdle) fail(`the daemon still has calls in flight: ${JSON.stringify(paid.daemon.stats())}`);
        step('settled');
        const stats = paid.daemon.stats();
        if (stats.callsWaitingForClient !== 0 || stats.responseBufferedBytes !== 0) fail(`the daemon still waits for clients: ${JSON.stringify(stats)}`);
        // A call that never answers is ended by the daemon's cancel. One exception is the client's own doing: node's
        // http2 client (under grpc-js) cancels with END_STREAM then RST_STREAM, the daemon forwards both, and a call
        // cancelled before its request message reaches grpc-js as a half-close without a message, which it answers
        // UNIMPLEMENTED "Received no request message" (it would do the same with the client connected directly).
        for (const call of service.calls.values()) {
          if (!call.id.startsWith(`${name}-`) || call.behaviour !== 'hang' || call.status === undefined) continue;
          if (call.status === Number(grpc.status.UNIMPLEMENTED) && call.details.startsWith('Received no request message')) {
            count('service-half-close-without-message');
            continue;
          }
          fail(`${call.id} ${call.method}: a call that never answers ended with status ${call.status} "${call.details}" at the service, not by the daemon's cancel`);
        }

        // ---- the books, then a normal paid call on every channel ------------------------------------------------
        const serviceOk = (channel: number) => (level: bigint): boolean => [...service.calls.values()].some((c) => c.payment === `${channel}/${level}` && c.status === 0);
        const summary: string[] = [];
        await Promise.all(
          Array.from({ length: CHANNELS }, async (_, channel) => {
            const before = await stateOf(control, channel);
            const books = ledger.check(channel, before.signed, PRICE, serviceOk(channel));
            for (const v of books.violations) fail(`channel ${channel}: ${v}`);
            if (before.nonce !== 0n) fail(`channel ${channel}: nonce ${before.nonce}, expected 0`);
            summary[channel] = `ch${channel} ${books.storedLevels} = ${books.acceptedLevels} OK + ${books.unknownCounted} unknown (${books.unknownNotCounted} unknown not counted)`;
            const level = before.signed / PRICE + 1n;
            const id = `${name}-final-${channel}`;
            const o = await grpcCall({ id, method: 'Unary', headers: tagged(id, channel, level, 'ok', 0, paymentHeaders(channel, level)), deadlineMs: 15_000, messages: 1 });
            if (o.code !== 0) fail(`channel ${channel}: a normal paid call after the load got ${o.code} ${o.details}`);
            settle('final', id, channel, level, 'ok', o);
            const afterState = await stateOf(control, channel);
            if (afterState.signed !== level * PRICE) fail(`channel ${channel}: stored ${afterState.signed} after the final call, expected ${level * PRICE}`);
          }),
        );

        t.diagnostic(`seed ${SEED}, ${name} (${engine}): ${ops} operations in ${loadMs} ms, service saw ${[...service.calls.values()].filter((c) => c.id.startsWith(`${name}-`)).length} calls`);
        t.diagnostic(`books: ${summary.join('; ')}`);
        step('books');

        // Every client connection is gone, including the destroyed ones and those a client left half-closed (the
        // daemon drops those after its linger time): the daemon holds no socket.
        for (const client of clients) client.close();
        control.close();
        agent.destroy();
        if (!(await until(() => paid.daemon.stats().connections === 0))) fail(`the daemon still holds ${paid.daemon.stats().connections} connections after every client closed`);
        step('connections closed');

        if (stopUnderLoad) {
          // A graceful stop while paid calls are in flight (OK, slow, hanging, some cancelled): what it settles is
          // checked by the next phase's books on the same store, and no reservation may be left to block a channel.
          const burstClient = new grpc.Client(paid.target, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
          const burstIds = new Set<string>();
          const burst = Array.from({ length: 2 * CHANNELS }, async (_, i) => {
            const channel = i % CHANNELS;
            const behaviour = random.pick<ChaosBehaviour>(['ok', 'slow', 'slow', 'hang']);
            const cancel = random.chance(0.3) ? { at: 'ms' as const, ms: random.int(300) } : undefined;
            const delayMs = 100 + random.int(400);
            const level = (hint[channel] as bigint) + 1n;
            const id = `${name}-stop-${i}`;
            burstIds.add(id);
            const o = await grpcCall({ id, method: random.pick(METHODS), headers: tagged(id, channel, level, behaviour, delayMs, paymentHeaders(channel, level)), deadlineMs: 15_000, messages: 1, client: burstClient, ...(cancel === undefined ? {} : { cancel }) });
            // The stop may end any of them: only OK or a behaviour that never answers OK is certain.
            settle('stop', id, channel, level, behaviour, { ...o, interfered: true });
          });
          let seen = 0;
          await new Promise<void>((resolve) => {
            const onCall = (record: { id: string }): void => {
              if (burstIds.has(record.id) && ++seen >= CHANNELS / 2) {
                service.events.off('call', onCall);
                resolve();
              }
            };
            service.events.on('call', onCall);
            void Promise.all(burst).then(() => {
              service.events.off('call', onCall);
              resolve();
            });
          });
          const stats = paid.daemon.stats();
          await Promise.all([paid.stop(), ...burst]);
          burstClient.close();
          step('stopped');
          t.diagnostic(`stop under load: ${seen} calls at the service and ${stats.activeCalls} in flight at the daemon when the stop began`);
        }
        t.diagnostic(`steps (ms since the phase began): ${steps.join(', ')}`);
        t.diagnostic(`outcomes: ${[...counts.entries()].sort().map(([k, v]) => `${k}=${v}`).join(' ')}`);
      } finally {
        for (const client of clients) client.close();
        control.close();
        agent.destroy();
      }
      await paid.stop();
      assert.deepEqual(violations, [], `seed ${SEED} (CHAOS_SEED=${SEED} to reproduce): ${violations.length} invariant violations:\n${violations.slice(0, 40).join('\n')}`);
    });
  }
});
