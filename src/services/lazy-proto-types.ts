import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

// The daemon's own services parse their .proto files when a type is first used, not when the services domain is
// imported: `snetd` commands and a daemon with the blockchain off start without it, and a started daemon parses
// them right after it is ready (preloadServiceTypes), so no call waits for it.

const preloads: Array<() => void> = [];

/**
 * `{ key: protobuf type }` for the fully qualified `names`, parsed from `protoFiles` (resolved against `base`, the
 * caller's `import.meta.url`) on first access. Each property becomes a plain value once read: no cost per call.
 */
export function lazyProtoTypes<const Names extends Record<string, string>>(base: string, protoFiles: readonly string[], names: Names): { readonly [Key in keyof Names]: protobuf.Type } {
  let root: protobuf.Root | undefined;
  const types = {} as Record<string, protobuf.Type>;
  for (const [key, name] of Object.entries(names)) {
    Object.defineProperty(types, key, {
      configurable: true,
      enumerable: true,
      get(): protobuf.Type {
        root ??= new protobuf.Root().loadSync(protoFiles.map((file) => fileURLToPath(new URL(file, base))));
        const type = root.lookupType(name);
        Object.defineProperty(types, key, { value: type, enumerable: true, writable: false, configurable: false });
        return type;
      },
    });
  }
  preloads.push(() => {
    for (const key of Object.keys(names)) void types[key];
  });
  return types as { readonly [Key in keyof Names]: protobuf.Type };
}

/** Parses every service .proto not parsed yet (the daemon calls it once it is ready). */
export function preloadServiceTypes(): void {
  for (const preload of preloads.splice(0)) preload();
}
