import type { Address } from 'viem';
import { z } from 'zod';
import { amountSchema, checkAddress, decodeGroupId, Problems, toBigInt, type GroupId } from './fields.ts';
import { parseGoDurationMs } from './go-duration.ts';
import { decodeInput, invalid } from './service-metadata.ts';

/** etcd settings a group publishes (`payment.payment_channel_storage_client`). */
export interface GroupStorageClient {
  /** Empty when the group names none (snetd-ts then uses its embedded store). */
  readonly endpoints: readonly string[];
  readonly connectionTimeoutMs: number | undefined;
  readonly requestTimeoutMs: number | undefined;
}

/** A payment group of the organization. */
export interface OrgGroup {
  readonly groupName: string;
  readonly groupId: GroupId;
  /** Channel recipient (checksummed, non-zero). */
  readonly paymentAddress: Address;
  /** Blocks a channel must stay open beyond the current block for a payment to be accepted. */
  readonly paymentExpirationThreshold: bigint;
  /** `payment_channel_storage_type` as published (informational: the config decides). */
  readonly storageType: string | undefined;
  readonly storageClient: GroupStorageClient;
  readonly licenseServerEndpoints: readonly string[];
}

/** Parsed and validated organization metadata. */
export interface OrgMetadata {
  readonly orgId: string;
  readonly orgName: string | undefined;
  readonly groups: readonly OrgGroup[];
  readonly raw: Readonly<Record<string, unknown>>;
}

const durationSchema = z.union([z.string(), z.number()]).optional();
const groupSchema = z.looseObject({
  group_name: z.string().min(1),
  group_id: z.string(),
  license_server_endpoints: z.array(z.string()).optional(),
  payment: z.looseObject({
    payment_address: z.string(),
    payment_expiration_threshold: amountSchema.optional(),
    payment_channel_storage_type: z.string().optional(),
    payment_channel_storage_client: z
      .looseObject({
        connection_timeout: durationSchema,
        request_timeout: durationSchema,
        endpoints: z.array(z.string()).nullable().optional(),
      })
      .optional(),
  }),
});
const orgSchema = z.looseObject({
  org_id: z.string().min(1),
  org_name: z.string().optional(),
  groups: z.array(groupSchema).min(1),
});

/**
 * Validates organization metadata (JSON text, bytes or object) into {@link OrgMetadata}. All problems are
 * reported at once as `METADATA_INVALID`; a missing `payment_expiration_threshold` names the org and group
 * (the Go daemon only crashes on the first call; docs/differences.md).
 */
export function parseOrgMetadata(input: unknown, label = 'organization metadata'): OrgMetadata {
  const problems = new Problems();
  const json = decodeInput(input, label);
  const parsed = orgSchema.safeParse(json);
  if (!parsed.success) {
    problems.addZod(parsed.error.issues);
    throw invalid(label, problems);
  }
  const doc = parsed.data;
  const seen = new Set<string>();
  const groups = doc.groups.flatMap((group, index): OrgGroup[] => {
    const at = `groups[${index}]`;
    if (seen.has(group.group_name)) problems.add(`${at}.group_name`, `duplicate group name "${group.group_name}"`);
    seen.add(group.group_name);
    const groupId = decodeGroupId(group.group_id, `${at}.group_id`, problems);
    const payment = group.payment;
    const paymentAddress = checkAddress(payment.payment_address, `${at}.payment.payment_address`, problems, true);
    if (payment.payment_expiration_threshold === undefined) {
      problems.add(
        `${at}.payment.payment_expiration_threshold`,
        `org "${doc.org_id}" group "${group.group_name}" has no payment_expiration_threshold (blocks); set it in the org metadata (snet-cli's default is 100 blocks)`,
      );
    }
    const client = payment.payment_channel_storage_client;
    const duration = (value: string | number | undefined, key: string): number | undefined => {
      if (value === undefined || value === '') return undefined;
      // A bare number is seconds in snet-cli's examples, not Go nanoseconds.
      const ms = typeof value === 'number' ? value * 1000 : parseGoDurationMs(value);
      if (ms === undefined) problems.add(`${at}.payment.payment_channel_storage_client.${key}`, `"${value}" is not a duration like "5s" or "1m30s"`);
      return ms;
    };
    const storageClient: GroupStorageClient = {
      endpoints: client?.endpoints ?? [],
      connectionTimeoutMs: duration(client?.connection_timeout, 'connection_timeout'),
      requestTimeoutMs: duration(client?.request_timeout, 'request_timeout'),
    };
    for (const [i, endpoint] of storageClient.endpoints.entries()) {
      if (!URL.canParse(endpoint)) problems.add(`${at}.payment.payment_channel_storage_client.endpoints[${i}]`, `"${endpoint}" is not a URL`);
    }
    if (groupId === undefined || paymentAddress === undefined || payment.payment_expiration_threshold === undefined) return [];
    return [
      {
        groupName: group.group_name,
        groupId,
        paymentAddress,
        paymentExpirationThreshold: toBigInt(payment.payment_expiration_threshold),
        storageType: payment.payment_channel_storage_type,
        storageClient,
        licenseServerEndpoints: group.license_server_endpoints ?? [],
      },
    ];
  });
  if (problems.list.length > 0) throw invalid(label, problems);
  return { orgId: doc.org_id, orgName: doc.org_name, groups, raw: json as Record<string, unknown> };
}
