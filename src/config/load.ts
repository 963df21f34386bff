// Builds the one DaemonConfig object: defaults < file < SNET_* env < CLI flags (docs/config.md),
// reporting every problem at once and touching no network.
import { existsSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem, type ConfigSource } from './config-error.ts';
import { migrateDeprecatedKeys, retiredKeys, type ConfigWarning } from './aliases.ts';
import { configShape, daemonConfigSchema, getKeyDoc, type DaemonConfig } from './schema.ts';
import { flagLayer, getPath, readConfigFile, readEnvironment, type ConfigLayer, type FlagOverride, type RawTree } from './sources.ts';
import { mergeLayers, sourceOf } from './merge.ts';
import { objectShape } from './introspect.ts';
import { showValue } from './mask.ts';
import { validateSemantics } from './validate-semantics.ts';
import { placeholderProblems } from './validate-placeholders.ts';
import { fileProblems } from './validate-files.ts';
import { normaliseConfig } from './normalise.ts';
import { inactiveKeyWarnings } from './inactive-keys.ts';

/** The default config file name, read when it exists and -c was not given. */
export const defaultConfigFile = 'snetd.config.json';

/** Inputs of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Path from -c/--config; when absent, `snetd.config.json` is read if it exists. */
  readonly configPath?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly flags?: readonly FlagOverride[];
  /**
   * Checks owned by other domains (e.g. log hook sections), run after the built-in ones so that
   * every problem is still reported at once. Each returns `{ key, problem }` pairs.
   */
  readonly validators?: ReadonlyArray<(config: DaemonConfig) => ReadonlyArray<{ key: string; problem: string }>>;
}

/** A validated configuration with the notes made while loading it. */
export interface LoadedConfig {
  readonly config: DaemonConfig;
  /** Deprecated or unknown keys, ignored env variables, risky values: log them at start. */
  readonly warnings: readonly ConfigWarning[];
  /** The file that was read, if any. */
  readonly filePath: string | undefined;
  /** Source of every key that did not come from the defaults. */
  readonly sources: ReadonlyMap<string, ConfigSource>;
}

const knownTopLevel = new Set([...Object.keys(configShape)]);

