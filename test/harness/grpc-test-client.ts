/** Promise wrappers over grpc-js client calls that capture headers, trailers and status. */
import * as grpc from '@grpc/grpc-js';
import type { EchoRequest, EchoResponse } from './grpc-test-service.ts';

export interface CallResult<T> {
  readonly error: grpc.ServiceError | undefined;
  readonly response: T | undefined;
  readonly headers: grpc.Metadata | undefined;
  readonly status: grpc.StatusObject;
}

type AnyClient = Record<string, (...args: unknown[]) => unknown>;

export interface CallOptions {
  readonly metadata?: Record<string, string>;
  readonly deadlineMs?: number;
  /** Called with the call object once started (to cancel it). */
  readonly onCall?: (call: grpc.ClientUnaryCall) => void;
}

function toMetadata(values: Record<string, string> | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(values ?? {})) metadata.set(key, value);
  return metadata;
}

function callOptions(options: CallOptions): grpc.CallOptions {
  return options.deadlineMs === undefined ? {} : { deadline: Date.now() + options.deadlineMs };
}

/** A unary call to snet.test.TestService/Unary. */
export function callUnary(client: grpc.Client, request: EchoRequest, options: CallOptions = {}): Promise<CallResult<EchoResponse>> {
  return new Promise((resolve) => {
    let headers: grpc.Metadata | undefined;
    let error: grpc.ServiceError | undefined;
    let response: EchoResponse | undefined;
    const call = (client as unknown as AnyClient).Unary!(request, toMetadata(options.metadata), callOptions(options), (e: grpc.ServiceError | null, r: EchoResponse) => {
      error = e ?? undefined;
      response = r;
    }) as grpc.ClientUnaryCall;
    call.on('metadata', (m: grpc.Metadata) => (headers = m));
    call.on('status', (status: grpc.StatusObject) => setImmediate(() => resolve({ error, response, headers, status })));
    options.onCall?.(call);
  });
}

/** A client-streaming call: sends `requests`, resolves with the single response. */
export function callClientStream(client: grpc.Client, requests: EchoRequest[], options: CallOptions = {}): Promise<CallResult<EchoResponse>> {
  return new Promise((resolve) => {
    let headers: grpc.Metadata | undefined;
    let error: grpc.ServiceError | undefined;
    let response: EchoResponse | undefined;
    const call = (client as unknown as AnyClient).ClientStream!(toMetadata(options.metadata), callOptions(options), (e: grpc.ServiceError | null, r: EchoResponse) => {
      error = e ?? undefined;
      response = r;
    }) as grpc.ClientWritableStream<EchoRequest>;
    call.on('metadata', (m: grpc.Metadata) => (headers = m));
    call.on('status', (status: grpc.StatusObject) => setImmediate(() => resolve({ error, response, headers, status })));
    for (const request of requests) call.write(request);
    call.end();
  });
}

/** A server-streaming call: collects every response. */
export function callServerStream(client: grpc.Client, request: EchoRequest, options: CallOptions = {}): Promise<CallResult<EchoResponse[]>> {
  return new Promise((resolve) => {
    let headers: grpc.Metadata | undefined;
    let error: grpc.ServiceError | undefined;
    const responses: EchoResponse[] = [];
    const call = (client as unknown as AnyClient).ServerStream!(request, toMetadata(options.metadata), callOptions(options)) as grpc.ClientReadableStream<EchoResponse>;
    call.on('metadata', (m: grpc.Metadata) => (headers = m));
    call.on('data', (r: EchoResponse) => responses.push(r));
    call.on('error', (e: grpc.ServiceError) => (error = e));
    call.on('status', (status: grpc.StatusObject) => setImmediate(() => resolve({ error, response: responses, headers, status })));
  });
}

/** A bidi call: writes each request after the previous answer arrived (ping-pong), then ends. */
export function callBidi(client: grpc.Client, requests: EchoRequest[], options: CallOptions = {}): Promise<CallResult<EchoResponse[]>> {
  return new Promise((resolve) => {
    let error: grpc.ServiceError | undefined;
    let headers: grpc.Metadata | undefined;
    const responses: EchoResponse[] = [];
    const call = (client as unknown as AnyClient).Bidi!(toMetadata(options.metadata), callOptions(options)) as grpc.ClientDuplexStream<EchoRequest, EchoResponse>;
    let next = 0;
    const sendNext = (): void => {
      const request = requests[next++];
      if (request !== undefined) call.write(request);
      else call.end();
    };
    call.on('metadata', (m: grpc.Metadata) => (headers = m));
    call.on('data', (r: EchoResponse) => {
      responses.push(r);
      sendNext();
    });
    call.on('error', (e: grpc.ServiceError) => (error = e));
    call.on('status', (status: grpc.StatusObject) => setImmediate(() => resolve({ error, response: responses, headers, status })));
    sendNext();
  });
}
