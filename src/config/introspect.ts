// Small read-only walks over the zod schema, for unknown-key warnings and the docs generator.
import type { z } from 'zod';

interface ZodDef {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly catchall?: z.ZodType;
  readonly defaultValue?: unknown;
}

function defOf(schema: z.ZodType): ZodDef {
  return (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
}

/** Strips default/prefault/optional/preprocess wrappers down to the value schema. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let node = schema;
  for (let depth = 0; depth < 10; depth++) {
    const def = defOf(node);
    if ((def.type === 'default' || def.type === 'prefault' || def.type === 'optional' || def.type === 'nullable') && def.innerType) {
      node = def.innerType;
    } else if (def.type === 'pipe' && def.out) {
      node = def.out;
    } else {
      return node;
    }
  }
  return node;
}

/** The fields of an object schema (after unwrapping), or undefined for non-objects. */
export function objectShape(schema: z.ZodType): { shape: Record<string, z.ZodType>; open: boolean } | undefined {
  const def = defOf(unwrapSchema(schema));
  if (def.type !== 'object' || def.shape === undefined) return undefined;
  const open = def.catchall !== undefined && defOf(def.catchall).type !== 'never';
  return { shape: def.shape, open };
}

/** A short type name for docs: string, number, boolean, list, map, object. */
export function typeName(schema: z.ZodType): string {
  const def = defOf(unwrapSchema(schema));
  switch (def.type) {
    case 'array':
      return 'list of strings';
    case 'record':
      return 'map';
    case 'union':
      return 'number or string';
    default:
      return def.type;
  }
}

/** The default value of a schema node, or undefined when it has none. */
export function defaultOf(schema: z.ZodType): unknown {
  let node = schema;
  for (let depth = 0; depth < 10; depth++) {
    const def = defOf(node);
    if (def.type === 'default') return def.defaultValue;
    if ((def.type === 'prefault' || def.type === 'optional') && def.innerType) node = def.innerType;
    else return undefined;
  }
  return undefined;
}
