import { SnetError } from '../../errors/index.ts';
import type { CallOutcome, Upstream, UpstreamCall } from '../call.ts';
import type { CompiledProtos } from './compiled-protos.ts';
import { answerExcerpt, createJsonPoster } from './http-post.ts';
import { parseHttpEndpoint } from './http-endpoint.ts';
import { callMessageEncoding, replyFromJson, requestToJson, type MessageEncoding } from './message-codec.ts';
import { readSingleRequest, simpleMethodName } from './single-request.ts';
import { isListening } from './tcp-probe.ts';
import { unimplemented } from './unimplemented.ts';

/** One `service_credentials` entry (validated by the config: key non-empty, location known). */
export interface ServiceCredential {
  readonly key: string;
  readonly value: unknown;
  readonly location: 'query' | 'header' | 'body';
}

/** Options of {@link createRestUpstream}. */
export interface RestUpstreamOptions {
  /** `service_endpoint`: the base URL; each call POSTs to `<endpoint>/<method>`. */
  readonly endpoint: string;
  readonly encoding: MessageEncoding;
  /** The service protos as compiled now (swapped on a metadata reload); the http type needs them. */
  readonly protos: () => CompiledProtos;
  /** `service_credentials`: query and header entries with a string value, body entries merged into the JSON. */
  readonly credentials: readonly ServiceCredential[];
  readonly maxMessageBytes: number;
  readonly userAgent: string;
}

const okOutcome: CallOutcome = { code: 0, message: '' };

/**
 * An HTTP/JSON (REST) service behind the gRPC front (Go `handler/grpc.go: grpcToHTTP`): the request message
 * becomes JSON with proto field names (64-bit integers as strings, enums by name, default values left out),
 * POSTed to `<service_endpoint>/<method>` with `service_credentials` applied; the JSON answer becomes the reply
 * message (fields the output type lacks are dropped). Non-2xx answers UNAVAILABLE; an answer that does not fit
 * the output type INTERNAL.
 */
export function createRestUpstream(options: RestUpstreamOptions): Upstream {
  const base = parseHttpEndpoint(options.endpoint, 'http');
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  // Credentials are fixed for the daemon's life: their query string, headers and body fields are built once.
  const query = new URLSearchParams(base.search);
  const headers: Record<string, string> = {};
  const bodyFields: Record<string, unknown> = {};
  for (const credential of options.credentials) {
    if (credential.location === 'body') bodyFields[credential.key] = credential.value;
    else if (typeof credential.value === 'string') {
      if (credential.location === 'query') query.append(credential.key, credential.value);
      else headers[credential.key.toLowerCase()] = credential.value;
    }
  }
  const search = query.size === 0 ? '' : `?${query.toString()}`;
  const hasBodyFields = Object.keys(bodyFields).length > 0;
  /** One URL per method, built on first use (bounded by the methods of the protos). */
  const urls = new Map<string, URL>();
  const urlOf = (method: string): URL => {
    let url = urls.get(method);
    if (url === undefined) {
      url = new URL(`${base.origin}${basePath}${encodeURIComponent(method)}${search}`);
      urls.set(method, url);
    }
    return url;
  };
  const poster = createJsonPoster({ maxAnswerBytes: options.maxMessageBytes, userAgent: options.userAgent });
  return {
    async invoke(call: UpstreamCall): Promise<CallOutcome> {
      const request = await readSingleRequest(call, 'http');
      const protos = options.protos();
      const types = protos.method(call.method);
      if (types === undefined) throw unimplemented(call.method, protos);
      const encoding = callMessageEncoding(options.encoding, call.metadata);
      const json = requestToJson(request, encoding, types.input, call.method);
      if (hasBodyFields) Object.assign(json, bodyFields);
      const method = simpleMethodName(types.path);
      const url = urlOf(method);
      const answer = await poster.post(url, Buffer.from(JSON.stringify(json)), headers, call.signal);
      if (answer.status < 200 || answer.status > 299) {
        throw new SnetError('UPSTREAM_UNAVAILABLE', `the HTTP service answered HTTP ${answer.status} to ${method}: ${answerExcerpt(answer.body)}`, {
          hint: 'Read the service logs; check that service_endpoint is the base URL of its methods.',
        });
      }
      let value: unknown;
      try {
        value = JSON.parse(answer.body.toString('utf8')) as unknown;
      } catch {
        throw new SnetError('UPSTREAM_FAILED', `the HTTP service's answer to ${method} is not JSON: ${answerExcerpt(answer.body)}`, {
          hint: `The service must answer a JSON object with the fields of ${types.output.fullName.slice(1)}.`,
        });
      }
      call.response.writeMessage(replyFromJson(value, encoding, types.output, call.method));
      return okOutcome;
    },
    isReachable: (timeoutMs) => isListening(base, timeoutMs),
    close() {
      poster.close();
      return Promise.resolve();
    },
  };
}
