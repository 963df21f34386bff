import type { Address } from 'viem';
import { z } from 'zod';
import { SnetError } from '../../errors/index.ts';
import { amountSchema, checkAddress, decodeGroupId, Problems, toBigInt, type GroupId } from './fields.ts';
import { parseJsonExact } from './metadata-json.ts';
import { parseMetadataUri, type MetadataLocation } from './metadata-uri.ts';

/** `fixed_price`: one price for every method. */
export interface FixedPricing {
  readonly priceModel: 'fixed_price';
  readonly isDefault: boolean;
  readonly priceCogs: bigint;
}

/** `fixed_price_per_method`: prices keyed by full gRPC method path `/<package>.<Service>/<method>`. */
export interface MethodPricing {
  readonly priceModel: 'fixed_price_per_method';
  readonly isDefault: boolean;
  readonly packageName: string;
  /** Key: `"/" + package_name + "." + service_name + "/" + method_name` (package part omitted when empty). */
  readonly methodPrices: ReadonlyMap<string, bigint>;
}

/** One pricing entry of a group. */
export type PricingEntry = FixedPricing | MethodPricing;

/** A group of the service metadata. */
export interface ServiceGroup {
  readonly groupName: string;
  /** Optional in service metadata (the daemon's group id comes from the org metadata). */
  readonly groupId: GroupId | undefined;
  readonly endpoints: readonly string[];
  readonly pricing: readonly PricingEntry[];
  /** The entry with `default: true` (or the only entry when there is just one). */
  readonly defaultPricing: PricingEntry;
  readonly freeCalls: bigint;
  /** Free calls are enabled iff this is set (Go `blockchain/service_metadata.go`). */
  readonly freeCallSignerAddress: Address | undefined;
}

/** Parsed and validated service metadata. */
export interface ServiceMetadata {
  readonly version: number | undefined;
  readonly displayName: string | undefined;
  readonly encoding: 'proto' | 'json';
  readonly serviceType: 'grpc' | 'jsonrpc' | 'http' | 'process';
  /** Checksummed MultiPartyEscrow address. */
  readonly mpeAddress: Address;
  /** `service_api_source` (ipfs:// or filecoin:// proto tarball). */
  readonly serviceApiSource: MetadataLocation | undefined;
  /** Legacy CID of the proto tarball. */
  readonly modelIpfsHash: string | undefined;
  readonly groups: readonly ServiceGroup[];
  /** The JSON object as read (for the configuration service and fields we do not model). */
  readonly raw: Readonly<Record<string, unknown>>;
}

const methodPricingSchema = z.looseObject({ method_name: z.string().min(1), price_in_cogs: amountSchema });
const pricingSchema = z.looseObject({
  price_model: z.string(),
  price_in_cogs: amountSchema.optional(),
  default: z.boolean().optional(),
  package_name: z.string().optional(),
  details: z.array(z.looseObject({ service_name: z.string().min(1), method_pricing: z.array(methodPricingSchema) })).optional(),
});
const groupSchema = z.looseObject({
  group_name: z.string().min(1),
  group_id: z.string().optional(),
  pricing: z.array(pricingSchema).optional(),
  endpoints: z.array(z.string()).optional(),
  free_calls: amountSchema.optional(),
  free_call_signer_address: z.string().optional(),
});
const serviceSchema = z.looseObject({
  version: z.number().optional(),
  display_name: z.string().optional(),
  encoding: z.string().optional(),
  service_type: z.string().optional(),
  mpe_address: z.string(),
  service_api_source: z.string().optional(),
  model_ipfs_hash: z.string().optional(),
  groups: z.array(groupSchema).min(1),
  // Legacy layout (old snet-cli, Go fixtures): one pricing for all groups and endpoints listed per group name.
  pricing: z.union([pricingSchema, z.array(pricingSchema)]).optional(),
  endpoints: z.array(z.looseObject({ group_name: z.string(), endpoint: z.string() })).optional(),
});

const ENCODINGS = ['proto', 'json'] as const;
const SERVICE_TYPES = ['grpc', 'jsonrpc', 'http', 'process'] as const;

/**
 * Validates service metadata (JSON text, bytes or an already parsed object) into {@link ServiceMetadata}.
 * Every problem is collected and thrown together as one `METADATA_INVALID` error naming each field.
 * Integers are kept exact (bigint). `label` names the document in the message (e.g. the org/service ids).
 */
