import type { Command } from 'commander';
import type { PaymentContext } from '../app/index.ts';
import type { DaemonConfig } from '../config/index.ts';
import { SnetError } from '../errors/index.ts';
import type { ChannelMigrationOutcome, ClaimMigrationOutcome, GoMigrationReport, GoUsageMigrationReport } from '../payments/index.ts';
import { createSilentLogger } from '../shared/index.ts';
import type { EtcdTlsFiles } from '../storage/index.ts';
import { writeLine, type CliIo } from './cli-io.ts';

// `snetd storage import --from-go-etcd <endpoints>` / `storage export --to-go-etcd <endpoints>`: moves channels
// (signed amounts and signatures), claims in progress, this service's free-call counters and prepaid usage
// between the Go daemon's etcd state of this daemon's network/org/group/MPE and the configured store
// (docs/migration.md).

/** Adds the options shared by the Go-etcd import and export. */
export function addGoEtcdOptions(command: Command): Command {
  return command
    .option('--dry-run', 'read and compare only; write nothing')
    .option('--include-locked', 'also copy channels whose Go lock is "locked" (only when no Go daemon runs)')
    .option('--go-etcd-ca <file>', 'CA bundle of the Go etcd (https endpoints; default payment_channel_ca_path)')
    .option('--go-etcd-cert <file>', 'client certificate for the Go etcd (default payment_channel_cert_path)')
    .option('--go-etcd-key <file>', 'client key for the Go etcd (default payment_channel_key_path)')
    .option('--json', 'print the report as JSON');
}

/**
 * Endpoints the way Go configs write them: `http://host:port` URLs separated by commas. Throws CONFIG_INVALID
 * naming the first one that is not an http(s) URL with a host.
 */
export function parseGoEtcdEndpoints(text: string): string[] {
  const endpoints = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  const hint = 'Give the Go daemon\'s etcd endpoints as its config writes them, e.g. http://127.0.0.1:2379,http://10.0.0.2:2379.';
  if (endpoints.length === 0) throw new SnetError('CONFIG_INVALID', 'no Go etcd endpoint given', { hint });
  for (const endpoint of endpoints) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
      throw new SnetError('CONFIG_INVALID', `Go etcd endpoint "${endpoint}" is not an http:// or https:// URL`, { hint });
    }
  }
  return endpoints;
}

function tlsFor(endpoints: readonly string[], flags: Record<string, unknown>, config: DaemonConfig): EtcdTlsFiles | undefined {
  if (!endpoints.some((e) => e.startsWith('https:'))) return undefined;
  const pick = (flag: string, fallback: string | undefined): string | undefined => (typeof flags[flag] === 'string' ? flags[flag] : fallback === '' ? undefined : fallback);
  const caFile = pick('goEtcdCa', config.payment_channel_ca_path);
  const certFile = pick('goEtcdCert', config.payment_channel_cert_path);
  const keyFile = pick('goEtcdKey', config.payment_channel_key_path);
  if (caFile === undefined) return undefined; // system CAs
  return { caFile, ...(certFile === undefined ? {} : { certFile }), ...(keyFile === undefined ? {} : { keyFile }) };
}

