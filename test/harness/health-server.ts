// A grpc-js server with grpc.health.v1.Health/Check whose answer the test controls, for heartbeat probe tests.
import * as grpc from '@grpc/grpc-js';

const identity = (b: Buffer): Buffer => b;

/** A running health server: `asked` records the service name of each Check. */
export interface HealthServer {
  readonly port: number;
  readonly asked: string[];
  stop(): void;
}

/** Starts it on 127.0.0.1:0; Check answers `status()` (a HealthCheckResponse.ServingStatus value: 1 = SERVING). */
export async function startHealthServer(status: () => number): Promise<HealthServer> {
  const server = new grpc.Server();
  const asked: string[] = [];
  server.addService(
    { Check: { path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
    {
      Check: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        // HealthCheckRequest{service = 1}: tag 0x0a, length, utf-8 name.
        asked.push(call.request.length > 2 ? call.request.subarray(2).toString() : '');
        callback(null, Buffer.from([0x08, status()]));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error))));
  return { port, asked, stop: () => server.forceShutdown() };
}