/**
 * Loads and validates the configuration. Throws `ConfigError` listing every problem, or
 * `SnetError(CONFIG_FILE_UNREADABLE)` when the file cannot be read or parsed.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const warnings: ConfigWarning[] = [];
  const layers: ConfigLayer[] = [];

  const filePath = options.configPath ?? (existsSync(defaultConfigFile) ? defaultConfigFile : undefined);
  if (filePath !== undefined) {
    const fileLayer = readConfigFile(filePath);
    warnings.push(...migrateDeprecatedKeys(fileLayer.values, fileLayer.source));
    warnings.push(...unknownKeyWarnings(fileLayer));
    applyStorageServerRule(fileLayer.values);
    layers.push(fileLayer);
  }

  const { layer: envLayer, ignored } = readEnvironment(options.env, new Set([...knownTopLevel, ...aliasNames()]));
  warnings.push(...migrateDeprecatedKeys(envLayer.values, envLayer.source));
  for (const name of ignored) {
    warnings.push({ key: name, source: `env ${name}`, message: `environment variable ${name} does not name a config key; ignored` });
  }
  layers.push(envLayer);

  const flags = flagLayer(options.flags ?? []);
  warnings.push(...migrateDeprecatedKeys(flags.values, flags.source));
  warnings.push(...unknownKeyWarnings(flags));
  layers.push(flags);

  const { merged, sources } = mergeLayers(layers);
  const problems: ConfigProblem[] = [];
  let parsed = daemonConfigSchema.safeParse(merged);
  if (!parsed.success) {
    // Report type errors AND the cross-field problems of the remaining keys in one go: drop the
    // ill-typed values (their defaults stand in) and validate the rest.
    problems.push(...parsed.error.issues.map((issue) => problemFromIssue(issue, merged, sources)));
    const withoutBadValues = structuredClone(merged);
    for (const issue of parsed.error.issues) deletePath(withoutBadValues, issue.path as (string | number)[]);
    parsed = daemonConfigSchema.safeParse(withoutBadValues);
    if (!parsed.success) throw new ConfigError(problems, warnings);
  }
  const config = normaliseConfig(parsed.data);
  const semantic = validateSemantics(config);
  semantic.problems.push(...placeholderProblems(config), ...fileProblems(config));
  for (const validate of options.validators ?? []) semantic.problems.push(...validate(config));
  for (const warning of semantic.warnings) warnings.push({ ...warning, source: sourceOf(sources, warning.key) });
  warnings.push(...inactiveKeyWarnings(sources));
  const reported = new Set(problems.map((problem) => problem.key));
  for (const problem of semantic.problems) {
    if (reported.has(problem.key)) continue;
    problems.push({
      key: problem.key,
      source: sourceOf(sources, problem.key),
      shownValue: shownValueOf(problem.key, getPath(config, problem.key.split('.'))),
      problem: problem.problem,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems, warnings);
  return { config, warnings, filePath, sources };
}

function shownValueOf(key: string, value: unknown): string | undefined {
  return value === undefined ? undefined : showValue(key, value, isSensitiveUrlKey(key));
}

function deletePath(tree: unknown, path: readonly (string | number)[]): void {
  const parent = getPath(tree, path.slice(0, -1));
  const last = path[path.length - 1];
  if (parent !== null && typeof parent === 'object' && last !== undefined) delete (parent as Record<string | number, unknown>)[last];
}

function aliasNames(): string[] {
  return ['daemon_end_point', 'ipfs_end_point', 'passthrough_endpoint', 'metering_end_point', 'heartbeat_svc_end_point', 'notification_svc_end_point', 'pvt_key_for_metering', 'pvt_key_for_free_calls', 'ethereum_json_rpc_endpoint'];
}

function isSensitiveUrlKey(key: string): boolean {
  const top = key.split('.')[0] ?? '';
  const schema = (configShape as Record<string, z.ZodType>)[top];
  return schema !== undefined && getKeyDoc(schema)?.sensitiveUrl === true;
}

function problemFromIssue(issue: z.core.$ZodIssue, merged: RawTree, sources: ReadonlyMap<string, ConfigSource>): ConfigProblem {
  const key = issue.path.map(String).join('.');
  const value = getPath(merged, issue.path as (string | number)[]);
  return {
    key,
    source: sourceOf(sources, key),
    shownValue: value === undefined ? undefined : showValue(key, value, isSensitiveUrlKey(key)),
    problem: describeIssue(issue, value),
  };
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'invalid_type') {
    const got = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
    const expected = issue.expected === 'array' ? 'a list of strings (or one string)' : issue.expected === 'object' ? 'an object' : `a ${issue.expected}`;
    return `expected ${expected}, got ${got}`;
  }
  return issue.message;
}

/** Reference rule (Go `etcddb/etcddb_server.go` `IsEtcdServerEnabled`): a `payment_channel_storage_server` section in the file enables it unless it says `enabled: false`. */
function applyStorageServerRule(values: RawTree): void {
  const section = values['payment_channel_storage_server'];
  if (section !== null && typeof section === 'object' && !Array.isArray(section) && !('enabled' in section)) {
    (section as RawTree)['enabled'] = true;
  }
}

function unknownKeyWarnings(layer: ConfigLayer): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const hookNames = new Set(
    (Array.isArray(getPath(layer.values, ['log', 'hooks'])) ? (getPath(layer.values, ['log', 'hooks']) as unknown[]) : []).map((name) => String(name).toLowerCase()),
  );
  walk(layer.values, configShape, false, []);
  return warnings;

  function walk(tree: RawTree, shape: Record<string, z.ZodType>, open: boolean, prefix: string[]): void {
    for (const [key, value] of Object.entries(tree)) {
      const path = [...prefix, key];
      const dotted = path.join('.');
      const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
      if (field === undefined) {
        if (open && prefix.join('.') === 'log' && hookNames.has(key)) continue;
        // An open object's extra keys are sections (log.<hook name>: an object); a plain value there is a typo (log.levle).
        if (open && value !== null && typeof value === 'object') continue;
        const message = retiredKeys.has(dotted)
          ? `'${dotted}' is documented by the reference daemon but was never implemented; ignored`
          : `unknown key '${dotted}' ignored; check the spelling against docs/config.md`;
        warnings.push({ key: dotted, source: layer.origins?.get(dotted) ?? layer.source, message });
        continue;
      }
      const nested = objectShape(field);
      if (nested !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        walk(value as RawTree, nested.shape, nested.open, path);
      }
    }
  }
}

