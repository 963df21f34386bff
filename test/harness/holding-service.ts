// A Calculator service that never answers `add`: a call stays in flight while a test kills the daemon under it.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** A Calculator whose `add` never answers: it reports the call (with its metadata) and holds it. */
export async function startHoldingService(protoFile: string): Promise<{ endpoint: string; received: Promise<grpc.Metadata>; stop(): Promise<void> }> {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(protoFile)) as unknown as { example_service: { Calculator: grpc.ServiceClientConstructor } };
  const server = new grpc.Server();
  let report: (metadata: grpc.Metadata) => void = () => undefined;
  const received = new Promise<grpc.Metadata>((resolve) => (report = resolve));
  server.addService(pkg.example_service.Calculator.service, {
    add: (call: grpc.ServerUnaryCall<unknown, unknown>) => report(call.metadata),
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e === null ? resolve(p) : reject(e))));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    stop: () => {
      server.forceShutdown();
      return Promise.resolve();
    },
  };
}

