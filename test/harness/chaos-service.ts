/**
 * The service behind the daemon in the chaos test (test/integration/chaos.test.ts): snet.test.TestService on
 * grpc-js with all four call kinds, each call's behaviour chosen by request metadata, and an account of every
 * call it saw (open until grpc-js reports it ended, how it ended). Listens on 127.0.0.1:0.
 *
 * Metadata read per call:
 * - `x-chaos-behaviour`: `ok` (answer at once), `slow` (wait `x-chaos-delay-ms` before the answer and between
 *   streamed messages), `fail` (trailers-only error with `grpc-status-details-bin` and a custom trailer),
 *   `headers-fail` (response headers, for streams one message, then that error), `hang` (never answer; streams
 *   send headers and one message first) — until the daemon cancels the call. ServerStream sends `repeat` messages
 *   of `chunk_bytes` payload each and waits for 'drain' when the daemon reads slower (backpressure).
 * - `x-chaos-id`: the client's id of the call (kept in the record); `x-chaos-payment`: `<channel>/<level>`.
 */
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { testProtoPath, testStatusDetails, type EchoRequest, type EchoResponse } from './grpc-test-service.ts';

export type ChaosBehaviour = 'ok' | 'slow' | 'fail' | 'headers-fail' | 'hang';

/** gRPC status of `fail` / `headers-fail` answers (a code the daemon never uses itself). */
export const CHAOS_FAIL_CODE = grpc.status.DATA_LOSS;
export const CHAOS_FAIL_MESSAGE = 'chaos: the service failed this call on purpose';

/** One call as the service saw it. */
export interface ChaosServiceCall {
  readonly method: string;
  readonly id: string;
  readonly behaviour: string;
  readonly payment: string;
  /** The status the service sent, if it sent one, and its message. */
  status: number | undefined;
  details: string;
  /** grpc-js reported the call ended (status sent, or the stream closed/cancelled). */
  ended: boolean;
}

export interface ChaosService {
  readonly port: number;
  /** Every call seen, by `x-chaos-id` (calls without one are kept under `?<n>`). */
  readonly calls: Map<string, ChaosServiceCall>;
  /** Calls started and not ended yet. */
  open(): number;
  /** Emits 'call' (record) when a call starts and 'ended' (record) when it ends. */
  readonly events: EventEmitter;
  /** Resolves once no call is open (at once when none is). */
  allEnded(): Promise<void>;
  stop(): Promise<void>;
}

const loaderOptions: protoLoader.Options = { keepCase: false, longs: Number, defaults: true, bytes: Buffer };

function first(metadata: grpc.Metadata, key: string): string {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : '';
}

function failure(): Partial<grpc.StatusObject> {
  const trailers = new grpc.Metadata();
  trailers.set('x-chaos-trailer', 'failed-on-purpose');
  trailers.set('grpc-status-details-bin', testStatusDetails);
  return { code: CHAOS_FAIL_CODE, details: CHAOS_FAIL_MESSAGE, metadata: trailers };
}

function okTrailers(): grpc.Metadata {
  const trailers = new grpc.Metadata();
  trailers.set('x-chaos-trailer', 'ok');
  return trailers;
}

function responseHeaders(): grpc.Metadata {
  const headers = new grpc.Metadata();
  headers.set('x-chaos-header', 'sent');
  return headers;
}

