// `payment_channel_storage_format`: which channel repository the payment context gets. `snetd-ts` keeps our own
// records under the snetd-ts root; `go` shares the Go daemon's keys, gob values and channel locks (mixed fleets,
// docs/migration.md), which only etcd can do.
import { parseGoDurationMs, type DaemonConfig } from '../config/index.ts';
import { SnetError } from '../errors/index.ts';
import { createChannelRepository, createGoChannelRepository, type ChannelReader, type ChannelRepository, type ChannelRepositoryOptions } from '../payments/index.ts';
import type { Logger } from '../shared/index.ts';
import { buildStoragePrefixes, createReferenceLocks, type AtomicStore, type KeyedMutex, type StorageOptions, type StoragePrefixesOptions } from '../storage/index.ts';

/** What the Go format refuses to combine with, checked from the config alone (before anything is opened). */
export function checkStorageFormatConfig(config: DaemonConfig): void {
  if (config.payment_channel_storage_format !== 'go') return;
  if (config.private_key_for_free_calls.trim() !== '') {
    throw new SnetError('CONFIG_INVALID', 'payment_channel_storage_format go cannot be combined with free calls (private_key_for_free_calls is set): this replica would count free calls apart from the Go replicas', {
      hint: 'Let the Go replicas grant free calls until the switch is complete: remove private_key_for_free_calls here, or use payment_channel_storage_format snetd-ts.',
      details: { key: 'payment_channel_storage_format' },
    });
  }
  if (config.payment_channel_storage_type.toLowerCase() !== 'etcd') {
    throw goNeedsEtcd(config.payment_channel_storage_type);
  }
}

function goNeedsEtcd(what: string): SnetError {
  return new SnetError('CONFIG_INVALID', `payment_channel_storage_format go needs etcd storage shared with the Go replicas, but the channel storage is ${what}`, {
    hint: 'Set payment_channel_storage_type etcd with payment_channel_storage_client.endpoints (or the org metadata group\'s), or use payment_channel_storage_format snetd-ts.',
    details: { key: 'payment_channel_storage_format' },
  });
}

/** The channel repository of the configured format; `onClose` receives what must be closed (before the store). */
export function createConfiguredChannelRepository(
  config: DaemonConfig,
  deps: { readonly store: AtomicStore; readonly chain: ChannelReader; readonly mutex: KeyedMutex; readonly logger: Logger; onClose(close: () => Promise<void>): void },
  storage: StorageOptions,
  prefixes: StoragePrefixesOptions,
  options: Omit<ChannelRepositoryOptions, 'mpePrefix'>,
): ChannelRepository {
  const base = { store: deps.store, chain: deps.chain, mutex: deps.mutex };
  if (config.payment_channel_storage_format !== 'go') {
    return createChannelRepository(base, withPrefix(options, buildStoragePrefixes(prefixes).mpe));
  }
  if (storage.backend !== 'etcd') throw goNeedsEtcd(`${storage.backend} (no etcd endpoints in the config or the org metadata group)`);
  const locks = createReferenceLocks({
    endpoints: storage.endpoints,
    logger: deps.logger,
    ttlMs: parseGoDurationMs(config.payment_reservation_lease) ?? 30_000,
    ...(storage.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: storage.requestTimeoutMs }),
    ...(storage.tls === undefined ? {} : { tls: storage.tls }),
  });
  deps.onClose(() => locks.close());
  deps.logger.info({ format: 'go', prefix: buildStoragePrefixes({ ...prefixes, root: '' }).mpe }, 'channel state in the Go daemon\'s etcd layout (mixed fleet): escrow payments only');
  return createGoChannelRepository({ ...base, locks, logger: deps.logger }, withPrefix(options, buildStoragePrefixes({ ...prefixes, root: '' }).mpe));
}

/** `options` with `mpePrefix`, keeping getters (the recipient follows metadata hot reload). */
function withPrefix(options: Omit<ChannelRepositoryOptions, 'mpePrefix'>, mpePrefix: string): ChannelRepositoryOptions {
  return {
    mpePrefix,
    groupId: options.groupId,
    get recipient() {
      return options.recipient;
    },
  };
}