/** Runs the import (`from`) or export (`to`) against the Go etcd at `endpointsText`; prints the summary. */
export async function runGoEtcdMigration(
  direction: 'import' | 'export',
  endpointsText: string,
  flags: Record<string, unknown>,
  context: PaymentContext,
  config: DaemonConfig,
  io: CliIo,
): Promise<void> {
  const endpoints = parseGoEtcdEndpoints(endpointsText);
  const { buildStoragePrefixes, createEtcdStore } = await import('../storage/index.ts');
  const { exportChannelsToGo, exportUsageToGo, importChannelsFromGo, importUsageFromGo, usageSettled } = await import('../payments/index.ts');
  const goPrefixes = buildStoragePrefixes({
    network: config.blockchain_network_selected,
    organizationId: config.organization_id,
    groupIdBase64: context.orgGroup.groupId.base64,
    mpeAddress: context.mpeAddress,
    root: '',
  });
  const tls = tlsFor(endpoints, flags, config);
  const goStore = await createEtcdStore({ endpoints, logger: createSilentLogger(), ...(tls === undefined ? {} : { tls }) });
  try {
    const options = {
      goMpePrefix: goPrefixes.mpe,
      mpePrefix: context.storagePrefixes.mpe,
      includeLocked: flags['includeLocked'] === true,
      dryRun: flags['dryRun'] === true,
    };
    const usageOptions = {
      ...options,
      goBasePrefix: goPrefixes.base,
      basePrefix: context.storagePrefixes.base,
      organizationId: config.organization_id,
      serviceId: config.service_id,
      groupIdBase64: context.orgGroup.groupId.base64,
    };
    const channels = direction === 'import' ? await importChannelsFromGo(goStore, context.store, options) : await exportChannelsToGo(context.store, goStore, options);
    const usage = direction === 'import' ? await importUsageFromGo(goStore, context.store, usageOptions) : await exportUsageToGo(context.store, goStore, usageOptions);
    const report = { ...channels, ...usage };
    if (flags['json'] === true) writeLine(io.stdout, JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
    else printReport(io, report, goPrefixes.mpe);
    const leftBehind = [
      ...report.channels.filter((c) => !settled(c)),
      ...report.claims.filter((c) => !settledClaim(c)),
      ...report.freeCalls.filter((c) => !usageSettled(c.action)),
      ...report.prepaid.filter((c) => !usageSettled(c.action)),
    ];
    if (leftBehind.length > 0) {
      throw new SnetError('STORAGE_MIGRATION_INCOMPLETE', `${leftBehind.length} channel(s), claim(s), free-call counter(s) or prepaid usage record(s) were not ${direction === 'import' ? 'imported' : 'exported'}${options.dryRun ? ' (dry run)' : ''}; they are listed above`, {
        hint: 'Stop every daemon of the group (Go and snetd-ts), then run the same command again: it only writes what is missing or older. A channel or free-call user locked by a crashed Go daemon needs --include-locked.',
      });
    }
  } finally {
    await goStore.close();
  }
}

const settled = (c: ChannelMigrationOutcome): boolean => c.action === 'copied' || c.action === 'updated' || c.action === 'unchanged' || c.action === 'kept-newer';
const settledClaim = (c: ClaimMigrationOutcome): boolean => c.action === 'copied' || c.action === 'unchanged';

function count<T extends { action: string }>(items: readonly T[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.action, (counts.get(item.action) ?? 0) + 1);
  return [...counts].map(([action, n]) => `${n} ${action}`).join(', ') || 'none';
}

function printReport(io: CliIo, report: GoMigrationReport & GoUsageMigrationReport, goMpePrefix: string): void {
  const out = (text: string): void => writeLine(io.stdout, text);
  out(`${report.direction === 'import' ? 'import from' : 'export to'} the Go daemon's etcd keys under ${goMpePrefix}${report.dryRun ? ' (dry run: nothing written)' : ''}`);
  out(`channels: ${report.channels.length} (${count(report.channels)})`);
  out(`unclaimed signed amount ${report.direction === 'import' ? 'now held by snetd-ts' : 'now held in the Go layout'}: ${report.unclaimedCogs} cogs`);
  out(`claims in progress: ${report.claims.length} (${count(report.claims)}), ${report.claimCogs} cogs`);
  for (const c of report.channels) {
    if (c.action === 'copied' || c.action === 'updated' || c.action === 'unchanged') continue;
    const state = c.nonce === undefined ? '' : ` (nonce ${c.nonce}, signed ${c.authorizedAmount} cogs)`;
    const kept = c.action === 'kept-newer' ? `: the target has nonce ${c.targetNonce}, signed ${c.targetAmount} cogs` : '';
    out(`  channel ${c.channelId}${state}: ${c.action}${kept}${c.detail === undefined ? '' : `: ${c.detail}`}`);
  }
  for (const c of report.claims) {
    if (settledClaim(c)) continue;
    out(`  claim ${c.channelId}/${c.nonce}: ${c.action}${c.detail === undefined ? '' : `: ${c.detail}`}`);
  }
  out(`free-call counters: ${report.freeCalls.length} (${count(report.freeCalls)}), ${report.freeCallsMade} free calls made`);
  out(`prepaid usage: ${report.prepaid.length} channel(s) (${count(report.prepaid)}), ${report.prepaidUsed} of ${report.prepaidPlanned} planned cogs used`);
  const detail = (c: { action: string; detail?: string }): string => `${c.action}${c.detail === undefined ? '' : `: ${c.detail}`}`;
  for (const c of report.freeCalls) {
    if (c.action === 'copied' || c.action === 'raised' || c.action === 'unchanged') continue;
    const kept = c.action === 'kept-higher' ? `: the target counts ${c.targetMade}` : '';
    out(`  free calls of ${c.address}${c.userId === '' ? '' : ` user ${JSON.stringify(c.userId)}`}${c.made === undefined ? '' : ` (${c.made} made)`}: ${detail(c)}${kept}`);
  }
  for (const c of report.prepaid) {
    if (c.action === 'copied' || c.action === 'raised' || c.action === 'unchanged') continue;
    const state = c.planned === undefined ? '' : ` (planned ${c.planned}, used ${c.used} cogs)`;
    out(`  prepaid usage of channel ${c.channelId}${state}: ${detail(c)}`);
  }
}
