/**
 * Deprecated key names and their replacements (Go `config/config.go` `migrateDeprecatedParams`, plus `ethereum_json_rpc_endpoint`
 * which the reference silently ignores). Unlike the reference, an old key never beats the new
 * one: it is used only when the new key is absent from the same source.
 */
export const deprecatedAliases: ReadonlyMap<string, string> = new Map([
  ['daemon_end_point', 'daemon_endpoint'],
  ['ipfs_end_point', 'ipfs_endpoint'],
  ['passthrough_endpoint', 'service_endpoint'],
  ['metering_end_point', 'metering_endpoint'],
  ['heartbeat_svc_end_point', 'heartbeat_endpoint'],
  ['notification_svc_end_point', 'notification_endpoint'],
  ['pvt_key_for_metering', 'private_key_for_metering'],
  ['pvt_key_for_free_calls', 'private_key_for_free_calls'],
  ['ethereum_json_rpc_endpoint', 'ethereum_json_rpc_http_endpoint'],
]);

/** Keys named in the reference README but never implemented there; accepted with a warning. */
export const retiredKeys: ReadonlySet<string> = new Set([
  'is_curation_in_progress',
  'curation_address_for_validation',
  'hdwallet_index',
  'hdwallet_mnemonic',
  'monitoring_enabled',
  'monitoring_svc_end_point',
]);

/** A note about the configuration that does not stop the daemon. */
export interface ConfigWarning {
  readonly key: string;
  readonly source: string;
  readonly message: string;
}

/**
 * Renames deprecated keys of one source layer in place, returning one warning per alias used.
 * When both names are present, the new one wins and the old one is dropped with a warning.
 */
export function migrateDeprecatedKeys(layer: Record<string, unknown>, source: string): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  for (const [oldKey, newKey] of deprecatedAliases) {
    if (!Object.hasOwn(layer, oldKey)) continue;
    const value = layer[oldKey];
    delete layer[oldKey];
    if (Object.hasOwn(layer, newKey)) {
      warnings.push({ key: oldKey, source, message: `Config parameter '${oldKey}' is deprecated and ignored because '${newKey}' is also set; remove '${oldKey}'` });
    } else {
      layer[newKey] = value;
      warnings.push({ key: oldKey, source, message: `Config parameter '${oldKey}' is deprecated, use '${newKey}' instead` });
    }
  }
  return warnings;
}
