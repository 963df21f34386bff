import { SnetError, errorFromUnknown } from '../../errors/index.ts';
import type { Logger } from '../../shared/index.ts';
import type { ChainClient } from '../chain-client.ts';
import type { EventWatcher } from '../event-watcher.ts';
import type { MetadataOptions } from './fetch-metadata.ts';
import { loadOrgMetadata, loadServiceMetadata } from './load-metadata.ts';
import type { OrgMetadata } from './org-metadata.ts';
import type { ServiceMetadata } from './service-metadata.ts';

/** What {@link watchMetadata} reloads and where it reports. */
export interface WatchMetadataOptions {
  readonly orgId: string;
  readonly serviceId: string;
  readonly metadata: MetadataOptions;
  /** New, valid org metadata after `OrganizationModified` (the caller swaps its group config). */
  readonly onOrgMetadata?: (metadata: OrgMetadata) => void | Promise<void>;
  /** New, valid service metadata after `ServiceMetadataModified`. */
  readonly onServiceMetadata?: (metadata: ServiceMetadata) => void | Promise<void>;
  /** A reload failed (fetch, CID, validation); the previous metadata stays in force. */
  readonly onError?: (error: SnetError) => void;
  readonly pollIntervalMs?: number;
  /** @default the current block + 1 */
  readonly fromBlock?: bigint;
}

/**
 * Hot reload of org and service metadata: watches Registry `OrganizationModified` and
 * `ServiceMetadataModified` for our org/service and reloads through Registry → IPFS → CID check → parse.
 * Invalid new metadata is reported and ignored (the running daemon keeps the last good one). Metadata
 * read from local files is not watched. Fixes the Go listener (`contract_event_listener/*.go`; docs/differences.md).
 */
export function watchMetadata(deps: { readonly logger: Logger; readonly chain: ChainClient }, options: WatchMetadataOptions): EventWatcher {
  const log = deps.logger.child({ component: 'metadata-watch', orgId: options.orgId, serviceId: options.serviceId });
  const report = (err: unknown, what: string): void => {
    const error = err instanceof SnetError ? err : errorFromUnknown(err);
    log.error({ code: error.code, reason: error.message }, `${what} reload failed; keeping the previous metadata`);
    options.onError?.(error);
  };
  const watchOrg = options.metadata.orgMetadataFile === undefined && options.onOrgMetadata !== undefined;
  const watchService = options.metadata.serviceMetadataFile === undefined && options.onServiceMetadata !== undefined;
  const kinds = [...(watchOrg ? (['OrganizationModified'] as const) : []), ...(watchService ? (['ServiceMetadataModified'] as const) : [])];
  return deps.chain.watchEvents({
    orgId: options.orgId,
    mpeAddress: null,
    kinds,
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    ...(options.fromBlock === undefined ? {} : { fromBlock: options.fromBlock }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
    onEvents: async (events) => {
      // Several modifications in one batch: one reload each for org and service is enough.
      const orgChanged = events.some((e) => e.kind === 'OrganizationModified');
      const serviceChanged = events.some((e) => e.kind === 'ServiceMetadataModified' && e.serviceId === options.serviceId);
      if (orgChanged && options.onOrgMetadata !== undefined) {
        try {
          const { metadata, source } = await loadOrgMetadata(deps, { orgId: options.orgId }, options.metadata);
          log.info({ source: source.kind === 'registry' ? source.location.uri : source.path }, 'organization metadata reloaded');
          await options.onOrgMetadata(metadata);
        } catch (err) {
          report(err, 'organization metadata');
        }
      }
      if (serviceChanged && options.onServiceMetadata !== undefined) {
        try {
          const { metadata, source } = await loadServiceMetadata(deps, { orgId: options.orgId, serviceId: options.serviceId }, options.metadata);
          log.info({ source: source.kind === 'registry' ? source.location.uri : source.path }, 'service metadata reloaded');
          await options.onServiceMetadata(metadata);
        } catch (err) {
          report(err, 'service metadata');
        }
      }
    },
  });
}