export function parseServiceMetadata(input: unknown, label = 'service metadata'): ServiceMetadata {
  const problems = new Problems();
  const json = decodeInput(input, label);
  const parsed = serviceSchema.safeParse(json);
  if (!parsed.success) {
    problems.addZod(parsed.error.issues);
    throw invalid(label, problems);
  }
  const doc = parsed.data;
  const mpeAddress = checkAddress(doc.mpe_address, 'mpe_address', problems);
  const encoding = oneOf(doc.encoding ?? 'proto', ENCODINGS, 'encoding', problems);
  const serviceType = oneOf(doc.service_type ?? 'grpc', SERVICE_TYPES, 'service_type', problems);
  const legacyPricing = doc.pricing === undefined ? undefined : Array.isArray(doc.pricing) ? doc.pricing : [doc.pricing];
  const seen = new Set<string>();
  const groups = doc.groups.flatMap((group, index): ServiceGroup[] => {
    const at = `groups[${index}]`;
    if (seen.has(group.group_name)) problems.add(`${at}.group_name`, `duplicate group name "${group.group_name}"`);
    seen.add(group.group_name);
    const groupId = group.group_id === undefined ? undefined : decodeGroupId(group.group_id, `${at}.group_id`, problems);
    const rawPricing = group.pricing ?? legacyPricing ?? [];
    const pricing = rawPricing.flatMap((entry, i) => {
      const one = parsePricing(entry, `${at}.pricing[${i}]`, problems);
      return one === undefined ? [] : [one];
    });
    const defaults = pricing.filter((p) => p.isDefault);
    let defaultPricing: PricingEntry | undefined = defaults[0];
    if (defaults.length > 1) problems.add(`${at}.pricing`, 'more than one entry has "default": true');
    // The Go daemon insists on "default": true; a single entry is unambiguous, so we accept it.
    if (defaultPricing === undefined && pricing.length === 1) defaultPricing = pricing[0];
    if (defaultPricing === undefined && rawPricing.length === pricing.length) {
      problems.add(`${at}.pricing`, `group "${group.group_name}": metadata does not have the default pricing set (one entry needs "default": true)`);
    }
    const signer =
      group.free_call_signer_address === undefined || group.free_call_signer_address === ''
        ? undefined
        : checkAddress(group.free_call_signer_address, `${at}.free_call_signer_address`, problems);
    const endpoints = group.endpoints ?? (doc.endpoints ?? []).filter((e) => e.group_name === group.group_name).map((e) => e.endpoint);
    if (defaultPricing === undefined) return [];
    return [
      {
        groupName: group.group_name,
        groupId,
        endpoints,
        pricing,
        defaultPricing,
        freeCalls: group.free_calls === undefined ? 0n : toBigInt(group.free_calls),
        freeCallSignerAddress: signer,
      },
    ];
  });
  let serviceApiSource: MetadataLocation | undefined;
  if (doc.service_api_source !== undefined && doc.service_api_source !== '') {
    serviceApiSource = parseMetadataUri(doc.service_api_source);
    if (serviceApiSource === undefined) problems.add('service_api_source', `"${doc.service_api_source}" is not an ipfs:// or filecoin:// URI`);
  }
  if (problems.list.length > 0 || mpeAddress === undefined || encoding === undefined || serviceType === undefined) throw invalid(label, problems);
  return {
    version: doc.version,
    displayName: doc.display_name,
    encoding,
    serviceType,
    mpeAddress,
    serviceApiSource,
    modelIpfsHash: doc.model_ipfs_hash === '' ? undefined : doc.model_ipfs_hash,
    groups,
    raw: json as Record<string, unknown>,
  };
}

function parsePricing(entry: z.infer<typeof pricingSchema>, at: string, problems: Problems): PricingEntry | undefined {
  const isDefault = entry.default === true;
  switch (entry.price_model) {
    case 'fixed_price':
      if (entry.price_in_cogs === undefined) {
        problems.add(`${at}.price_in_cogs`, 'is required for price_model "fixed_price"');
        return undefined;
      }
      return { priceModel: 'fixed_price', isDefault, priceCogs: toBigInt(entry.price_in_cogs) };
    case 'fixed_price_per_method': {
      const packageName = entry.package_name ?? '';
      const methodPrices = new Map<string, bigint>();
      if (entry.details === undefined || entry.details.length === 0) problems.add(`${at}.details`, 'is required for price_model "fixed_price_per_method"');
      for (const [s, service] of (entry.details ?? []).entries()) {
        for (const [m, method] of service.method_pricing.entries()) {
          const path = `/${packageName === '' ? '' : `${packageName}.`}${service.service_name}/${method.method_name}`;
          if (methodPrices.has(path)) problems.add(`${at}.details[${s}].method_pricing[${m}]`, `duplicate price for ${path}`);
          methodPrices.set(path, toBigInt(method.price_in_cogs));
        }
      }
      return { priceModel: 'fixed_price_per_method', isDefault, packageName, methodPrices };
    }
    default:
      problems.add(`${at}.price_model`, `unknown price model "${entry.price_model}" (expected fixed_price or fixed_price_per_method)`);
      return undefined;
  }
}

function oneOf<T extends string>(value: string, allowed: readonly T[], path: string, problems: Problems): T | undefined {
  const found = allowed.find((a) => a === value);
  if (found === undefined) problems.add(path, `"${value}" is not one of ${allowed.join(', ')}`);
  return found;
}

/** JSON text/bytes → object with exact integers; a SyntaxError becomes METADATA_INVALID. */
export function decodeInput(input: unknown, label: string): unknown {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return input;
  try {
    return parseJsonExact(input);
  } catch (cause) {
    throw new SnetError('METADATA_INVALID', `${label} is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`, {
      hint: 'Check the published document (snet-cli writes it); a gateway that rewrites content also causes this.',
      cause,
    });
  }
}

/** One METADATA_INVALID error listing every problem. */
export function invalid(label: string, problems: Problems): SnetError {
  return new SnetError('METADATA_INVALID', `${label} is invalid (${problems.list.length} problem${problems.list.length === 1 ? '' : 's'}):\n- ${problems.list.join('\n- ')}`, {
    hint: 'Fix these fields with snet-cli (snet service metadata-* / snet organization metadata-*) and publish the metadata again.',
    details: { problems: problems.list },
  });
}
