import { SnetError } from '../errors/index.ts';

/** Inputs of {@link buildStoragePrefixes}: the identity of the replica group (Go `snetd/cmd/components.go`). */
export interface StoragePrefixesOptions {
  /** `blockchain_network_selected`, e.g. `sepolia`. */
  readonly network: string;
  /** `organization_id`. */
  readonly organizationId: string;
  /** The group id exactly as the base64 string of org metadata (may contain `/`, `+`, `=`). */
  readonly groupIdBase64: string;
  /** MPE contract address, EIP-55 checksummed by the caller (the reference keys use that form). */
  readonly mpeAddress: string;
  /**
   * Prepended to every key. `''` reproduces the Go daemon's keys (only for the gob-compatible mode);
   * snetd-ts's own value encoding uses its own root so it never collides with Go state (docs/migration.md).
   * @default 'snetd-ts/1/'
   */
  readonly root?: string;
}

/** The two base prefixes every replica of one (network, org, group) shares. */
export interface StoragePrefixes {
  /** `<root><network>/<org_id>/<group_id_b64>`: free calls, prepaid usage. */
  readonly base: string;
  /** `<base>/<mpe_address>`: channel state, claims, channel locks. */
  readonly mpe: string;
}

/**
 * Builds the BASE and MPE prefixes of Go `snetd/cmd/components.go`. Components then add
 * their layer, e.g. `createPrefixedStore(store, mpe + '//payment-channel/storage/')` (the double slash is
 * the reference's, from joining an empty layer name). Throws STORAGE_INVALID_ARGUMENT on empty parts.
 */
export function buildStoragePrefixes(options: StoragePrefixesOptions): StoragePrefixes {
  const parts = {
    network: options.network,
    organizationId: options.organizationId,
    groupIdBase64: options.groupIdBase64,
    mpeAddress: options.mpeAddress,
  };
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value !== 'string' || value.length === 0) {
      throw new SnetError('STORAGE_INVALID_ARGUMENT', `storage key prefix part ${name} must be a non-empty string`);
    }
  }
  if (!/^0x[0-9a-fA-F]{40}$/.test(options.mpeAddress)) {
    throw new SnetError('STORAGE_INVALID_ARGUMENT', `MPE address ${options.mpeAddress} is not a 0x-prefixed 20-byte hex address`);
  }
  const base = `${options.root ?? 'snetd-ts/1/'}${options.network}/${options.organizationId}/${options.groupIdBase64}`;
  return { base, mpe: `${base}/${options.mpeAddress}` };
}
