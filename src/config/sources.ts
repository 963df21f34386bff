// Reading the configuration layers: file, SNET_* environment, CLI flags (docs/config.md).
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseYaml } from './yaml.ts';
import { SnetError } from '../errors/index.ts';
import type { ConfigSource } from './config-error.ts';

/** A plain nested object of raw values from one source. */
export type RawTree = Record<string, unknown>;

/** One configuration source with its raw values. */
export interface ConfigLayer {
  readonly source: ConfigSource;
  readonly values: RawTree;
  /** For env and flag layers: which variable or flag set each dotted key (for error messages). */
  readonly origins?: ReadonlyMap<string, ConfigSource>;
}

function isPlainObject(value: unknown): value is RawTree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Keys are case-insensitive, as Viper lower-cases them: old files with `DAEMON_END_POINT` keep
 * working. Objects are rebuilt without a prototype so `__proto__` keys cannot pollute anything.
 */
export function lowerCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerCaseKeys);
  if (!isPlainObject(value)) return value;
  const out: RawTree = Object.create(null) as RawTree;
  for (const [key, inner] of Object.entries(value)) {
    if (key === '__proto__') continue;
    out[key.toLowerCase()] = lowerCaseKeys(inner);
  }
  return out;
}

/**
 * Reads a JSON or YAML config file (format from the extension; `.json` and unknown extensions are
 * tried as JSON first). Throws CONFIG_FILE_UNREADABLE naming the file and the parse error.
 */
export function readConfigFile(path: string): ConfigLayer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new SnetError('CONFIG_FILE_UNREADABLE', `Cannot read configuration file ${path} (${code})`, {
      cause: error,
      hint: code === 'ENOENT' ? 'Create it with `snetd init -c FILE`, or pass the right path with -c/--config.' : 'Check the file permissions.',
    });
  }
  const extension = extname(path).toLowerCase();
  let parsed: unknown;
  try {
    parsed = extension === '.yaml' || extension === '.yml' ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new SnetError('CONFIG_FILE_UNREADABLE', `Configuration file ${path} is not valid ${extension === '.yaml' || extension === '.yml' ? 'YAML' : 'JSON'}: ${(error as Error).message}`, {
      cause: error,
      hint: 'Fix the syntax error at the position given; JSON does not allow comments or trailing commas.',
    });
  }
  if (parsed === null || parsed === undefined) parsed = {};
  if (!isPlainObject(parsed)) {
    throw new SnetError('CONFIG_FILE_UNREADABLE', `Configuration file ${path} must contain an object of keys, not ${Array.isArray(parsed) ? 'an array' : typeof parsed}`, {
      hint: 'Start from `snetd init` output.',
    });
  }
  return { source: `file ${path}`, values: lowerCaseKeys(parsed) as RawTree };
}

/** Sets `value` at a dotted path, creating prototype-free objects on the way. */
export function setPath(tree: RawTree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (isPlainObject(next)) {
      node = next;
    } else {
      const created = Object.create(null) as RawTree;
      node[segment] = created;
      node = created;
    }
  }
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

/** Reads a dotted path; undefined when absent. */
export function getPath(tree: unknown, path: readonly (string | number)[]): unknown {
  let node: unknown = tree;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** Text that looks like JSON for an object-valued key given in env or a flag. */
function parseStructuredText(value: string): unknown {
  const text = value.trim();
  if (text.startsWith('{')) {
    try {
      return lowerCaseKeys(JSON.parse(text));
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * The `SNET_*` environment layer. `SNET_DAEMON_ENDPOINT` sets `daemon_endpoint` (reference);
 * `SNET_LOG__LEVEL` sets `log.level` — double underscore separates nested keys (snetd-ts
 * extension). Variables whose first segment is not a known key are returned as `ignored`.
 */
export function readEnvironment(env: Readonly<Record<string, string | undefined>>, knownTopLevel: ReadonlySet<string>): { layer: ConfigLayer; ignored: string[] } {
  const values = Object.create(null) as RawTree;
  const origins = new Map<string, ConfigSource>();
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('SNET_') || value === undefined) continue;
    const path = name.slice('SNET_'.length).toLowerCase().split('__');
    const [first] = path;
    if (first === undefined || first === '' || !knownTopLevel.has(first)) {
      ignored.push(name);
      continue;
    }
    setPath(values, path, parseStructuredText(value));
    origins.set(path.join('.'), `env ${name}`);
  }
  return { layer: { source: 'env SNET_*', values, origins }, ignored };
}

/** One override from the command line: a dotted key and its text value. */
export interface FlagOverride {
  readonly key: string;
  readonly value: unknown;
  /** How it was written, e.g. `--daemon-endpoint` or `--set log.level=debug`. */
  readonly flag: string;
}

/** The CLI-flag layer (highest precedence). */
export function flagLayer(overrides: readonly FlagOverride[]): ConfigLayer {
  const values = Object.create(null) as RawTree;
  const origins = new Map<string, ConfigSource>();
  for (const override of overrides) {
    const path = override.key.toLowerCase().split('.');
    setPath(values, path, typeof override.value === 'string' ? parseStructuredText(override.value) : override.value);
    origins.set(path.join('.'), `flag ${override.flag}`);
  }
  return { source: 'flag (command line)', values, origins };
}
