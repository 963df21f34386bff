// `snetd dev call` arguments, checked against the method's input message before anything is
// signed: "two" for a float must be a clear error, not a paid call computing NaN.
import type protobuf from 'protobufjs';
import { SnetError } from '../errors/index.ts';

const integerRanges: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};
const float32Max = 3.4028234663852886e38;

/** One argument as the field's type wants it, or why it cannot be. */
function parseField(field: protobuf.Field, text: string): { ok: true; value: unknown } | { ok: false; why: string } {
  const type = field.type;
  if (type === 'float' || type === 'double') {
    const value = text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(value)) return { ok: false, why: 'is not a number' };
    if (type === 'float' && Math.abs(value) > float32Max) return { ok: false, why: 'is too large for a float' };
    return { ok: true, value };
  }
  const range = integerRanges[type];
  if (range !== undefined) {
    if (!/^-?\d+$/.test(text.trim())) return { ok: false, why: 'is not an integer' };
    const value = BigInt(text.trim());
    if (value < range[0] || value > range[1]) return { ok: false, why: `is outside the ${type} range ${range[0]}..${range[1]}` };
    return { ok: true, value: type.endsWith('64') ? value.toString() : Number(value) };
  }
  if (type === 'bool') {
    if (text !== 'true' && text !== 'false') return { ok: false, why: 'is not true or false' };
    return { ok: true, value: text === 'true' };
  }
  if (type === 'string') return { ok: true, value: text };
  return { ok: false, why: `cannot be given on the command line (field type ${type})` };
}

/**
 * Encodes the request of `service/method` from command-line words, one per field of its input
 * message in field order. Throws REQUEST_MALFORMED (before any signature is made) naming the
 * argument, the field and its type.
 */
export function encodeCallArguments(root: protobuf.Root, serviceName: string, methodName: string, args: readonly string[]): Uint8Array {
  const service = root.lookupService(serviceName);
  const inputOf = (method: protobuf.Method | undefined): protobuf.Type | undefined => (method?.resolve() as protobuf.Method | undefined)?.resolvedRequestType ?? undefined;
  const method = service.methods[methodName];
  const fieldWords = inputOf(method ?? service.methodsArray[0])?.fieldsArray.map((f) => `<${f.name}>`) ?? [];
  const usage = `Usage: snetd dev call <${Object.keys(service.methods).join('|')}> ${fieldWords.join(' ')}`;
  const input = inputOf(method);
  if (input === undefined) throw new SnetError('REQUEST_MALFORMED', `unknown method "${methodName}" of ${serviceName}`, { hint: usage });
  const fields = input.fieldsArray;
  if (args.length !== fields.length) {
    throw new SnetError('REQUEST_MALFORMED', `${methodName} takes ${fields.length} arguments (${fields.map((f) => `${f.name}: ${f.type}`).join(', ')}), got ${args.length}`, { hint: usage });
  }
  const message: Record<string, unknown> = {};
  fields.forEach((field, index) => {
    const text = args[index] ?? '';
    const parsed = parseField(field, text);
    if (!parsed.ok) {
      throw new SnetError('REQUEST_MALFORMED', `argument ${field.name} = "${text}" ${parsed.why} (${input.fullName.replace(/^\./, '')}.${field.name} is ${field.type}); nothing was signed or charged`, { hint: usage });
    }
    message[field.name] = parsed.value;
  });
  return input.encode(input.fromObject(message)).finish();
}