/** Starts the chaos service on 127.0.0.1:0. */
export async function startChaosService(): Promise<ChaosService> {
  const proto = grpc.loadPackageDefinition(protoLoader.loadSync(testProtoPath, loaderOptions)) as unknown as {
    snet: { test: { TestService: grpc.ServiceClientConstructor } };
  };
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const calls = new Map<string, ChaosServiceCall>();
  let open = 0;
  let anonymous = 0;
  const idleWaiters: (() => void)[] = [];

  // The account is kept by a server interceptor: grpc-js calls onCancel exactly once per call when it ends
  // (after the status was sent, or when the stream closed first), so open = started − ended is exact.
  const account: grpc.ServerInterceptor = (descriptor, call) => {
    let record: ChaosServiceCall | undefined;
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            const id = first(metadata, 'x-chaos-id') || `?${anonymous++}`;
            record = { method: descriptor.path, id, behaviour: first(metadata, 'x-chaos-behaviour'), payment: first(metadata, 'x-chaos-payment'), status: undefined, details: '', ended: false };
            calls.set(id, record);
            open++;
            events.emit('call', record);
            nextMetadata(metadata);
          },
          onCancel: () => {
            if (record === undefined || record.ended) return;
            record.ended = true;
            open--;
            events.emit('ended', record);
            if (open === 0) for (const waiter of idleWaiters.splice(0)) waiter();
          },
        });
      },
      sendStatus: (status, next) => {
        if (record !== undefined && record.status === undefined && !record.ended) {
          record.status = status.code;
          record.details = status.details ?? '';
        }
        next(status);
      },
    });
  };

  const behaviourOf = (metadata: grpc.Metadata): { behaviour: ChaosBehaviour; delayMs: number } => {
    const behaviour = first(metadata, 'x-chaos-behaviour');
    const delayMs = Number(first(metadata, 'x-chaos-delay-ms') || '0');
    return { behaviour: (['ok', 'slow', 'fail', 'headers-fail', 'hang'].includes(behaviour) ? behaviour : 'ok') as ChaosBehaviour, delayMs };
  };
  const reply = (text: string, index: number): EchoResponse => ({ text, payload: Buffer.alloc(0), index, metadata: {} });

  const server = new grpc.Server({ interceptors: [account], 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
  server.addService(proto.snet.test.TestService.service, {
    Unary(call: grpc.ServerUnaryCall<EchoRequest, EchoResponse>, callback: grpc.sendUnaryData<EchoResponse>) {
      const { behaviour, delayMs } = behaviourOf(call.metadata);
      const timers: NodeJS.Timeout[] = [];
      call.on('cancelled', () => timers.forEach(clearTimeout));
      const text = call.request.text ?? '';
      switch (behaviour) {
        case 'ok':
          callback(null, reply(text, 0), okTrailers());
          return;
        case 'slow':
          timers.push(setTimeout(() => callback(null, reply(text, 0), okTrailers()), delayMs));
          return;
        case 'fail':
          callback(failure());
          return;
        case 'headers-fail':
          call.sendMetadata(responseHeaders());
          timers.push(setTimeout(() => callback(failure()), delayMs));
          return;
        case 'hang':
          return;
      }
    },
    ServerStream(call: grpc.ServerWritableStream<EchoRequest, EchoResponse>) {
      const { behaviour, delayMs } = behaviourOf(call.metadata);
      const timers: NodeJS.Timeout[] = [];
      call.on('cancelled', () => timers.forEach(clearTimeout));
      const text = call.request.text ?? '';
      const count = Math.max(1, call.request.repeat ?? 1);
      if (behaviour === 'fail') {
        call.emit('error', Object.assign(new Error(CHAOS_FAIL_MESSAGE), failure()));
        return;
      }
      call.sendMetadata(responseHeaders());
      if (behaviour === 'hang') {
        call.write(reply(text, 0));
        return;
      }
      if (behaviour === 'headers-fail') {
        call.write(reply(text, 0));
        timers.push(setTimeout(() => call.emit('error', Object.assign(new Error(CHAOS_FAIL_MESSAGE), failure())), delayMs));
        return;
      }
      // `chunk_bytes` of payload per message; a full write buffer waits for 'drain' (backpressure from the daemon).
      const payload = Buffer.alloc(call.request.chunkBytes ?? 0, 0x61);
      let index = 0;
      const pump = (): void => {
        if (call.cancelled) return;
        if (index === count) {
          call.end(okTrailers());
          return;
        }
        const more = call.write({ ...reply(text, index++), payload });
        if (behaviour === 'slow') timers.push(setTimeout(pump, delayMs));
        else if (more) setImmediate(pump);
        else call.once('drain', pump);
      };
      pump();
    },
    ClientStream(call: grpc.ServerReadableStream<EchoRequest, EchoResponse>, callback: grpc.sendUnaryData<EchoResponse>) {
      const { behaviour, delayMs } = behaviourOf(call.metadata);
      const timers: NodeJS.Timeout[] = [];
      call.on('cancelled', () => timers.forEach(clearTimeout));
      const texts: string[] = [];
      if (behaviour === 'headers-fail') call.sendMetadata(responseHeaders());
      call.on('data', (request: EchoRequest) => texts.push(request.text ?? ''));
      call.on('error', () => undefined);
      call.on('end', () => {
        switch (behaviour) {
          case 'ok':
            callback(null, reply(texts.join(','), texts.length), okTrailers());
            return;
          case 'slow':
            timers.push(setTimeout(() => callback(null, reply(texts.join(','), texts.length), okTrailers()), delayMs));
            return;
          case 'fail':
          case 'headers-fail':
            callback(failure());
            return;
          case 'hang':
            return;
        }
      });
    },
    Bidi(call: grpc.ServerDuplexStream<EchoRequest, EchoResponse>) {
      const { behaviour, delayMs } = behaviourOf(call.metadata);
      const timers: NodeJS.Timeout[] = [];
      call.on('cancelled', () => timers.forEach(clearTimeout));
      call.on('error', () => undefined);
      if (behaviour === 'fail') {
        call.emit('error', Object.assign(new Error(CHAOS_FAIL_MESSAGE), failure()));
        return;
      }
      call.sendMetadata(responseHeaders());
      let index = 0;
      let failed = false;
      call.on('data', (request: EchoRequest) => {
        const answer = (): void => {
          if (call.cancelled || failed) return;
          if (behaviour === 'headers-fail') {
            failed = true;
            call.emit('error', Object.assign(new Error(CHAOS_FAIL_MESSAGE), failure()));
            return;
          }
          call.write(reply(request.text ?? '', index++));
        };
        if (behaviour === 'slow') timers.push(setTimeout(answer, delayMs));
        else answer();
      });
      call.on('end', () => {
        if (behaviour === 'hang' || failed) return;
        // After the last (possibly delayed) answer.
        timers.push(
          setTimeout(() => {
            if (!failed) call.end(okTrailers());
          }, behaviour === 'slow' ? delayMs + 1 : 0),
        );
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error)));
  });
  return {
    port,
    calls,
    open: () => open,
    events,
    allEnded: () => (open === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    stop: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Calls a failed test left open must not block teardown.
        setImmediate(() => server.forceShutdown());
      }),
  };
}
