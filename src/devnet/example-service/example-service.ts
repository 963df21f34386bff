import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Logger } from '../../shared/index.ts';

/** Path of the example service's proto (shipped with snetd-ts). */
export const EXAMPLE_SERVICE_PROTO = fileURLToPath(new URL('./example_service.proto', import.meta.url));

/** The full gRPC method paths the example service serves. */
export const EXAMPLE_SERVICE_METHODS = ['/example_service.Calculator/add', '/example_service.Calculator/sub', '/example_service.Calculator/mul', '/example_service.Calculator/div'] as const;

/** A running example AI service. */
export interface ExampleService {
  /** `http://127.0.0.1:<port>` — the daemon's `service_endpoint`; `grpc.health.v1.Health/Check` is served there too. */
  readonly endpoint: string;
  readonly port: number;
  /** Number of calls served (lets tests see that a call reached the service). */
  calls(): number;
  /** Stops accepting calls and closes connections. Idempotent. */
  stop(): Promise<void>;
}

interface Numbers {
  a: number;
  b: number;
}

const identity = (bytes: Buffer): Buffer => bytes;

/**
 * `grpc.health.v1.Health/Check` answering SERVING (the message `08 01`) for any service name while the server
 * runs, so the dev daemon's `grpc` heartbeat probes the service itself and may say `Online`. Bytes by hand: one
 * fixed reply needs no health proto.
 */
const healthService: grpc.ServiceDefinition = {
  Check: { path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
};
const servingReply = Buffer.from([0x08, 0x01]);

/**
 * Starts the example calculator (`example_service.Calculator/{add,sub,mul,div}`, plaintext gRPC, with the
 * standard health service) on 127.0.0.1 in this process. Division by zero answers INVALID_ARGUMENT.
 */
export async function startExampleService(deps: { readonly logger: Logger }, options: { readonly port?: number } = {}): Promise<ExampleService> {
  const log = deps.logger.child({ component: 'devnet-example-service' });
  const definition = protoLoader.loadSync(EXAMPLE_SERVICE_PROTO, { keepCase: true, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { example_service: { Calculator: grpc.ServiceClientConstructor } };
  let served = 0;
  const op = (fn: (a: number, b: number) => number): grpc.handleUnaryCall<Numbers, { value: number }> => (call, callback) => {
    served++;
    const { a, b } = call.request;
    if (fn === divide && b === 0) {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: 'division by zero' });
      return;
    }
    callback(null, { value: fn(a, b) });
  };
  const divide = (a: number, b: number): number => a / b;
  const server = new grpc.Server();
  server.addService(pkg.example_service.Calculator.service, {
    add: op((a, b) => a + b),
    sub: op((a, b) => a - b),
    mul: op((a, b) => a * b),
    div: op(divide),
  });
  server.addService(healthService, { Check: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, servingReply) });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err === null ? resolve(bound) : reject(err)));
  });
  log.info({ port }, 'example service started');
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    calls: () => served,
    stop: () => {
      // Graceful first; a client that keeps its connection open must not block stop() for long.
      stopping ??= new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }).then(() => server.forceShutdown());
      return stopping;
    },
  };
}
