/**
 * A real gRPC service (grpc-js) for integration tests: all four streaming kinds, errors with
 * `grpc-status-details-bin`, response headers, trailers, slow and large streams. Listens on
 * 127.0.0.1:0; `stop()` shuts it down. Reusable by later issues (payments, metering).
 */
import { EventEmitter, once } from 'node:events';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const testProtoPath = path.join(import.meta.dirname, '..', 'fixtures', 'test-service.proto');

export interface EchoRequest {
  text?: string;
  payload?: Buffer;
  repeat?: number;
  delayMs?: number;
  failCode?: number;
  failMessage?: string;
  chunkBytes?: number;
}

export interface EchoResponse {
  text: string;
  payload: Buffer;
  index: number;
  metadata: Record<string, string>;
}

/** `google.rpc.Status{code: 7, message: "why"}` as sent in `grpc-status-details-bin` by failing calls. */
export const testStatusDetails = Buffer.from([0x08, 0x07, 0x12, 0x03, 0x77, 0x68, 0x79]);

export interface TestServiceStats {
  /** Calls the service saw cancelled by its client (the daemon). */
  cancelled: number;
  /** Bytes of ServerStream payload handed to grpc-js so far (the current stream). */
  serverStreamBytes: number;
  /** Times a ServerStream write hit backpressure (write() returned false). */
  serverStreamBlocked: number;
}

export interface TestService {
  readonly port: number;
  readonly stats: TestServiceStats;
  /** Emits 'cancelled', 'blocked' (server stream backpressure) and 'call' (method path). */
  readonly events: EventEmitter;
  stop(): Promise<void>;
}

const loaderOptions: protoLoader.Options = { keepCase: false, longs: Number, defaults: true, bytes: Buffer };

/** Loads the test proto as a grpc-js package definition (for clients). */
export function loadTestProto(): grpc.GrpcObject {
  return grpc.loadPackageDefinition(protoLoader.loadSync(testProtoPath, loaderOptions));
}

/** A grpc-js client for snet.test.TestService at `target` (`127.0.0.1:port`). */
export function createTestClient(target: string, credentials = grpc.credentials.createInsecure(), options: grpc.ChannelOptions = {}): grpc.Client & Record<string, grpc.MethodDefinition<unknown, unknown> & ((...args: unknown[]) => unknown)> {
  const proto = loadTestProto() as unknown as { snet: { test: { TestService: grpc.ServiceClientConstructor } } };
  return new proto.snet.test.TestService(target, credentials, options) as never;
}

function metadataMap(metadata: grpc.Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, values] of Object.entries(metadata.getMap())) out[key] = Buffer.isBuffer(values) ? values.toString('base64') : String(values);
  return out;
}

function failure(request: EchoRequest): grpc.ServiceError {
  const trailers = new grpc.Metadata();
  trailers.set('x-trailer', 'trailer-value');
  trailers.set('grpc-status-details-bin', testStatusDetails);
  return Object.assign(new Error(request.failMessage ?? 'failed'), {
    code: request.failCode as grpc.status,
    details: request.failMessage ?? 'failed',
    metadata: trailers,
  });
}

function responseHeaders(): grpc.Metadata {
  const headers = new grpc.Metadata();
  headers.set('x-response-header', 'header-value');
  return headers;
}

function trailerMetadata(): grpc.Metadata {
  const trailers = new grpc.Metadata();
  trailers.set('x-trailer', 'trailer-value');
  return trailers;
}

