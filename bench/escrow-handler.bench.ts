/**
 * In-process micro-benchmark of the escrow payment handler: `reserve` + `commit` on the memory store, a fake
 * chain (fixed block, no reads after the first), native signature recovery, no transport. It measures what the
 * daemon's paid path adds in our own code: wall and CPU µs per call (and of it the main thread's), and bytes
 * allocated per call.
 *
 *   ./node_modules/.bin/node bench/escrow-handler.bench.ts                    # this checkout's src/
 *   ./node_modules/.bin/node bench/escrow-handler.bench.ts --src /tmp/base/src  # another checkout (A/B)
 *   options: --calls 20000 (per round) --rounds 3 --channels 16 (calls in flight, one per channel)
 *            --store memory|lmdb|etcd (lmdb: a durable file in a temporary directory; etcd: a local member
 *            through the test harness; both removed at the end) --threads 1 (signature recovery on a worker
 *            thread, as the daemon does; default 0: on the main thread)
 *
 * Allocation is measured in a separate window of `--alloc-calls` (default 1000) calls during which no garbage
 * collection may run: the bench re-runs itself with a 64 MiB semi-space and reports heap growth ÷ calls (the
 * window is discarded and reported as such if a GC was observed). Timing runs use the daemon's
 * `--max-semi-space-size=2`, so GC cost is included as in production.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { startEtcd } from '../test/harness/etcd.ts';

type Payments = typeof import('../src/payments/index.ts');
type Blockchain = typeof import('../src/blockchain/index.ts');
type Storage = typeof import('../src/storage/index.ts');
type Shared = typeof import('../src/shared/index.ts');

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(String(process.argv[i]).replace(/^--/, ''), String(process.argv[i + 1]));
const src = path.resolve(args.get('src') ?? path.join(import.meta.dirname, '..', 'src'));
const calls = Number(args.get('calls') ?? 20_000);
const rounds = Number(args.get('rounds') ?? 3);
const channels = Number(args.get('channels') ?? 16);
const allocCalls = Number(args.get('alloc-calls') ?? 1000);
const mode = args.get('mode') ?? 'both';

if (mode === 'both') {
  // Two child processes with the heap settings each measurement needs.
  const self = process.argv[1] as string;
  const pass = [...args.entries()].filter(([k]) => k !== 'mode').flatMap(([k, v]) => [`--${k}`, v]);
  process.stdout.write(execFileSync(process.execPath, ['--max-semi-space-size=2', self, ...pass, '--mode', 'time']));
  process.stdout.write(execFileSync(process.execPath, ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64', self, ...pass, '--mode', 'alloc']));
  process.exit(0);
}

const payments = (await import(path.join(src, 'payments/index.ts'))) as Payments;
const blockchain = (await import(path.join(src, 'blockchain/index.ts'))) as Blockchain;
const storage = (await import(path.join(src, 'storage/index.ts'))) as Storage;
const shared = (await import(path.join(src, 'shared/index.ts'))) as Shared;

const MPE = '0x5C7a4290F6F8FF64c69eEffDFAFc8644A4Ec3a4E';
const KEY = Buffer.from('4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318', 'hex');
const CLIENT = blockchain.privateKeyToAddress(`0x${KEY.toString('hex')}`);
const RECIPIENT = '0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF';
const GROUP = new Uint8Array(32).fill(7);
const METHOD = '/example_service.Calculator/add';
const PRICE = 1n;
const native = createRequire(import.meta.url)('secp256k1') as { ecdsaSign(msg32: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number } };

// Every payment pre-signed (native signing), as headers the transport would hand over.
const total = rounds * calls + 2 * allocCalls + 200 * channels;
const perChannel = Math.ceil(total / channels) + 8;
const headers: Record<string, string>[][] = [];
for (let c = 0; c < channels; c++) {
  const list: Record<string, string>[] = [];
  const channelId = BigInt(c + 1);
  for (let i = 0; i < perChannel; i++) {
    const amount = PRICE * BigInt(i + 1);
    const digest = blockchain.hashSignedMessage(blockchain.buildClaimMessage({ mpeAddress: MPE, channelId, nonce: 0n, amount }));
    const { signature, recid } = native.ecdsaSign(digest, KEY);
    const sig = Buffer.concat([signature, Buffer.from([recid + 27])]);
    list.push({
      'snet-payment-type': 'escrow',
      'snet-payment-channel-id': channelId.toString(),
      'snet-payment-channel-nonce': '0',
      'snet-payment-channel-amount': amount.toString(),
      'snet-payment-channel-signature-bin': sig.toString('base64'),
    });
  }
  headers.push(list);
}

const chain = {
  getChannel: (channelId: bigint) =>
    Promise.resolve({ nonce: 0n, sender: CLIENT, signer: CLIENT, recipient: RECIPIENT, groupId: `0x${'07'.repeat(32)}`, value: 10n ** 12n, expiration: 10n ** 9n, channelId }),
  getBlockNumber: () => Promise.resolve(1000n),
  peekBlockNumber: () => 1000n,
};
const storeKind = args.get('store') ?? 'memory';
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const lmdbDir = storeKind === 'lmdb' ? mkdtempSync(path.join(os.tmpdir(), 'escrow-bench-')) : undefined;
// etcd: a real local member (Debian etcd-server, through the test harness), removed at the end.
const etcd = storeKind === 'etcd' ? await startEtcd() : undefined;
const store =
  etcd !== undefined
    ? await storage.createEtcdStore({ endpoints: [etcd.endpoint], logger: shared.createSilentLogger() })
    : lmdbDir === undefined
      ? storage.createMemoryStore()
      : storage.createLmdbStore({ path: path.join(lmdbDir, 'state.mdb'), logger: shared.createSilentLogger() });
const repository = payments.createChannelRepository({ store, chain }, { mpePrefix: `snetd-ts/1/local/org/G=/${MPE}`, groupId: GROUP, recipient: RECIPIENT });
const handler = payments.createEscrowPaymentHandler(
  { repository, chain, recoverer: blockchain.createSignatureRecoverer({ requireNative: true, threads: Number(args.get('threads') ?? 0) }), logger: shared.createSilentLogger() },
  { mpeAddress: MPE, expirationThresholdBlocks: 100n, priceOf: payments.createPriceResolver({ priceModel: 'fixed_price', priceInCogs: PRICE }) },
);
const next = Array.from({ length: channels }, () => 0);

/** `n` calls, `channels` in flight (one loop per channel, like the daemon bench's workers). */
async function run(n: number): Promise<void> {
  let issued = 0;
  await Promise.all(
    Array.from({ length: channels }, async (_, c) => {
      const list = headers[c] as Record<string, string>[];
      while (issued < n) {
        issued++;
        const index = next[c] ?? 0;
        next[c] = index + 1;
        const h = list[index] as Record<string, string>;
        const r = await handler.reserve(h, METHOD);
        await handler.commit(r);
      }
    }),
  );
}

