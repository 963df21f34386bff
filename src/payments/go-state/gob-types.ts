import { gobError, type GobReader, type GobWriter } from './gob-wire.ts';

// gob type definitions (Go `encoding/gob/type.go` `wireType`). A stream defines each user type in a message
// `-id, wireType` before the first value that uses it; ids below 65 are gob's own (bool … interface, then the
// types that describe types). Ids of user types depend on what the writing process encoded before, so a
// reader must go by the definitions in the stream, never by fixed numbers.

/** gob's predefined type ids (Go `encoding/gob/type.go` bootstrap types). */
export const gobTypeId = {
  bool: 1,
  int: 2,
  uint: 3,
  float: 4,
  bytes: 5,
  string: 6,
  complex: 7,
  interface: 8,
} as const;

/** The first id a Go process gives to a user type (the ids below are gob's own). */
export const firstUserTypeId = 65;

/** One user type definition from a stream. */
export type WireType =
  | { readonly kind: 'array'; readonly name: string; readonly elem: number; readonly length: number }
  | { readonly kind: 'slice'; readonly name: string; readonly elem: number }
  | { readonly kind: 'struct'; readonly name: string; readonly fields: readonly WireField[] }
  | { readonly kind: 'map'; readonly name: string; readonly key: number; readonly elem: number }
  /** A type with its own encoding method (GobEncoder, BinaryMarshaler, TextMarshaler): a byte count and bytes. */
  | { readonly kind: 'encoder'; readonly name: string; readonly method: 'gob' | 'binary' | 'text' };

/** A struct field of a {@link WireType}: its Go name and the id of its type. */
export interface WireField {
  readonly name: string;
  readonly id: number;
}

/**
 * Reads the fields of a gob struct value: field deltas until 0, `read(index)` for each field present.
 * `read` must consume the field's value; it throws for an index it does not know.
 */
export function readStructFields(reader: GobReader, read: (index: number) => void): void {
  let field = -1;
  for (;;) {
    const delta = reader.uint();
    if (delta === 0) return;
    field += delta;
    read(field);
  }
}

function unknownField(what: string, index: number): never {
  throw gobError(`${what} has no field ${index}`);
}

interface Common {
  name: string;
  id: number;
}

function readCommon(reader: GobReader): Common {
  const common: Common = { name: '', id: 0 };
  readStructFields(reader, (index) => {
    if (index === 0) common.name = reader.string();
    else if (index === 1) common.id = reader.int();
    else unknownField('CommonType', index);
  });
  return common;
}

/** Reads one `wireType` value (the body of a type definition message after its `-id`). */
export function readWireType(reader: GobReader): WireType {
  let type: WireType | undefined;
  const set = (next: WireType): void => {
    if (type !== undefined) throw gobError('a type definition sets two kinds');
    type = next;
  };
  readStructFields(reader, (index) => {
    switch (index) {
      case 0: {
        let common: Common = { name: '', id: 0 };
        let elem = 0;
        let length = 0;
        readStructFields(reader, (i) => {
          if (i === 0) common = readCommon(reader);
          else if (i === 1) elem = reader.int();
          else if (i === 2) length = reader.int();
          else unknownField('arrayType', i);
        });
        set({ kind: 'array', name: common.name, elem, length });
        return;
      }
      case 1: {
        let common: Common = { name: '', id: 0 };
        let elem = 0;
        readStructFields(reader, (i) => {
          if (i === 0) common = readCommon(reader);
          else if (i === 1) elem = reader.int();
          else unknownField('sliceType', i);
        });
        set({ kind: 'slice', name: common.name, elem });
        return;
      }
      case 2: {
        let common: Common = { name: '', id: 0 };
        const fields: WireField[] = [];
        readStructFields(reader, (i) => {
          if (i === 0) common = readCommon(reader);
          else if (i === 1) {
            const count = reader.uint();
            if (count > reader.remaining) throw gobError(`struct type with ${count} fields in ${reader.remaining} bytes`);
            for (let n = 0; n < count; n++) {
              const field: WireField = { name: '', id: 0 };
              readStructFields(reader, (j) => {
                if (j === 0) (field as { name: string }).name = reader.string();
                else if (j === 1) (field as { id: number }).id = reader.int();
                else unknownField('fieldType', j);
              });
              fields.push(field);
            }
          } else unknownField('structType', i);
        });
        set({ kind: 'struct', name: common.name, fields });
        return;
      }
      case 3: {
        let common: Common = { name: '', id: 0 };
        let key = 0;
        let elem = 0;
        readStructFields(reader, (i) => {
          if (i === 0) common = readCommon(reader);
          else if (i === 1) key = reader.int();
          else if (i === 2) elem = reader.int();
          else unknownField('mapType', i);
        });
        set({ kind: 'map', name: common.name, key, elem });
        return;
      }
      case 4:
      case 5:
      case 6: {
        let common: Common = { name: '', id: 0 };
        readStructFields(reader, (i) => {
          if (i === 0) common = readCommon(reader);
          else unknownField('gobEncoderType', i);
        });
        set({ kind: 'encoder', name: common.name, method: index === 4 ? 'gob' : index === 5 ? 'binary' : 'text' });
        return;
      }
      default:
        unknownField('wireType', index);
    }
  });
  if (type === undefined) throw gobError('an empty type definition');
  return type;
}

function writeCommon(writer: GobWriter, name: string, id: number): void {
  // CommonType is field 0 of every type kind; zero fields are left out, as Go's encoder does.
  writer.uint(1);
  if (name !== '') {
    writer.uint(1);
    writer.string(name);
    writer.uint(1);
  } else {
    writer.uint(2);
  }
  writer.int(id);
  writer.uint(0);
}

/**
 * Writes a type definition body the way Go's encoder does (zero fields omitted). `commonId` is the id inside
 * the definition: Go puts the id of the type there, except for GobEncoder types, whose inner id is one the
 * process allocates later (readers ignore it; it matters only for byte equality with Go).
 */
export function writeWireType(writer: GobWriter, type: WireType, commonId: number): void {
  switch (type.kind) {
    case 'array':
      writer.uint(1); // ArrayT
      writeCommon(writer, type.name, commonId);
      writer.uint(1);
      writer.int(type.elem);
      writer.uint(1);
      writer.int(type.length);
      writer.uint(0);
      break;
    case 'struct':
      writer.uint(3); // StructT
      writeCommon(writer, type.name, commonId);
      writer.uint(1);
      writer.uint(type.fields.length);
      for (const field of type.fields) {
        writer.uint(1);
        writer.string(field.name);
        writer.uint(1);
        writer.int(field.id);
        writer.uint(0);
      }
      writer.uint(0);
      break;
    case 'encoder':
      writer.uint(type.method === 'gob' ? 5 : type.method === 'binary' ? 6 : 7);
      writeCommon(writer, type.name, commonId);
      writer.uint(0);
      break;
    case 'slice':
    case 'map':
      throw gobError(`writing ${type.kind} types is not supported`);
  }
  writer.uint(0);
}
