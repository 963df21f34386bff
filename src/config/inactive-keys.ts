// Keys accepted for compatibility with existing config files but without effect in snetd-ts (documented
// `unused` in the schema). An operator who sets one is told so at start-up instead of being left to
// believe it works.
import type { z } from 'zod';
import type { ConfigWarning } from './aliases.ts';
import type { ConfigSource } from './config-error.ts';
import { objectShape } from './introspect.ts';
import { configShape, getKeyDoc } from './schema.ts';

/** Dotted keys documented `unused`, with their explanation. */
export function inactiveKeys(): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  const walk = (shape: Record<string, z.ZodType>, prefix: string): void => {
    for (const [name, node] of Object.entries(shape)) {
      const key = prefix === '' ? name : `${prefix}.${name}`;
      const keyDoc = getKeyDoc(node);
      if (keyDoc?.unused === true) out.set(key, keyDoc.description);
      else {
        const nested = objectShape(node);
        if (nested !== undefined) walk(nested.shape, key);
      }
    }
  };
  walk(configShape, '');
  return out;
}

/** A warning for every inactive key the operator set (file, environment or flag). */
export function inactiveKeyWarnings(sources: ReadonlyMap<string, ConfigSource>): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  for (const [key, why] of inactiveKeys()) {
    for (const [path, source] of sources) {
      if (path !== key && !path.startsWith(`${key}.`)) continue;
      warnings.push({ key, source, message: `'${key}' is set but has no effect in snetd-ts: ${why}` });
      break;
    }
  }
  return warnings;
}
