import type { ConfigSource } from './config-error.ts';
import type { ConfigLayer, RawTree } from './sources.ts';

function isPlainObject(value: unknown): value is RawTree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep-merges layers in precedence order (later wins). Objects merge key by key; arrays and
 * scalars replace. Returns the merged tree and, for every dotted path that a layer set, the
 * source that set it last — so an error can say "from env SNET_X" or "from file Y".
 */
export function mergeLayers(layers: readonly ConfigLayer[]): { merged: RawTree; sources: Map<string, ConfigSource> } {
  const merged = Object.create(null) as RawTree;
  const sources = new Map<string, ConfigSource>();
  for (const layer of layers) {
    mergeInto(merged, layer.values, [], layer, sources);
  }
  return { merged, sources };
}

function mergeInto(target: RawTree, from: RawTree, prefix: string[], layer: ConfigLayer, sources: Map<string, ConfigSource>): void {
  for (const [key, value] of Object.entries(from)) {
    const path = [...prefix, key];
    const dotted = path.join('.');
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) {
      mergeInto(existing, value, path, layer, sources);
      continue;
    }
    target[key] = isPlainObject(value) ? cloneTree(value) : value;
    for (const known of [...sources.keys()]) {
      if (known.startsWith(`${dotted}.`)) sources.delete(known);
    }
    sources.set(dotted, layer.origins?.get(dotted) ?? layer.source);
    if (isPlainObject(value)) recordLeaves(value, path, layer, sources);
  }
}

function recordLeaves(tree: RawTree, prefix: string[], layer: ConfigLayer, sources: Map<string, ConfigSource>): void {
  for (const [key, value] of Object.entries(tree)) {
    const path = [...prefix, key];
    sources.set(path.join('.'), layer.origins?.get(path.join('.')) ?? layer.source);
    if (isPlainObject(value)) recordLeaves(value, path, layer, sources);
  }
}

function cloneTree(tree: RawTree): RawTree {
  const out = Object.create(null) as RawTree;
  for (const [key, value] of Object.entries(tree)) out[key] = isPlainObject(value) ? cloneTree(value) : value;
  return out;
}

/** The source of a dotted key: the most specific recorded path that covers it, else `default`. */
export function sourceOf(sources: ReadonlyMap<string, ConfigSource>, key: string): ConfigSource {
  let path = key;
  for (;;) {
    const found = sources.get(path);
    if (found !== undefined) return found;
    const dot = path.lastIndexOf('.');
    if (dot < 0) return 'default';
    path = path.slice(0, dot);
  }
}
