import { keccak256, stringToBytes, type Address, type Hex } from 'viem';

/** A payment group id derived from a name (deterministic, 32 bytes), as hex and as the base64 metadata form. */
export function devGroupId(name: string): { readonly hex: Hex; readonly base64: string } {
  const hex = keccak256(stringToBytes(`snetd-dev group ${name}`));
  return { hex, base64: Buffer.from(hex.slice(2), 'hex').toString('base64') };
}

/** Inputs of {@link buildOrgMetadata}. */
export interface DevOrgMetadataArgs {
  readonly orgId: string;
  readonly orgName?: string;
  readonly groupName: string;
  readonly groupIdBase64: string;
  readonly paymentAddress: Address;
  /** @default 100 (snet-cli's default) */
  readonly paymentExpirationThreshold?: bigint;
  /** etcd endpoints; empty means the daemon's embedded store. @default [] */
  readonly etcdEndpoints?: readonly string[];
}

/** Organization metadata in the snet-cli format (`snet organization metadata-init` + `add-group`). */
export function buildOrgMetadata(args: DevOrgMetadataArgs): Record<string, unknown> {
  return {
    org_name: args.orgName ?? args.orgId,
    org_id: args.orgId,
    org_type: 'individual',
    description: { description: 'Local development organization created by snetd dev', short_description: 'snetd dev org', url: '' },
    assets: {},
    contacts: [],
    groups: [
      {
        group_name: args.groupName,
        group_id: args.groupIdBase64,
        payment: {
          payment_address: args.paymentAddress,
          payment_expiration_threshold: args.paymentExpirationThreshold ?? 100n,
          payment_channel_storage_type: 'etcd',
          payment_channel_storage_client: {
            connection_timeout: '5s',
            request_timeout: '3s',
            endpoints: [...(args.etcdEndpoints ?? [])],
          },
        },
      },
    ],
  };
}

/** Inputs of {@link buildServiceMetadata}. */
export interface DevServiceMetadataArgs {
  readonly displayName?: string;
  readonly mpeAddress: Address;
  readonly groupName: string;
  readonly groupIdBase64: string;
  /** Fixed price per call in cogs. @default 1 */
  readonly priceCogs?: bigint;
  /** Optional per-method prices, keyed `service_name` → `method_name` → cogs (added as a non-default entry). */
  readonly methodPrices?: { readonly packageName: string; readonly services: Readonly<Record<string, Readonly<Record<string, bigint>>>> };
  /** Daemon endpoints clients should call. */
  readonly endpoints: readonly string[];
  readonly serviceApiSource?: string;
  /** `service_type`: grpc, jsonrpc, http or process. @default "grpc" */
  readonly serviceType?: string;
  /** `encoding` of the messages: proto or json. @default "proto" */
  readonly encoding?: 'proto' | 'json';
  /** @default 0 */
  readonly freeCalls?: number;
  readonly freeCallSignerAddress?: Address;
}

/** Service metadata in the snet-cli format (`snet service metadata-init` + pricing/endpoints). */
export function buildServiceMetadata(args: DevServiceMetadataArgs): Record<string, unknown> {
  const pricing: Record<string, unknown>[] = [{ price_model: 'fixed_price', price_in_cogs: args.priceCogs ?? 1n, default: true }];
  if (args.methodPrices !== undefined) {
    pricing.push({
      package_name: args.methodPrices.packageName,
      price_model: 'fixed_price_per_method',
      details: Object.entries(args.methodPrices.services).map(([serviceName, methods]) => ({
        service_name: serviceName,
        method_pricing: Object.entries(methods).map(([methodName, price]) => ({ method_name: methodName, price_in_cogs: price })),
      })),
    });
  }
  const group: Record<string, unknown> = {
    group_name: args.groupName,
    group_id: args.groupIdBase64,
    pricing,
    endpoints: [...args.endpoints],
    free_calls: args.freeCalls ?? 0,
  };
  if (args.freeCallSignerAddress !== undefined) group['free_call_signer_address'] = args.freeCallSignerAddress;
  const metadata: Record<string, unknown> = {
    version: 1,
    display_name: args.displayName ?? 'snetd dev example service',
    encoding: args.encoding ?? 'proto',
    service_type: args.serviceType ?? 'grpc',
    mpe_address: args.mpeAddress,
    groups: [group],
    service_description: { url: '', description: 'Example calculator service of snetd dev', short_description: 'calculator' },
    contributors: [],
    tags: [],
  };
  if (args.serviceApiSource !== undefined) metadata['service_api_source'] = args.serviceApiSource;
  return metadata;
}

