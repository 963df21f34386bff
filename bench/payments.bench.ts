/**
 * Paid-call benchmark: escrow, prepaid and free-call unary calls through the daemon (embedded LMDB store and etcd) against
 * free pass-through calls through the same daemon binary, in one run, interleaved. Writes bench/RESULTS-payments.md.
 *
 *   ./node_modules/.bin/node bench/payments.bench.ts                      # 3 runs × 6000 calls per point
 *   ./node_modules/.bin/node bench/payments.bench.ts --runs 1 --calls 2000  # quick look
 *   ... --cpu-prof paid-lmdb       # also write a V8 CPU profile of that daemon (path printed at the end)
 *   ... --threads 1                # also print each daemon's CPU per call by thread name (main, GC helpers, LMDB, ...)
 *   ... --daemon-node-flags '--max-semi-space-size=8'   # node flags of the daemons (default: the bin's)
 *   ... --only free,paid-lmdb      # just these daemons, medians printed, RESULTS-payments.md left alone
 *   ... --only free,prepaid-lmdb   # prepaid (concurrency-token) calls against pass-through
 *   ... --only free,free-call-lmdb # v6 free calls against pass-through
 *   ... --workers 64               # calls in flight (one channel each; default 64)
 *
 * Setup: the dev network (hardhat chain, local IPFS, registered org/service, example Calculator service in this
 * process), a real etcd (Debian etcd-server), and three `snetd serve` children in front of the same Calculator:
 * `free` (blockchain_enabled=false: pass-through, no payment), `paid-lmdb` (embedded store), `paid-etcd` and `paid-etcd-go` (Go storage format).
 * Load: a grpc-js client in this process, WORKERS calls in flight, one channel per worker so each channel's
 * cumulative amount increases monotonically; every request's signature (amount = previous + price) is made
 * before the measurement, so the client's signing cost is not measured. Prepaid daemons (`prepaid-lmdb`,
 * `prepaid-etcd`) get one token per channel from TokenService/GetToken before the measurement, planned for every
 * call the worker can make; each call then carries that token (one HMAC check, one CAS). The free-call daemon
 * (`free-call-lmdb`, metadata free_calls 10^9) serves one wallet per worker with its own v6 token. Daemon CPU µs per call = utime+stime of
 * the daemon process (/proc/<pid>/stat) over the measured window ÷ calls.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { buildClaimMessage, signMessage } from '../src/blockchain/index.ts';
import { createDevActions, createDevClients, DEV_ROLES, startDevNetwork, type DevNetwork } from '../src/devnet/index.ts';
import { createSilentLogger } from '../src/shared/index.ts';
import { startEtcd } from '../test/harness/etcd.ts';
import { requestToken } from '../test/harness/payments-prepaid.ts';
import { v6FreeCallUser } from '../test/harness/free-calls.ts';
import { generatePrivateKey } from 'viem/accounts';
import { freePort } from '../test/harness/ports.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(String(process.argv[i]).replace(/^--/, ''), String(process.argv[i + 1]));
const runs = Number(args.get('runs') ?? 3);
/** Measured calls per point (after WARMUP_CALLS unmeasured ones). */
const calls = Number(args.get('calls') ?? 6000);
// 64 in flight, as the transport benchmark's unary load (h2load -c 4 -m 16).
const WORKERS = Number(args.get('workers') ?? 64);
const CONNECTIONS = 4;
const WARMUP_CALLS = 1000;
const PRICE = 1n;
const NOTES = '<!-- notes: kept when the tables above are regenerated -->';
const benchDir = import.meta.dirname;
const repoDir = path.join(benchDir, '..');
const bin = path.join(repoDir, 'bin', 'snetd.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'snetd-bench-pay-'));
const children: ChildProcess[] = [];
const cpuProfTarget = args.get('cpu-prof');
const threadReport = args.get('threads') === '1';
const daemonNodeFlags = (args.get('daemon-node-flags') ?? '--max-semi-space-size=2').split(' ').filter((f) => f !== '');
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

// paid-memory (state in memory, nothing durable) is a diagnostic: the same payment path without storage latency.
type Target = 'free' | 'paid-lmdb' | 'paid-etcd' | 'paid-etcd-go' | 'paid-memory' | 'prepaid-lmdb' | 'prepaid-etcd' | 'prepaid-memory' | 'free-call-lmdb';
const allTargets: Target[] = ['free', 'paid-lmdb', 'paid-etcd', 'paid-etcd-go', 'paid-memory', 'prepaid-lmdb', 'prepaid-etcd', 'prepaid-memory', 'free-call-lmdb'];
const isPrepaid = (target: Target): boolean => target.startsWith('prepaid-');
/** `--only free,paid-lmdb`: just those daemons (for A/B rounds); medians are printed, RESULTS-payments.md is left alone. */
const only = args.get('only')?.split(',');
const unknownTargets = only?.filter((t) => !(allTargets as string[]).includes(t)) ?? [];
if (unknownTargets.length > 0) throw new Error(`--only: unknown daemon(s) ${unknownTargets.join(', ')}; choose from ${allTargets.join(', ')}`);
const targets: Target[] = only === undefined ? allTargets : allTargets.filter((t) => only.includes(t));

/** `snetd serve` as a child with `settings` as --set flags; resolves once its gRPC port accepts connections. */
async function startDaemonChild(name: string, settings: Record<string, string>): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const port = await freePort();
  const flags = Object.entries({ ...settings, daemon_endpoint: `127.0.0.1:${port}`, 'log.output.type': 'stdout', 'log.level': 'warn' }).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const profile = cpuProfTarget === name ? ['--cpu-prof', '--cpu-prof-dir', path.join(os.tmpdir(), `snetd-cpu-prof-${name}`)] : [];
  if (profile.length > 0) console.error(`CPU profile of ${name} → ${profile[2]}`);
  const child = spawn(process.execPath, [...daemonNodeFlags, ...profile, bin, 'serve', ...flags], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr.on('data', (c: Buffer) => (text += c.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} daemon exited: ${text}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return { child, port, output: () => text };
    if (Date.now() > deadline) throw new Error(`${name} daemon did not listen in 60 s: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The machine's CPU ticks from /proc/stat: all, and busy (not idle or iowait), summed over CPUs. */
function machineTicks(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

/** utime+stime of the whole process, or of its main (JavaScript) thread only. */
function cpuTicks(pid: number, mainThreadOnly = false): number {
  const stat = readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** utime+stime per thread name (threads of one name summed), for the --threads diagnostic. */
function threadTicks(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName.set(name, (byName.get(name) ?? 0) + Number(fields[11]) + Number(fields[12]));
    } catch {
      // the thread ended between readdir and read
    }
  }
  return byName;
}

// ---------- load ----------

/** Per channel, the pre-signed cumulative payments 1..n × price (nonce 0). */
interface SignedSeries {
  readonly channelId: bigint;
  readonly signatures: Buffer[];
}

function presign(network: DevNetwork, channelIds: readonly bigint[], perChannel: number): SignedSeries[] {
  return channelIds.map((channelId) => ({
    channelId,
    signatures: Array.from({ length: perChannel }, (_, i) =>
      Buffer.from(signMessage(network.client.privateKey, buildClaimMessage({ mpeAddress: network.contracts.mpe, channelId, nonce: 0n, amount: PRICE * BigInt(i + 1) }))),
    ),
  }));
}

type Unary = (req: { a: number; b: number }, md: grpc.Metadata, cb: (e: grpc.ServiceError | null, r?: { value: number }) => void) => void;

interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  firstError: string | undefined;
  cpuUsPerCall: number;
  /** The main thread's share (JavaScript, node:http2, GC); the rest is worker threads (LMDB commits, libuv pool). */
  mainThreadCpuUsPerCall: number;
  /** This process: the grpc-js load generator and the Calculator service (and the dev chain's client side). */
  benchCpuUsPerCall: number;
  /** Share of the machine's CPU time (all cores) that was busy during the measured window. */
  machineBusyPercent: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * WORKERS loops (one channel each for paid targets), `warmup` unmeasured then `measured` calls in total.
 * `next[w]` is the index of worker w's next pre-signed payment; it advances only on accepted calls.
 */
/**
 * `fixed[w]`: worker w sends these headers on every call (prepaid token, free-call token and signature) instead of
 * the next pre-signed escrow payment.
 */
async function load(port: number, pid: number, protoFile: string, series: SignedSeries[] | undefined, next: number[], warmup: number, measured: number, fixed?: readonly grpc.Metadata[]): Promise<LoadResult> {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(protoFile)) as unknown as { example_service: { Calculator: grpc.ServiceClientConstructor } };
  // Distinct channel options so each client gets its own HTTP/2 connection.
  const clients = Array.from({ length: CONNECTIONS }, (_, i) => new pkg.example_service.Calculator(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.bench-connection': i }));
  const total = warmup + measured;
  let issued = 0;
  let done = 0;
  let failed = 0;
  let firstError: string | undefined;
  const latencies: number[] = [];
  let cpuStart = 0;
  let mainStart = 0;
  let threadsStart = new Map<string, number>();
  let benchStart = process.cpuUsage();
  let machineStart = machineTicks();
  let startedAt = 0n;
  let endedAt = 0n;
  const worker = async (w: number): Promise<void> => {
    const client = clients[w % CONNECTIONS] as grpc.Client;
    const add = (client as unknown as { add: Unary }).add.bind(client);
    const mine = series?.[w];
    while (issued < total) {
      const index = issued++;
      if (index === warmup) {
        cpuStart = cpuTicks(pid);
        mainStart = cpuTicks(pid, true);
        if (threadReport) threadsStart = threadTicks(pid);
        benchStart = process.cpuUsage();
        machineStart = machineTicks();
        startedAt = process.hrtime.bigint();
      }
      const preset = fixed?.[w];
      const metadata = preset?.clone() ?? new grpc.Metadata();
      const n = next[w] ?? 0;
      if (preset === undefined && mine !== undefined) {
        const signature = mine.signatures[n];
        if (signature === undefined) throw new Error(`channel ${mine.channelId}: pre-signed payments exhausted`);
        metadata.set('snet-payment-type', 'escrow');
        metadata.set('snet-payment-channel-id', mine.channelId.toString());
        metadata.set('snet-payment-channel-nonce', '0');
        metadata.set('snet-payment-channel-amount', (PRICE * BigInt(n + 1)).toString());
        metadata.set('snet-payment-channel-signature-bin', signature);
      }
      const t0 = process.hrtime.bigint();
      await new Promise<void>((resolve) =>
        add({ a: index, b: 1 }, metadata, (error, reply) => {
          if (error === null && reply?.value === index + 1) next[w] = n + 1;
          else {
            failed++;
            firstError ??= error === null ? `wrong value ${reply?.value}` : `${error.code} ${error.details}`;
          }
          if (index >= warmup) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          resolve();
        }),
      );
      done++;
      if (done === total) {
        endedAt = process.hrtime.bigint();
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  if (endedAt === 0n) endedAt = process.hrtime.bigint();
  const cpuEnd = cpuTicks(pid);
  const mainEnd = cpuTicks(pid, true);
  if (threadReport) {
    const us = (ticks: number): string => ((((ticks / clockTicks) * 1e6) / measured).toFixed(0));
    const parts = [...threadTicks(pid)].map(([name, end]) => [name, end - (threadsStart.get(name) ?? 0)] as const).filter(([, t]) => t > 0).sort((a, b) => b[1] - a[1]);
    console.error(`  threads µs/call: ${parts.map(([name, t]) => `${name} ${us(t)}`).join(', ')}`);
  }
  const bench = process.cpuUsage(benchStart);
  const machineEnd = machineTicks();
  for (const client of clients) client.close();
  latencies.sort((a, b) => a - b);
  const seconds = Number(endedAt - startedAt) / 1e9;
  return {
    rps: measured / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    failed,
    firstError,
    cpuUsPerCall: (((cpuEnd - cpuStart) / clockTicks) * 1e6) / measured,
    mainThreadCpuUsPerCall: (((mainEnd - mainStart) / clockTicks) * 1e6) / measured,
    benchCpuUsPerCall: (bench.user + bench.system) / measured,
    machineBusyPercent: (100 * (machineEnd.busy - machineStart.busy)) / Math.max(1, machineEnd.total - machineStart.total),
  };
}

// ---------- main ----------

const median = (values: number[]): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : (sorted[Math.floor((sorted.length - 1) / 2)] as number);
};
const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : '—');

async function main(): Promise<void> {
  const [network, etcd, prepaidEtcd] = await Promise.all([
    // Free calls enough for every measured call of the free-call daemon.
    startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE, freeCalls: 1_000_000_000 }),
    startEtcd(),
    targets.includes('prepaid-etcd') ? startEtcd({ name: 'bench-prepaid' }) : undefined,
  ]);
  try {
    const actions = createDevActions(createDevClients(network.rpcUrl, network.chainId), network.contracts);
    const channelIds = [network.channel.id];
    while (channelIds.length < WORKERS) {
      channelIds.push(await actions.openChannel({ senderIndex: DEV_ROLES.client, recipient: network.owner.address, groupId: network.groupId.hex, valueCogs: 10n ** 9n, expiration: network.channel.expiration }));
    }
    // Each worker's channel gets about total/WORKERS accepted calls per point; the stores are independent, so one
    // series serves both. Margin ×1.5 + 64 for uneven scheduling between workers.
    const perChannel = Math.ceil((((WARMUP_CALLS + calls) * runs) / WORKERS) * 1.5) + 64;
    const signStart = process.hrtime.bigint();
    const series = presign(network, channelIds, perChannel);
    console.error(`pre-signed ${perChannel * WORKERS} payments in ${(Number(process.hrtime.bigint() - signStart) / 1e9).toFixed(1)} s`);

    const base = Object.fromEntries(Object.entries(network.daemonConfig).map(([k, v]) => [k, String(v)]));
    const settings: Record<Target, Record<string, string>> = {
      free: { service_endpoint: network.serviceEndpoint, blockchain_enabled: 'false' },
      'paid-lmdb': { ...base, payment_channel_storage_type: 'embedded', embedded_storage_dir: path.join(tmp, 'lmdb') },
      'paid-etcd': { ...base, payment_channel_storage_type: 'etcd', 'payment_channel_storage_client.endpoints': etcd.endpoint },
      // Mixed-fleet mode on the same member: the Go keys have no snetd-ts root, so its channels are its own.
      'paid-etcd-go': { ...base, payment_channel_storage_type: 'etcd', 'payment_channel_storage_client.endpoints': etcd.endpoint, payment_channel_storage_format: 'go', private_key_for_free_calls: '' },
      'paid-memory': { ...base, payment_channel_storage_type: 'memory' },
      'prepaid-lmdb': { ...base, payment_channel_storage_type: 'embedded', embedded_storage_dir: path.join(tmp, 'lmdb-prepaid') },
      'prepaid-memory': { ...base, payment_channel_storage_type: 'memory' },
      // Its own etcd member: the keys of one group are the same on every daemon, and the planned amounts of GetToken
      // would break paid-etcd's escrow series on the same channels.
      'prepaid-etcd': { ...base, payment_channel_storage_type: 'etcd', 'payment_channel_storage_client.endpoints': prepaidEtcd?.endpoint ?? '' },
      'free-call-lmdb': { ...base, payment_channel_storage_type: 'embedded', embedded_storage_dir: path.join(tmp, 'lmdb-free-call') },
    };
    const daemons = {} as Record<Target, Awaited<ReturnType<typeof startDaemonChild>>>;
    for (const target of targets) daemons[target] = await startDaemonChild(target, settings[target]);
    const counters = (): number[] => channelIds.map(() => 0);
    const next: Record<Target, number[]> = { free: [], 'paid-lmdb': counters(), 'paid-etcd': counters(), 'paid-etcd-go': counters(), 'paid-memory': counters(), 'prepaid-lmdb': counters(), 'prepaid-etcd': counters(), 'prepaid-memory': counters(), 'free-call-lmdb': [] };
    const results: Record<Target, LoadResult[]> = { free: [], 'paid-lmdb': [], 'paid-etcd': [], 'paid-etcd-go': [], 'paid-memory': [], 'prepaid-lmdb': [], 'prepaid-etcd': [], 'prepaid-memory': [], 'free-call-lmdb': [] };
    // Prepaid: one token per channel, planned for every call its worker may make (the pre-signed series' length).
    const fixed: Partial<Record<Target, grpc.Metadata[]>> = {};
    for (const target of targets.filter(isPrepaid)) {
      const client = new grpc.Client(`127.0.0.1:${daemons[target].port}`, grpc.credentials.createInsecure());
      try {
        fixed[target] = await Promise.all(
          channelIds.map(async (channelId) => {
            const reply = await requestToken(client, network, { channelId, amount: PRICE * BigInt(perChannel) });
            if (reply.token === undefined) throw new Error(`${target}: GetToken for channel ${channelId} failed: ${reply.error?.details}`);
            const metadata = new grpc.Metadata();
            metadata.set('snet-payment-type', 'prepaid-call');
            metadata.set('snet-payment-channel-id', channelId.toString());
            metadata.set('snet-payment-channel-nonce', '0');
            metadata.set('snet-prepaid-auth-token-bin', Buffer.from(reply.token));
            return metadata;
          }),
        );
      } finally {
        client.close();
      }
    }
    // Free calls (v6): one user (wallet) per worker, one GetFreeCallToken each; the signature covers the chain's
    // block, which stays put while nothing is mined, so the headers are the same on every call of a worker.
    if (targets.includes('free-call-lmdb')) {
      const target = `127.0.0.1:${daemons['free-call-lmdb'].port}`;
      fixed['free-call-lmdb'] = await Promise.all(
        channelIds.map(async () => {
          const user = v6FreeCallUser(network, target, generatePrivateKey());
          try {
            const { token, error } = await user.token();
            if (token === undefined) throw new Error(`free-call-lmdb: GetFreeCallToken failed: ${error?.details}`);
            return await user.metadata(token);
          } finally {
            user.close();
          }
        }),
      );
    }
    for (let run = 0; run < runs; run++) {
      for (const target of targets) {
        const daemon = daemons[target];
        const result = await load(daemon.port, daemon.child.pid as number, network.serviceProtoFile, target === 'free' ? undefined : series, next[target], WARMUP_CALLS, calls, fixed[target]);
        results[target].push(result);
        console.error(target, `run ${run + 1}`, JSON.stringify(result));
      }
    }

    if (only !== undefined) {
      for (const target of targets) {
        const med = (pick: (r: LoadResult) => number): string => fmt(median(results[target].map(pick)));
        console.log(`${target}: req/s ${med((r) => r.rps)}, daemon CPU µs/call ${med((r) => r.cpuUsPerCall)} (main thread ${med((r) => r.mainThreadCpuUsPerCall)}), client + service ${med((r) => r.benchCpuUsPerCall)}, failed ${results[target].reduce((n, r) => n + r.failed, 0)}`);
      }
      if (targets.includes('free')) {
        const freeCpu = median(results.free.map((r) => r.cpuUsPerCall));
        for (const target of targets.filter((t) => isPrepaid(t) || t === 'free-call-lmdb')) {
          const ratio = (median(results[target].map((r) => r.cpuUsPerCall)) / freeCpu).toFixed(2);
          console.log(`${target} / free daemon CPU per call: ${ratio}${isPrepaid(target) ? ' (target ≤ 1.25)' : ''}`);
        }
      }
      return;
    }

    // ---------- report ----------
    let commit = 'unknown';
    try {
      commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoDir }).toString().trim();
    } catch {
      // not a git checkout
    }
    const cpu = os.cpus();
    const m = (target: Target, pick: (r: LoadResult) => number): number => median(results[target].map(pick));
    const lines: string[] = [];
    lines.push('# Paid-call benchmark (escrow through snetd-ts vs free pass-through)', '');
    lines.push(`Generated by \`./node_modules/.bin/node bench/payments.bench.ts\` on ${new Date().toISOString()}, commit \`${commit}\`.`);
    lines.push(
      `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}; load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`,
    );
    lines.push(
      `Daemons: \`snetd serve\` processes in front of the dev network's example Calculator service (in the bench process): \`free\` = blockchain_enabled false (pass-through), \`paid-lmdb\` = escrow on the embedded LMDB store, \`paid-etcd\` = escrow on one local etcd member (Debian etcd-server, fsync on), \`paid-etcd-go\` = the same in \`payment_channel_storage_format: go\` (Go keys, gob values, the Go channel lock per call), \`paid-memory\` = escrow on the memory store (diagnostic only: nothing durable; the payment path without storage latency), \`prepaid-lmdb\` / \`prepaid-etcd\` / \`prepaid-memory\` (diagnostic) = prepaid-call (one token per channel from GetToken before the measurement; each call one HMAC check and one CAS of the channel's usage record), \`free-call-lmdb\` = v6 free calls (one wallet per worker, one GetFreeCallToken each; each call one signature recovery, the token's cached, and the counter's reserve + commit). Load: grpc-js unary \`add\`, ${WORKERS} calls in flight over ${CONNECTIONS} connections, one MPE channel per worker, every payment pre-signed (amount = previous + ${PRICE} cog). Load generator, Calculator service, daemon, etcd and the dev chain share the machine's cores.`,
    );
    lines.push(`Medians of ${runs} interleaved runs of ${calls} measured calls each after ${WARMUP_CALLS} warm-up calls. Daemon CPU µs per call = daemon utime+stime over the measured window ÷ calls; client + service = this process (grpc-js load generator and the Calculator service share its one event loop); machine busy = all cores, every process.`, '');
    lines.push(
      '| path | req/s | p50 ms | p99 ms | daemon CPU µs/call | of which main thread | client + service CPU µs/call | machine busy % | failed |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const target of targets) {
      lines.push(
        `| ${target} | ${fmt(m(target, (r) => r.rps))} | ${fmt(m(target, (r) => r.p50Ms), 2)} | ${fmt(m(target, (r) => r.p99Ms), 2)} | ${fmt(m(target, (r) => r.cpuUsPerCall))} | ${fmt(m(target, (r) => r.mainThreadCpuUsPerCall))} | ${fmt(m(target, (r) => r.benchCpuUsPerCall))} | ${fmt(m(target, (r) => r.machineBusyPercent))} | ${results[target].reduce((s, r) => s + r.failed, 0)} |`,
      );
    }
    const errors = targets.flatMap((t) => results[t].map((r) => r.firstError).filter((e) => e !== undefined).map((e) => `${t}: ${e}`));
    if (errors.length > 0) lines.push('', `First errors: ${errors.join('; ')}`);
    const free = m('free', (r) => r.rps);
    const lmdb = m('paid-lmdb', (r) => r.rps) / free;
    const etcdRatio = m('paid-etcd', (r) => r.rps) / free;
    lines.push('', '## Targets (ratios from this run)', '', '| target | value | met |', '|---|---|---|');
    lines.push(`| paid (embedded LMDB) / pass-through throughput ≥ 0.8 | ${lmdb.toFixed(2)} | ${lmdb >= 0.8 ? 'yes' : 'no'} |`);
    lines.push(`| paid (etcd) / pass-through throughput ≥ 0.5 | ${etcdRatio.toFixed(2)} | ${etcdRatio >= 0.5 ? 'yes' : 'no'} |`);
    const prepaidCpu = m('prepaid-lmdb', (r) => r.cpuUsPerCall) / m('free', (r) => r.cpuUsPerCall);
    lines.push(`| prepaid (embedded LMDB) / pass-through daemon CPU per call ≤ 1.25 | ${prepaidCpu.toFixed(2)} | ${prepaidCpu <= 1.25 ? 'yes' : 'no'} |`);
    const freeCallCpu = m('free-call-lmdb', (r) => r.cpuUsPerCall) / m('free', (r) => r.cpuUsPerCall);
    lines.push(`| free call (embedded LMDB) / pass-through daemon CPU per call (no target; escrow for comparison: ${(m('paid-lmdb', (r) => r.cpuUsPerCall) / m('free', (r) => r.cpuUsPerCall)).toFixed(2)}) | ${freeCallCpu.toFixed(2)} | — |`);
    lines.push('');
    // Hand-written analysis below the NOTES marker survives regeneration.
    const file = path.join(benchDir, 'RESULTS-payments.md');
    let notes = '';
    try {
      const old = readFileSync(file, 'utf8');
      if (old.includes(NOTES)) notes = old.slice(old.indexOf(NOTES));
    } catch {
      // first run
    }
    writeFileSync(file, `${lines.join('\n')}\n${notes}`);
    console.log(lines.join('\n'));
  } finally {
    for (const child of children) if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    await Promise.allSettled(children.map((child) => (child.exitCode === null ? once(child, 'exit') : Promise.resolve())));
    await Promise.all([network.stop(), etcd.stop(), prepaidEtcd?.stop()]);
  }
}

try {
  await main();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
