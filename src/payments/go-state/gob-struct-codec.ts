import { firstUserTypeId, gobTypeId, readStructFields, readWireType, writeWireType, type WireType } from './gob-types.ts';
import { GobReader, GobWriter, decodeBigIntGob, encodeBigIntGob, gobError } from './gob-wire.ts';

// A gob reader/writer for flat Go structs whose fields are *big.Int, int, string, []byte or byte arrays
// (go-ethereum `common.Address`, `[32]byte`): the shapes the Go daemon stores. Each value is a complete
// stream of its own (Go's daemon uses a fresh gob.Encoder per value): type definitions, then the value.

/**
 * The Go type of a field: `bigint` = `*big.Int` (GobEncoder; `undefined` = nil pointer), `int` = Go int
 * (int64), `string`, `bytes` = `[]byte`, `address` = go-ethereum `common.Address` (gob array `Address` of
 * 20 uints, not text), `bytes32` = `[32]byte` (gob array `[32]uint8`).
 */
export type GoFieldKind = 'bigint' | 'int' | 'string' | 'bytes' | 'address' | 'bytes32';

/** One Go struct field: its exact Go name (gob matches by name), the property that holds it, its type. */
export interface GoFieldSpec {
  readonly goName: string;
  readonly property: string;
  readonly kind: GoFieldKind;
}

/** A Go struct as gob describes it; field order is the Go declaration order (it fixes the field numbers). */
export interface GoStructSpec {
  readonly goName: string;
  readonly fields: readonly GoFieldSpec[];
}

/** JS values of the field kinds: bigint | undefined, bigint, string, Uint8Array. */
export type GoFieldValue = bigint | undefined | string | Uint8Array;

const ARRAY_TYPES = {
  address: { name: 'Address', length: 20 },
  bytes32: { name: '[32]uint8', length: 32 },
} as const;

const BUILTIN_IDS: Partial<Record<GoFieldKind, number>> = { int: gobTypeId.int, string: gobTypeId.string, bytes: gobTypeId.bytes };

/** The zero value Go's decoder leaves in a field the stream does not carry. */
function zeroOf(kind: GoFieldKind): GoFieldValue {
  switch (kind) {
    case 'bigint':
      return undefined;
    case 'int':
      return 0n;
    case 'string':
      return '';
    case 'bytes':
      return new Uint8Array(0);
    case 'address':
      return new Uint8Array(20);
    case 'bytes32':
      return new Uint8Array(32);
  }
}

