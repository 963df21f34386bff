// Changes to a running daemon's configuration (configuration service UpdateConfiguration, `snetd admin set`):
// keys named as in the file, dotted for nesting; only keys documented as updatable; the result validated
// exactly like a config file, all problems at once.
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { objectShape } from './introspect.ts';
import { showValue } from './mask.ts';
import { configShape, daemonConfigSchema, getKeyDoc, type DaemonConfig } from './schema.ts';
import { getPath, setPath, type RawTree } from './sources.ts';
import { validateSemantics } from './validate-semantics.ts';
import { normaliseConfig } from './normalise.ts';

/** The schema node of a dotted key, or undefined when the schema has no such key. */
export function schemaNodeOf(key: string): z.ZodType | undefined {
  let shape: Record<string, z.ZodType> | undefined = configShape;
  let node: z.ZodType | undefined;
  for (const segment of key.split('.')) {
    if (shape === undefined || !Object.hasOwn(shape, segment)) return undefined;
    node = shape[segment];
    shape = node === undefined ? undefined : objectShape(node)?.shape;
  }
  return node;
}

/** True when `key` may change while the daemon runs. */
export function isUpdatableKey(key: string): boolean {
  const node = schemaNodeOf(key);
  return node !== undefined && getKeyDoc(node)?.updatable === true;
}

/** Every updatable key, dotted, in schema order. */
export function updatableKeys(): string[] {
  const keys: string[] = [];
  const walk = (shape: Record<string, z.ZodType>, prefix: string): void => {
    for (const [name, node] of Object.entries(shape)) {
      const key = prefix === '' ? name : `${prefix}.${name}`;
      if (getKeyDoc(node)?.updatable === true) keys.push(key);
      const nested = objectShape(node);
      if (nested !== undefined) walk(nested.shape, key);
    }
  };
  walk(configShape, '');
  return keys;
}

/**
 * `current` with `updates` applied (values as text, read as the config file's loose forms: `"10"` for
 * numbers, `"a,b"` or a JSON list for lists). Throws `ConfigError` naming every unknown key, every key
 * that needs a restart and every invalid resulting value; nothing is applied then. Returns the new
 * configuration and the keys whose value changed.
 */
export function updateConfig(current: DaemonConfig, updates: Readonly<Record<string, string>>): { config: DaemonConfig; changed: string[] } {
  const problems: ConfigProblem[] = [];
  const tree = structuredClone(current) as unknown as RawTree;
  const source = 'flag UpdateConfiguration' as const;
  for (const [rawKey, value] of Object.entries(updates)) {
    const key = rawKey.trim().toLowerCase();
    const node = schemaNodeOf(key);
    if (node === undefined) {
      problems.push({ key, source, shownValue: showValue(key, value), problem: 'unknown key; names are as in the config file, dotted for nesting (e.g. log.level)' });
    } else if (getKeyDoc(node)?.updatable !== true) {
      problems.push({ key, source, shownValue: showValue(key, value), problem: 'needs a restart: change it in the config file and restart the daemon' });
    } else {
      setPath(tree, key.split('.'), value);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const parsed = daemonConfigSchema.safeParse(tree);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = issue.path.map(String).join('.');
        return { key, source, shownValue: showValue(key, getPath(tree, issue.path as (string | number)[])), problem: issue.message };
      }),
    );
  }
  const config = normaliseConfig(parsed.data);
  const touched = new Set(Object.keys(updates).map((key) => key.trim().toLowerCase()));
  const semantic = validateSemantics(config).problems.filter((problem) => [...touched].some((key) => problem.key === key || problem.key.startsWith(`${key}.`)));
  if (semantic.length > 0) {
    throw new ConfigError(semantic.map((problem) => ({ key: problem.key, source, shownValue: showValue(problem.key, getPath(config, problem.key.split('.'))), problem: problem.problem })));
  }
  const changed = [...touched].filter((key) => JSON.stringify(getPath(config, key.split('.'))) !== JSON.stringify(getPath(current, key.split('.'))));
  return { config, changed };
}