/** Starts the test service. Pass `tls` to serve over TLS (https:// upstream tests), `port` to restart on a known port. */
export async function startTestService(options: { tls?: { cert: Buffer; key: Buffer }; port?: number } = {}): Promise<TestService> {
  const proto = grpc.loadPackageDefinition(protoLoader.loadSync(testProtoPath, loaderOptions)) as unknown as {
    snet: { test: { TestService: grpc.ServiceClientConstructor } };
  };
  const events = new EventEmitter();
  const stats: TestServiceStats = { cancelled: 0, serverStreamBytes: 0, serverStreamBlocked: 0 };
  const onCancel = (call: { on(event: 'cancelled', l: () => void): unknown }): void => {
    call.on('cancelled', () => {
      stats.cancelled++;
      events.emit('cancelled');
    });
  };
  const server = new grpc.Server({ 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
  server.addService(proto.snet.test.TestService.service, {
    Unary(call: grpc.ServerUnaryCall<EchoRequest, EchoResponse>, callback: grpc.sendUnaryData<EchoResponse>) {
      events.emit('call', '/snet.test.TestService/Unary');
      onCancel(call);
      const request = call.request;
      const answer = (): void => {
        if (call.cancelled) return;
        call.sendMetadata(responseHeaders());
        if ((request.failCode ?? 0) !== 0) {
          callback(failure(request));
          return;
        }
        callback(null, { text: request.text ?? '', payload: request.payload ?? Buffer.alloc(0), index: 0, metadata: metadataMap(call.metadata) }, trailerMetadata());
      };
      if ((request.delayMs ?? 0) > 0) {
        const timer = setTimeout(answer, request.delayMs);
        call.on('cancelled', () => clearTimeout(timer));
      } else answer();
    },
    ClientStream(call: grpc.ServerReadableStream<EchoRequest, EchoResponse>, callback: grpc.sendUnaryData<EchoResponse>) {
      onCancel(call);
      const texts: string[] = [];
      let bytes = 0;
      call.on('data', (request: EchoRequest) => {
        texts.push(request.text ?? '');
        bytes += request.payload?.length ?? 0;
      });
      call.on('end', () => {
        callback(null, { text: texts.join(','), payload: Buffer.alloc(0), index: bytes, metadata: metadataMap(call.metadata) });
      });
    },
    ServerStream(call: grpc.ServerWritableStream<EchoRequest, EchoResponse>) {
      onCancel(call);
      const request = call.request;
      stats.serverStreamBytes = 0;
      call.sendMetadata(responseHeaders());
      const repeat = request.repeat ?? 0;
      const payload = Buffer.alloc(request.chunkBytes ?? 0, 0x61);
      let index = 0;
      const pump = (): void => {
        while (index < repeat && !call.cancelled) {
          const ok = call.write({ text: request.text ?? '', payload, index: index++, metadata: {} });
          stats.serverStreamBytes += payload.length;
          if ((request.delayMs ?? 0) > 0) {
            setTimeout(pump, request.delayMs);
            return;
          }
          if (!ok) {
            stats.serverStreamBlocked++;
            events.emit('blocked', stats.serverStreamBytes);
            call.once('drain', pump);
            return;
          }
        }
        if (call.cancelled) return;
        if ((request.failCode ?? 0) !== 0) {
          call.emit('error', failure(request));
          return;
        }
        call.end(trailerMetadata());
      };
      pump();
    },
    Bidi(call: grpc.ServerDuplexStream<EchoRequest, EchoResponse>) {
      onCancel(call);
      let index = 0;
      call.on('data', (request: EchoRequest) => {
        if ((request.failCode ?? 0) !== 0) {
          call.emit('error', failure(request));
          return;
        }
        call.write({ text: request.text ?? '', payload: request.payload ?? Buffer.alloc(0), index: index++, metadata: {} });
      });
      call.on('end', () => call.end(trailerMetadata()));
    },
  });
  const credentials =
    options.tls === undefined ? grpc.ServerCredentials.createInsecure() : grpc.ServerCredentials.createSsl(null, [{ cert_chain: options.tls.cert, private_key: options.tls.key }], false);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, credentials, (error, bound) => (error === null ? resolve(bound) : reject(error)));
  });
  return {
    port,
    stats,
    events,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Streams left open by a test must not block teardown.
        setImmediate(() => server.forceShutdown());
      });
    },
  };
}

/** Resolves at the next `event` on `emitter` (no sleeps). */
export async function nextEvent(emitter: EventEmitter, event: string): Promise<unknown[]> {
  return once(emitter, event);
}