/** A compiled {@link GoStructSpec}: encodes and decodes values of it. */
export interface GobStructCodec<T> {
  readonly spec: GoStructSpec;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

/**
 * Compiles the type definitions of `spec` once, with the ids a fresh Go process gives them (struct first,
 * then each field type in field order, then the inner id of `*big.Int`'s GobEncoder type), so our bytes
 * equal a fresh Go encoder's for the same value. Decoding follows the definitions in the stream instead.
 */
export function createGobStructCodec<T>(spec: GoStructSpec): GobStructCodec<T> {
  const prefix = typeDefinitions(spec);
  const fieldIds = fieldTypeIds(spec);
  const byName = new Map(spec.fields.map((field) => [field.goName, field] as const));
  // Streams that start with exactly our definitions (ours, and a fresh Go process's) skip parsing them.
  const known = { prefix, types: readDefinitions(prefix) };

  return {
    spec,
    encode(value: T): Uint8Array {
      const record = value as Record<string, GoFieldValue>;
      const body = scratch;
      body.reset();
      body.int(fieldIds.struct);
      let last = -1;
      spec.fields.forEach((field, index) => {
        const v = record[field.property];
        if (!writesField(field, v)) return;
        body.uint(index - last);
        last = index;
        writeField(body, field, v);
      });
      body.uint(0);
      const length = new GobWriter(9);
      length.uint(body.length);
      const out = new Uint8Array(prefix.length + length.length + body.length);
      out.set(prefix, 0);
      out.set(length.view(), prefix.length);
      out.set(body.view(), prefix.length + length.length);
      return out;
    },
    decode(bytes: Uint8Array): T {
      return decodeStruct(spec, byName, bytes, known) as T;
    },
  };
}

/** The value message being built (encoding is synchronous, so one buffer serves every call). */
const scratch = new GobWriter(1024);

/** True when Go's encoder sends the field: zero ints / empty strings and slices / nil pointers are omitted. */
function writesField(field: GoFieldSpec, value: GoFieldValue): boolean {
  switch (field.kind) {
    case 'bigint':
      if (value === undefined) return false;
      if (typeof value !== 'bigint') throw gobError(`field ${field.goName} must be a bigint or undefined`);
      return true;
    case 'int':
      if (typeof value !== 'bigint') throw gobError(`field ${field.goName} must be a bigint`);
      return value !== 0n;
    case 'string':
      if (typeof value !== 'string') throw gobError(`field ${field.goName} must be a string`);
      return value.length > 0;
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw gobError(`field ${field.goName} must be bytes`);
      return value.length > 0;
    case 'address':
    case 'bytes32': {
      const length = ARRAY_TYPES[field.kind].length;
      if (!(value instanceof Uint8Array) || value.length !== length) throw gobError(`field ${field.goName} must be ${length} bytes`);
      return true; // arrays are sent even when all zero
    }
  }
}

function writeField(writer: GobWriter, field: GoFieldSpec, value: GoFieldValue): void {
  switch (field.kind) {
    case 'bigint':
      writer.byteSlice(encodeBigIntGob(value as bigint));
      return;
    case 'int':
      writer.int(value as bigint);
      return;
    case 'string':
      writer.string(value as string);
      return;
    case 'bytes':
      writer.byteSlice(value as Uint8Array);
      return;
    case 'address':
    case 'bytes32': {
      const array = value as Uint8Array;
      writer.uint(array.length);
      for (const byte of array) writer.uint(byte);
      return;
    }
  }
}

interface FieldTypeIds {
  readonly struct: number;
  /** Type id of each user field type (`bigint`, `address`, `bytes32`). */
  readonly user: ReadonlyMap<GoFieldKind, number>;
  /** The id inside `*big.Int`'s definition (Go allocates it after the struct's field types). */
  readonly bigIntInner: number;
}

function fieldTypeIds(spec: GoStructSpec): FieldTypeIds {
  let next = firstUserTypeId;
  const struct = next++;
  const user = new Map<GoFieldKind, number>();
  for (const field of spec.fields) {
    if (BUILTIN_IDS[field.kind] === undefined && !user.has(field.kind)) user.set(field.kind, next++);
  }
  return { struct, user, bigIntInner: user.has('bigint') ? next : 0 };
}

function idOf(ids: FieldTypeIds, kind: GoFieldKind): number {
  return BUILTIN_IDS[kind] ?? (ids.user.get(kind) as number);
}

/** The type definition messages of `spec`, in the order Go sends them. */
function typeDefinitions(spec: GoStructSpec): Uint8Array {
  const ids = fieldTypeIds(spec);
  const out = new GobWriter(512);
  const message = (id: number, type: WireType, commonId: number): void => {
    const body = new GobWriter(128);
    body.int(-id);
    writeWireType(body, type, commonId);
    out.uint(body.length);
    out.raw(body.bytes());
  };
  message(ids.struct, { kind: 'struct', name: spec.goName, fields: spec.fields.map((f) => ({ name: f.goName, id: idOf(ids, f.kind) })) }, ids.struct);
  const sent = new Set<GoFieldKind>();
  for (const field of spec.fields) {
    const id = ids.user.get(field.kind);
    if (id === undefined || sent.has(field.kind)) continue;
    sent.add(field.kind);
    if (field.kind === 'bigint') message(id, { kind: 'encoder', name: '', method: 'gob' }, ids.bigIntInner);
    else {
      const array = ARRAY_TYPES[field.kind as 'address' | 'bytes32'];
      message(id, { kind: 'array', name: array.name, elem: gobTypeId.uint, length: array.length }, id);
    }
  }
  return out.bytes();
}

/** Maximum nesting when skipping values of unknown fields (a guard against hostile streams). */
const MAX_DEPTH = 32;

/** The type definitions of a stream of definitions only (our own prefix). */
function readDefinitions(bytes: Uint8Array): ReadonlyMap<number, WireType> {
  const types = new Map<number, WireType>();
  const reader = new GobReader(bytes);
  while (reader.offset < bytes.length) {
    reader.limit = bytes.length;
    const end = reader.uint() + reader.offset;
    reader.limit = end;
    types.set(-reader.int(), readWireType(reader));
  }
  return types;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length > prefix.length && Buffer.compare(bytes.subarray(0, prefix.length), prefix) === 0;
}

function decodeStruct(
  spec: GoStructSpec,
  byName: ReadonlyMap<string, GoFieldSpec>,
  bytes: Uint8Array,
  known: { readonly prefix: Uint8Array; readonly types: ReadonlyMap<number, WireType> },
): Record<string, GoFieldValue> {
  const fast = startsWith(bytes, known.prefix);
  const types = new Map<number, WireType>(fast ? known.types : []);
  const reader = new GobReader(bytes, fast ? known.prefix.length : 0);
  for (;;) {
    if (reader.offset >= bytes.length) throw gobError(`the stream ends before a ${spec.goName} value`);
    reader.limit = bytes.length;
    const length = reader.uint();
    if (length === 0 || length > reader.remaining) throw gobError(`message of ${length} bytes with ${reader.remaining} left`);
    const end = reader.offset + length;
    reader.limit = end;
    const id = reader.int();
    if (id < 0) {
      if (-id < firstUserTypeId) throw gobError(`a stream redefines gob's own type ${-id}`);
      if (types.has(-id)) throw gobError(`type ${-id} is defined twice`);
      types.set(-id, readWireType(reader));
      if (reader.offset !== end) throw gobError(`${end - reader.offset} extra bytes after the definition of type ${-id}`);
      continue;
    }
    const type = types.get(id);
    if (type?.kind !== 'struct') throw gobError(`the value has type ${id}, which is not a struct defined in the stream`);
    // Go's decoder refuses a struct that shares no field name with the target (a value of another type).
    if (type.fields.length > 0 && !type.fields.some((field) => byName.has(field.name))) {
      throw gobError(`the value is a ${type.name || 'struct'} with no field of ${spec.goName}`);
    }
    const record: Record<string, GoFieldValue> = {};
    for (const field of spec.fields) record[field.property] = zeroOf(field.kind);
    readStructFields(reader, (index) => {
      const wire = type.fields[index];
      if (wire === undefined) throw gobError(`field number ${index} is beyond the ${type.fields.length} fields of ${type.name || 'the struct'}`);
      const field = byName.get(wire.name);
      if (field === undefined) skipValue(reader, types, wire.id, 0);
      else record[field.property] = readField(reader, types, field, wire.id);
    });
    if (reader.offset !== end) throw gobError(`${end - reader.offset} extra bytes after the ${spec.goName} value`);
    if (end !== bytes.length) throw gobError(`${bytes.length - end} bytes after the ${spec.goName} value`);
    return record;
  }
}

function wireName(types: ReadonlyMap<number, WireType>, id: number): string {
  const builtin = Object.entries(gobTypeId).find(([, v]) => v === id);
  if (builtin !== undefined) return builtin[0];
  const type = types.get(id);
  return type === undefined ? `undefined type ${id}` : `${type.kind} ${type.name}`.trim();
}

function mismatch(field: GoFieldSpec, types: ReadonlyMap<number, WireType>, id: number): never {
  throw gobError(`field ${field.goName} has wire type ${wireName(types, id)}, which Go cannot decode into ${field.kind}`);
}

function readField(reader: GobReader, types: ReadonlyMap<number, WireType>, field: GoFieldSpec, id: number): GoFieldValue {
  switch (field.kind) {
    case 'bigint': {
      if (types.get(id)?.kind !== 'encoder' || (types.get(id) as { method: string }).method !== 'gob') mismatch(field, types, id);
      return decodeBigIntGob(reader.byteSlice());
    }
    case 'int':
      if (id !== gobTypeId.int) mismatch(field, types, id);
      return reader.intBig();
    case 'string':
      if (id !== gobTypeId.string) mismatch(field, types, id);
      return reader.string();
    case 'bytes':
      if (id !== gobTypeId.bytes) mismatch(field, types, id);
      return reader.byteSlice().slice();
    case 'address':
    case 'bytes32': {
      const type = types.get(id);
      const length = ARRAY_TYPES[field.kind].length;
      if (type?.kind !== 'array' || type.length !== length || type.elem !== gobTypeId.uint) mismatch(field, types, id);
      const count = reader.uint();
      if (count !== length) throw gobError(`field ${field.goName} carries ${count} elements, not ${length}`);
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) {
        const byte = reader.uint();
        if (byte > 0xff) throw gobError(`field ${field.goName} element ${i} is ${byte}, not a byte`);
        out[i] = byte;
      }
      return out;
    }
  }
}

