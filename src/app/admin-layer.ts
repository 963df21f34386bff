// The daemon's administration: the configuration service (signed by authentication_addresses), the stop
// switch it flips, and the live application of updatable keys (log level, rate limits, CORS origins, the
// admin list). Built beside the payment layer; it owns a small chain client only for the block-drift check.
import type { z } from 'zod';
import { createSignatureRecoverer, isHexAddress } from '../blockchain/index.ts';
import { createAdminChainClient } from './admin-chain.ts';
import {
  ConfigError,
  configShape,
  defaultOf,
  getKeyDoc,
  isSecretKey,
  objectShape,
  showValue,
  typeName,
  updateConfig,
  type DaemonConfig,
} from '../config/index.ts';
import { SnetError } from '../errors/index.ts';
import type { LoggingHandle } from '../ops/index.ts';
import type { ProcessingSwitch, RateLimiter, ServiceRegistry } from '../pipeline/index.ts';
import { ParameterType, registerConfigurationService, type ConfigurationParameter } from '../services/index.ts';
import type { Logger } from '../shared/index.ts';
import type { DaemonServer } from '../transport/index.ts';
import { daemonServicesLimitFrom, rateLimitSettingsFrom, transportOptionsFrom } from './option-slices.ts';

/** The running parts an update reaches. `server` is late-bound: it is created after the services are registered. */
export interface LiveParts {
  readonly logging: Pick<LoggingHandle, 'setLevel'>;
  readonly proxiedLimiter: RateLimiter;
  readonly daemonLimiter: RateLimiter;
  server(): Pick<DaemonServer, 'setCors' | 'stats'> | undefined;
}

/** How each updatable key takes effect without a restart; a key marked updatable in the schema must be here (admin-layer.test.ts). */
export const liveAppliers: Readonly<Record<string, (config: DaemonConfig, parts: LiveParts) => void>> = {
  'log.level': (config, parts) => parts.logging.setLevel(config.log.level),
  rate_limit_per_minute: applyRateLimits,
  burst_size: applyRateLimits,
  rate_limit_per_client_per_minute: applyRateLimits,
  rate_limit_per_client_burst: applyRateLimits,
  rate_limit_max_clients: applyRateLimits,
  rate_limit_daemon_services_per_minute: applyRateLimits,
  cors_allowed_origins: (config, parts) => {
    const cors = transportOptionsFrom(config).cors;
    if (cors !== undefined) parts.server()?.setCors(cors);
  },
  // Read per request by the configuration service itself.
  authentication_addresses: () => undefined,
};

function applyRateLimits(config: DaemonConfig, parts: LiveParts): void {
  parts.proxiedLimiter.update(rateLimitSettingsFrom(config));
  parts.daemonLimiter.update(daemonServicesLimitFrom(config));
}

/** The configuration as the service shows it: dotted key → text; secrets hidden, API keys in URLs masked. */
export function displayConfiguration(config: DaemonConfig): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (value: unknown, key: string, sensitiveUrl: boolean): void => {
    if (value === undefined) return;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, inner] of Object.entries(value)) walk(inner, key === '' ? name : `${key}.${name}`, sensitiveUrl);
      return;
    }
    if (isSecretKey(key) && value !== '') out[key] = '[hidden]';
    else if (sensitiveUrl) out[key] = String(JSON.parse(showValue(key, value, true)));
    else out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  };
  for (const [name, value] of Object.entries(config)) {
    const node = (configShape as Record<string, z.ZodType>)[name];
    walk(value, name, node !== undefined && getKeyDoc(node)?.sensitiveUrl === true);
  }
  return out;
}

/** Every leaf key of the schema as a `ConfigurationParameter` (section = the first path segment or "general"). */
export function configurationSchema(): ConfigurationParameter[] {
  const out: ConfigurationParameter[] = [];
  const walk = (shape: Record<string, z.ZodType>, prefix: string): void => {
    for (const [name, node] of Object.entries(shape)) {
      const key = prefix === '' ? name : `${prefix}.${name}`;
      const nested = objectShape(node);
      if (nested !== undefined) {
        walk(nested.shape, key);
        continue;
      }
      const keyDoc = getKeyDoc(node);
      const kind = typeName(node);
      const fallback = defaultOf(node);
      out.push({
        name: key,
        mandatory: false,
        description: keyDoc?.description ?? '',
        type: kind === 'boolean' ? ParameterType.BOOLEAN : kind === 'number' ? ParameterType.INTEGER : key === 'authentication_addresses' ? ParameterType.ADDRESS : keyDoc?.sensitiveUrl === true ? ParameterType.URL : ParameterType.STRING,
        editable: keyDoc?.updatable === true,
        restartDaemon: keyDoc?.updatable === true ? 1 : 0,
        section: prefix === '' ? 'general' : (prefix.split('.')[0] as string),
        defaultValue: fallback === undefined ? '' : isSecretKey(key) && fallback !== '' ? '[hidden]' : typeof fallback === 'string' ? fallback : JSON.stringify(fallback),
      });
    }
  };
  walk(configShape, '');
  return out;
}

/** The administration part of a started daemon. */
export interface Administration {
  /** The configuration now in force (after updates). */
  current(): DaemonConfig;
  /** Validates and applies updates; throws CONFIG_UPDATE_REFUSED. Returns the keys whose value changed. */
  update(updates: Readonly<Record<string, string>>): string[];
  close(): Promise<void>;
}

/**
 * Registers `configuration_service.ConfigurationService` on `registry` and returns the live configuration.
 * With the blockchain enabled a chain client reads the block number for the ±5-block check (cached ~1 s).
 */
export function buildAdministration(
  config: DaemonConfig,
  deps: { logger: Logger; registry: ServiceRegistry; processing: ProcessingSwitch; parts: LiveParts },
): Administration {
  let current = config;
  const closers: Array<() => Promise<void>> = [];
  let blockNumber: (() => Promise<bigint>) | undefined;
  if (config.blockchain_enabled) {
    const chain = createAdminChainClient(config, deps.logger);
    closers.push(() => chain.close());
    blockNumber = () => chain.getBlockNumber();
  }
  const recoverer = createSignatureRecoverer({ threads: 0 });
  closers.push(() => recoverer.close());

  const update = (updates: Readonly<Record<string, string>>): string[] => {
    let next: { config: DaemonConfig; changed: string[] };
    try {
      next = updateConfig(current, updates);
    } catch (error) {
      if (error instanceof ConfigError) {
        const list = error.problems.map((problem) => `${problem.key}: ${problem.problem}`).join('; ');
        throw new SnetError('CONFIG_UPDATE_REFUSED', `configuration not changed: ${list}`, { hint: 'change only keys marked updatable in docs/config.md, with valid values' });
      }
      throw error;
    }
    current = next.config;
    for (const key of next.changed) liveAppliers[key]?.(current, deps.parts);
    return next.changed;
  };

  registerConfigurationService(deps.registry, {
    logger: deps.logger,
    processing: deps.processing,
    // Invalid entries were reported at start-up as skipped (config validation warns).
    admins: () => current.authentication_addresses.filter((address) => isHexAddress(address)),
    blockNumber,
    recoverer,
    // The asking call is in flight itself.
    callsInFlight: () => Math.max(0, (deps.parts.server()?.stats().activeCalls ?? 1) - 1),
    currentConfiguration: () => displayConfiguration(current),
    schema: configurationSchema(),
    update,
  });
  return {
    current: () => current,
    update,
    close: async () => {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    },
  };
}
