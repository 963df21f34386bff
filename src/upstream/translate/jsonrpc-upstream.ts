import { randomInt } from 'node:crypto';
import { SnetError } from '../../errors/index.ts';
import type { CallOutcome, Upstream, UpstreamCall } from '../call.ts';
import type { CompiledProtos, MethodTypes } from './compiled-protos.ts';
import { answerExcerpt, createJsonPoster } from './http-post.ts';
import { parseHttpEndpoint } from './http-endpoint.ts';
import { callMessageEncoding, parseJsonMessage, replyFromJson, requestToJson, type MessageEncoding } from './message-codec.ts';
import { readSingleRequest, simpleMethodName } from './single-request.ts';
import { isListening } from './tcp-probe.ts';
import { unimplemented } from './unimplemented.ts';

/** Options of {@link createJsonRpcUpstream}. */
export interface JsonRpcUpstreamOptions {
  /** `service_endpoint`: the URL every JSON-RPC request is POSTed to, as configured (no path added). */
  readonly endpoint: string;
  /** Service metadata `encoding`: what the message bytes are (see {@link callMessageEncoding}). */
  readonly encoding: MessageEncoding;
  /**
   * The service protos as compiled now (swapped on a metadata reload), or `undefined` when the metadata names
   * none: then only JSON messages are accepted and any method name is passed on.
   */
  readonly protos: () => CompiledProtos | undefined;
  /** Largest answer accepted, in bytes (`max_message_size_in_mb`). */
  readonly maxMessageBytes: number;
  readonly userAgent: string;
}

const okOutcome: CallOutcome = { code: 0, message: '' };

/**
 * A JSON-RPC 2.0 service behind the gRPC front (Go `handler/grpc.go: grpcToJSONRPC`): the one request message
 * becomes `params` of a POST to `service_endpoint` with `method` = the gRPC method's simple name; `result` becomes
 * the reply message. JSON messages pass as JSON; protobuf messages (what generated clients send) are translated
 * through the service protos, where the reference fails. A JSON-RPC `error` or a null `result` answers INTERNAL
 * (UPSTREAM_FAILED), a non-2xx answer UNAVAILABLE.
 */
export function createJsonRpcUpstream(options: JsonRpcUpstreamOptions): Upstream {
  const url = parseHttpEndpoint(options.endpoint, 'jsonrpc');
  const poster = createJsonPoster({ maxAnswerBytes: options.maxMessageBytes, userAgent: options.userAgent });
  return {
    async invoke(call: UpstreamCall): Promise<CallOutcome> {
      const request = await readSingleRequest(call, 'jsonrpc');
      const encoding = callMessageEncoding(options.encoding, call.metadata);
      const protos = options.protos();
      let types: MethodTypes | undefined;
      if (protos !== undefined) {
        types = protos.method(call.method);
        if (types === undefined) throw unimplemented(call.method, protos);
      }
      let params: unknown;
      if (encoding === 'json') params = parseJsonMessage(request, call.method);
      else if (types !== undefined) params = requestToJson(request, encoding, types.input, call.method);
      else {
        throw new SnetError('REQUEST_UNDECODABLE', `${call.method}: the service metadata names no protos, so the daemon cannot read a protobuf message; send JSON`, {
          hint: 'Call with content type application/grpc+json (JSON messages), or publish the service protos in the metadata (service_api_source).',
        });
      }
      const method = simpleMethodName(call.method);
      // A random id as the reference sends (a safe integer, so JSON keeps it exact).
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', method, params, id: randomInt(2 ** 47) }));
      const answer = await poster.post(url, body, undefined, call.signal);
      if (answer.status < 200 || answer.status > 299) {
        throw new SnetError('UPSTREAM_UNAVAILABLE', `the JSON-RPC service answered HTTP ${answer.status} to ${method}: ${answerExcerpt(answer.body)}`, {
          hint: 'Read the JSON-RPC service logs; check that service_endpoint is its JSON-RPC URL.',
        });
      }
      const result = jsonRpcResult(answer.body, method);
      call.response.writeMessage(replyFromJson(result, encoding, types?.output, call.method));
      return okOutcome;
    },
    isReachable: (timeoutMs) => isListening(url, timeoutMs),
    close() {
      poster.close();
      return Promise.resolve();
    },
  };
}

/** The `result` of a JSON-RPC 2.0 answer; throws UPSTREAM_FAILED with the service's error message otherwise. */
function jsonRpcResult(body: Buffer, method: string): unknown {
  let answer: unknown;
  try {
    answer = JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw failed(`the JSON-RPC answer to ${method} is not JSON: ${answerExcerpt(body)}`);
  }
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) throw failed(`the JSON-RPC answer to ${method} is not an object: ${answerExcerpt(body)}`);
  const { result, error } = answer as { result?: unknown; error?: unknown };
  if (error !== undefined && error !== null) {
    const message = typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message : JSON.stringify(error);
    throw failed(`json-rpc error from ${method}: ${message}`);
  }
  if (result === undefined || result === null) throw failed(`json-rpc error from ${method}: result is null`);
  return result;
}

function failed(message: string): SnetError {
  return new SnetError('UPSTREAM_FAILED', message, { hint: 'Read the JSON-RPC service logs for this call.' });
}