/** Reads past one value of type `id` (a field this reader does not know: Go's decoder ignores those too). */
function skipValue(reader: GobReader, types: Map<number, WireType>, id: number, depth: number): void {
  if (depth > MAX_DEPTH) throw gobError(`values nest deeper than ${MAX_DEPTH} levels`);
  switch (id) {
    case gobTypeId.bool:
    case gobTypeId.int:
    case gobTypeId.uint:
    case gobTypeId.float:
      reader.uintBig();
      return;
    case gobTypeId.complex:
      reader.uintBig();
      reader.uintBig();
      return;
    case gobTypeId.bytes:
    case gobTypeId.string:
      reader.byteSlice();
      return;
    case gobTypeId.interface:
      skipInterface(reader, types);
      return;
  }
  const type = types.get(id);
  if (type === undefined) throw gobError(`a field has type ${id}, which the stream does not define`);
  switch (type.kind) {
    case 'encoder':
      reader.byteSlice();
      return;
    case 'array':
    case 'slice': {
      const count = reader.uint();
      if (type.kind === 'array' && count !== type.length) throw gobError(`array ${type.name} carries ${count} elements, not ${type.length}`);
      if (count > reader.remaining) throw gobError(`${count} elements announced with ${reader.remaining} bytes left`);
      for (let i = 0; i < count; i++) skipValue(reader, types, type.elem, depth + 1);
      return;
    }
    case 'map': {
      const count = reader.uint();
      if (count > reader.remaining) throw gobError(`${count} map entries announced with ${reader.remaining} bytes left`);
      for (let i = 0; i < count; i++) {
        skipValue(reader, types, type.key, depth + 1);
        skipValue(reader, types, type.elem, depth + 1);
      }
      return;
    }
    case 'struct':
      readStructFields(reader, (index) => {
        const field = type.fields[index];
        if (field === undefined) throw gobError(`field number ${index} is beyond the ${type.fields.length} fields of ${type.name}`);
        skipValue(reader, types, field.id, depth + 1);
      });
      return;
  }
}

/**
 * An interface value: the registered name of the concrete type ('' = nil), then (type definitions that may
 * appear inline, each followed by a count) the concrete type id, a byte count and the value.
 */
function skipInterface(reader: GobReader, types: Map<number, WireType>): void {
  const name = reader.string();
  if (name === '') return;
  for (;;) {
    const id = reader.int();
    if (id >= 0) break;
    types.set(-id, readWireType(reader));
    if (reader.remaining > 0) reader.uint();
  }
  reader.byteSlice();
}
