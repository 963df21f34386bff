/**
 * Benchmark backend: a grpc-js server with identity (Buffer) serializers, so only transport cost is
 * measured. `/bench.Echo/Unary` echoes the request; `/bench.Echo/Bidi` echoes every message.
 * Prints `{"port":N}` on stdout once listening.
 */
import * as grpc from '@grpc/grpc-js';

const identity = (b: Buffer): Buffer => b;
const definition: grpc.ServiceDefinition = {
  Unary: { path: '/bench.Echo/Unary', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
  Bidi: { path: '/bench.Echo/Bidi', requestStream: true, responseStream: true, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
};
const server = new grpc.Server({ 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
server.addService(definition, {
  Unary: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, call.request),
  Bidi: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
    call.on('data', (message: Buffer) => {
      if (!call.write(message)) {
        call.pause();
        call.once('drain', () => call.resume());
      }
    });
    call.on('end', () => call.end());
  },
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error !== null) throw error;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
process.on('SIGTERM', () => server.forceShutdown());