/** CPU µs of this process's main thread (its task has the process id), from /proc: the recovery threads are not in it. */
function mainThreadCpuUs(): number {
  const stat = readFileSync(`/proc/self/task/${String(process.pid)}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks;
}

await run(200 * channels); // warm-up, and every channel is stored and cached
const label = path.relative(process.cwd(), src) || src;
if (mode === 'time') {
  for (let round = 0; round < rounds; round++) {
    const cpu0 = process.cpuUsage();
    const main0 = mainThreadCpuUs();
    const t0 = process.hrtime.bigint();
    await run(calls);
    const wallUs = Number(process.hrtime.bigint() - t0) / 1000 / calls;
    const cpu = process.cpuUsage(cpu0);
    const mainUs = (mainThreadCpuUs() - main0) / calls;
    console.log(`${label} round ${round + 1}: ${wallUs.toFixed(1)} µs wall/call, ${((cpu.user + cpu.system) / calls).toFixed(1)} µs CPU/call, of which main thread ${mainUs.toFixed(1)}`);
  }
} else if (mode === 'heap-profile') {
  // Where the bytes come from: V8's sampling heap profiler, counting objects minor/major GCs already collected.
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  await run(calls);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: HeapNode } };
  interface HeapNode { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: HeapNode[] }
  const sites = new Map<string, number>();
  let sum = 0;
  const walk = (node: HeapNode): void => {
    const f = node.callFrame;
    const site = `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber + 1}`;
    sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
    sum += node.selfSize;
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  console.log(`sampled ${(sum / calls / 1024).toFixed(1)} KB/call; top allocation sites (bytes/call):`);
  for (const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, Number(args.get('top') ?? 40))) console.log(`${(bytes / calls).toFixed(0).padStart(7)}  ${site}`);
  session.disconnect();
} else {
  let gcs = 0;
  const observer = new PerformanceObserver((list) => (gcs += list.getEntries().length));
  observer.observe({ entryTypes: ['gc'] });
  for (let attempt = 0; attempt < 2; attempt++) {
    // Start from a collected heap (no marking in progress, empty young generation) so the window fits in it.
    (globalThis as { gc?: () => void }).gc?.();
    const before = v8.getHeapStatistics().used_heap_size;
    const gcBefore = gcs;
    await run(allocCalls);
    const after = v8.getHeapStatistics().used_heap_size;
    await new Promise((resolve) => setImmediate(resolve));
    const clean = gcs === gcBefore;
    console.log(`${label} alloc: ${((after - before) / allocCalls / 1024).toFixed(1)} KB/call over ${allocCalls} calls${clean ? '' : ' (GC ran during the window: not valid)'}`);
    if (clean) break;
  }
  observer.disconnect();
}
const closable = handler as { close?: () => void };
closable.close?.();
await store.close();
if (lmdbDir !== undefined) rmSync(lmdbDir, { recursive: true, force: true });
await etcd?.stop();
