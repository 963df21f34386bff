import protobuf from 'protobufjs';
import { SnetError } from '../../errors/index.ts';
import type { ReadonlyMetadata } from '../call.ts';

/** How the message bytes of one call are encoded: binary protobuf or JSON text. */
export type MessageEncoding = 'proto' | 'json';

/**
 * The encoding of a call's messages for a translating upstream. The service metadata's `encoding: json` means
 * JSON whatever the content type (snet-cli sends JSON under plain `application/grpc`); `proto` means protobuf
 * unless the client's content type says `+json` (`application/grpc+json`, `application/grpc-web+json`).
 */
export function callMessageEncoding(serviceEncoding: MessageEncoding, metadata: ReadonlyMetadata): MessageEncoding {
  if (serviceEncoding === 'json') return 'json';
  const contentType = metadata['content-type'];
  return typeof contentType === 'string' && contentType.includes('+json') ? 'json' : 'proto';
}

/** protojson's choices: 64-bit integers as strings, enums by name, bytes as base64; default values left out. */
const toObjectOptions: protobuf.IConversionOptions = { longs: String, enums: String, bytes: String };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Parses JSON message bytes; throws REQUEST_UNDECODABLE naming the method. */
export function parseJsonMessage(bytes: Uint8Array, method: string): unknown {
  try {
    return JSON.parse(utf8.decode(bytes)) as unknown;
  } catch (cause) {
    throw undecodable(`the request message of ${method} is not JSON: ${messageOf(cause)}`, 'json', cause);
  }
}

/**
 * A request message as a JSON object with the proto field names of `type`: decoded from protobuf, or parsed
 * from JSON and passed through the type (camelCase names accepted, unknown fields dropped). Throws
 * REQUEST_UNDECODABLE when the bytes do not fit.
 */
export function requestToJson(bytes: Uint8Array, encoding: MessageEncoding, type: protobuf.Type, method: string): Record<string, unknown> {
  if (encoding === 'json') {
    const value = parseJsonMessage(bytes, method);
    try {
      return type.toObject(type.fromObject(protoNamed(type, value) as Record<string, unknown>), toObjectOptions);
    } catch (cause) {
      throw undecodable(`the request message of ${method} does not fit ${type.fullName.slice(1)}: ${messageOf(cause)}`, encoding, cause);
    }
  }
  try {
    return type.toObject(type.decode(bytes), toObjectOptions);
  } catch (cause) {
    throw undecodable(`the request message of ${method} is not a valid ${type.fullName.slice(1)}: ${messageOf(cause)}`, encoding, cause);
  }
}

/**
 * A service's JSON answer as the reply message bytes in `encoding`. With a `type`, fields it does not declare are
 * dropped (as the reference does) and camelCase names are accepted; without one (JSON-RPC over JSON messages, no
 * protos) the JSON is sent as it came. Throws UPSTREAM_FAILED when the answer does not fit the output type.
 */
export function replyFromJson(value: unknown, encoding: MessageEncoding, type: protobuf.Type | undefined, method: string): Uint8Array {
  if (type === undefined) return encoder.encode(JSON.stringify(value));
  let message: protobuf.Message;
  try {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError('a JSON object is expected');
    message = type.fromObject(protoNamed(type, value) as Record<string, unknown>);
  } catch (cause) {
    throw new SnetError('UPSTREAM_FAILED', `the service's answer to ${method} does not fit ${type.fullName.slice(1)}: ${messageOf(cause)}`, {
      hint: `The service must answer a JSON object with the fields of ${type.fullName.slice(1)} (proto or camelCase names).`,
      cause,
    });
  }
  return encoding === 'json' ? encoder.encode(JSON.stringify(type.toObject(message, toObjectOptions))) : type.encode(message).finish();
}

/** Per message type: lowerCamelCase JSON name → proto field name, for the fields whose names differ. */
const camelNames = new WeakMap<protobuf.Type, ReadonlyMap<string, string>>();

function camelNamesOf(type: protobuf.Type): ReadonlyMap<string, string> {
  let names = camelNames.get(type);
  if (names === undefined) {
    const built = new Map<string, string>();
    for (const field of type.fieldsArray) {
      const camel = protobuf.util.camelCase(field.name);
      if (camel !== field.name) built.set(camel, field.name);
    }
    names = built;
    camelNames.set(type, names);
  }
  return names;
}

/**
 * `value` with protojson's lowerCamelCase keys renamed to the proto names of `type` (protobufjs' `fromObject`
 * of a keepCase root reads proto names only), through nested messages, lists and maps. Other values pass as they are.
 */
function protoNamed(type: protobuf.Type, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const names = camelNamesOf(type);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const name = type.fields[key] === undefined ? (names.get(key) ?? key) : key;
    const field = type.fields[name];
    const nested = field?.resolvedType;
    if (!(nested instanceof protobuf.Type) || inner === null || typeof inner !== 'object') out[name] = inner;
    else if (Array.isArray(inner)) out[name] = inner.map((item) => protoNamed(nested, item));
    else if (field instanceof protobuf.MapField) out[name] = Object.fromEntries(Object.entries(inner).map(([k, v]) => [k, protoNamed(nested, v)]));
    else out[name] = protoNamed(nested, inner);
  }
  return out;
}

function undecodable(message: string, encoding: MessageEncoding, cause: unknown): SnetError {
  return new SnetError('REQUEST_UNDECODABLE', message, {
    hint:
      encoding === 'json'
        ? 'Send the message as JSON with the fields of the method input type (content type application/grpc+json, or any gRPC content type when the service metadata says encoding json).'
        : 'Send the method input message as binary protobuf, generated from the service protos; use application/grpc+json for JSON messages.',
    cause,
  });
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
