/**
 * Rate limiting under a flood: one `snetd serve` child on the dev network (escrow payments, memory store)
 * with `rate_limit_per_minute` 6000 (100/s, burst 100) and a per-client limit of 3000/min (50/s, burst 50). Three
 * phases of SECONDS each, measured by the daemon's utime+stime (/proc/<pid>/stat):
 *
 *   1. paid only: paid calls in a loop (one channel, one call at a time) → daemon CPU µs per paid call;
 *   2. flood only: unpaid calls (keyed by IP) at 10× the global limit → daemon CPU µs per refused call;
 *   3. flood + paid: the same flood while the paid client calls at PAID_RATE/s (within both limits) →
 *      how many paid calls still succeed.
 *
 *   ./node_modules/.bin/node bench/rate-limit.bench.ts [--seconds 8]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { buildClaimMessage, signMessage } from '../src/blockchain/index.ts';
import { startDevNetwork } from '../src/devnet/index.ts';
import { createSilentLogger } from '../src/shared/index.ts';
import { freePort } from '../test/harness/ports.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(String(process.argv[i]).replace(/^--/, ''), String(process.argv[i + 1]));
const SECONDS = Number(args.get('seconds') ?? 8);
const GLOBAL_PER_MINUTE = 6000;
const FLOOD_PER_SECOND = (10 * GLOBAL_PER_MINUTE) / 60;
const PAID_RATE = 20;
const bin = path.join(import.meta.dirname, '..', 'bin', 'snetd.js');
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
    if (child.exitCode !== null) throw new Error(`daemon exited: ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
  }
  throw new Error(`daemon did not listen: ${output()}`);
}

/** The flood: unpaid `add` calls (empty message) paced by the clock at `perSecond`; answers its counts on 'stop'. */
const floodWorkerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const grpc = require(${JSON.stringify(path.join(import.meta.dirname, '..', 'node_modules', '@grpc', 'grpc-js'))});
const client = new grpc.Client(workerData.target, grpc.credentials.createInsecure());
let sent = 0, refused = 0, pending = 0, stopping = false;
const started = Date.now();
const finish = () => { if (stopping && pending === 0) { clearInterval(timer); client.close(); parentPort.postMessage({ sent, refused }); } };
const timer = setInterval(() => {
  if (stopping) return;
  while (sent < ((Date.now() - started) * workerData.perSecond) / 1000) {
    sent++; pending++;
    client.makeUnaryRequest('/example_service.Calculator/add', (b) => b, (b) => b, Buffer.alloc(0), (error) => {
      if (error && error.code === grpc.status.RESOURCE_EXHAUSTED) refused++;
      pending--; finish();
    });
  }
}, 5);
parentPort.on('message', () => { stopping = true; finish(); });
`;

type Unary = (req: { a: number; b: number }, md: grpc.Metadata, cb: (e: grpc.ServiceError | null, r?: { value: number }) => void) => void;

async function main(): Promise<void> {
  const network = await startDevNetwork({ logger: createSilentLogger(), priceCogs: 1n });
  const port = await freePort();
  const settings: Record<string, string> = {
    ...Object.fromEntries(Object.entries(network.daemonConfig).map(([k, v]) => [k, String(v)])),
    payment_channel_storage_type: 'memory',
    daemon_endpoint: `127.0.0.1:${port}`,
    rate_limit_per_minute: String(GLOBAL_PER_MINUTE),
    burst_size: String(GLOBAL_PER_MINUTE / 60),
    rate_limit_per_client_per_minute: String(GLOBAL_PER_MINUTE / 2),
    rate_limit_per_client_burst: String(GLOBAL_PER_MINUTE / 120),
    'log.output.type': 'stdout',
    'log.level': 'warn',
  };
  const child = spawn(process.execPath, [bin, 'serve', ...Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr.on('data', (c: Buffer) => (text += c.toString()));
  const pid = child.pid as number;
  try {
    await waitForPort(port, child, () => text);
    const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(network.serviceProtoFile)) as unknown as { example_service: { Calculator: grpc.ServiceClientConstructor } };
    const paidClient = new pkg.example_service.Calculator(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.bench-connection': 'paid' });
    const floodClient = new pkg.example_service.Calculator(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.bench-connection': 'flood' });
    const call = (client: grpc.Client, metadata: grpc.Metadata): Promise<grpc.ServiceError | null> =>
      new Promise((resolve) => (client as unknown as { add: Unary }).add.call(client, { a: 1, b: 2 }, metadata, (error) => resolve(error)));
    let amount = 0n;
    const paid = { ok: 0, failed: 0, firstError: '' };
    const paidCall = async (): Promise<void> => {
      const next = amount + 1n;
      const metadata = new grpc.Metadata();
      metadata.set('snet-payment-type', 'escrow');
      metadata.set('snet-payment-channel-id', network.channel.id.toString());
      metadata.set('snet-payment-channel-nonce', '0');
      metadata.set('snet-payment-channel-amount', next.toString());
      metadata.set('snet-payment-channel-signature-bin', Buffer.from(signMessage(network.client.privateKey, buildClaimMessage({ mpeAddress: network.contracts.mpe, channelId: network.channel.id, nonce: 0n, amount: next }))));
      const error = await call(paidClient, metadata);
      if (error === null) {
        amount = next;
        paid.ok++;
      } else {
        paid.failed++;
        paid.firstError ||= `${error.code} ${error.details}`;
      }
    };
    const flood = { sent: 0, refused: 0 };
    // The flood comes from a worker thread: in this thread it would starve the paid client's event loop.
    const startFlood = (): (() => Promise<void>) => {
      const worker = new Worker(floodWorkerSource, { eval: true, workerData: { target: `127.0.0.1:${port}`, perSecond: FLOOD_PER_SECOND } });
      return async () => {
        worker.postMessage('stop');
        const [counts] = (await once(worker, 'message')) as [{ sent: number; refused: number }];
        flood.sent += counts.sent;
        flood.refused += counts.refused;
        await worker.terminate();
      };
    };
    const measure = async (run: () => Promise<void>): Promise<{ cpuUs: number; seconds: number }> => {
      const start = cpuTicks(pid);
      const t0 = process.hrtime.bigint();
      await run();
      return { cpuUs: ((cpuTicks(pid) - start) / clockTicks) * 1e6, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
    };
    for (let i = 0; i < 200; i++) await paidCall(); // warm-up (and the channel is in the store)
    await sleep(2000); // let the bucket refill after the warm-up

    // 0. idle: the daemon's own background work (block polling, timers), subtracted from the phases below.
    const idle = await measure(() => sleep(SECONDS * 1000));
    const idleUsPerSecond = idle.cpuUs / idle.seconds;
    const net = (m: { cpuUs: number; seconds: number }): number => Math.max(0, m.cpuUs - idleUsPerSecond * m.seconds);

    // 1. paid only, as fast as one channel goes (one call at a time), within the per-client limit.
    paid.ok = 0;
    paid.firstError = '';
    const paidOnly = await measure(async () => {
      for (const end = Date.now() + SECONDS * 1000; Date.now() < end; await sleep(1000 / 40)) await paidCall();
    });
    const paidOnlyCalls = paid.ok;
    await sleep(2000);

    // 2. flood only.
    const floodOnly = await measure(async () => {
      const stop = startFlood();
      await sleep(SECONDS * 1000);
      await stop();
    });
    const floodSent = flood.sent;
    const floodRefused = flood.refused;
    await sleep(2000);

    // 3. flood + paid at PAID_RATE/s.
    paid.ok = 0;
    paid.failed = 0;
    paid.firstError = '';
    flood.sent = 0;
    flood.refused = 0;
    const both = await measure(async () => {
      const stop = startFlood();
      for (const end = Date.now() + SECONDS * 1000; Date.now() < end; await sleep(1000 / PAID_RATE)) await paidCall();
      await stop();
    });
    paidClient.close();
    floodClient.close();

    const rows = [
      `| phase | calls | refused (RESOURCE_EXHAUSTED) | daemon CPU (idle ${(idleUsPerSecond / 1000).toFixed(0)} ms/s subtracted) |`,
      `|---|---|---|---|`,
      `| paid only (one channel, ${(paidOnlyCalls / paidOnly.seconds).toFixed(0)}/s) | ${paidOnlyCalls} paid | 0 | ${(net(paidOnly) / paidOnlyCalls).toFixed(0)} µs per paid call |`,
      `| flood only (unpaid, ${(floodSent / floodOnly.seconds).toFixed(0)}/s; limit ${GLOBAL_PER_MINUTE / 60}/s) | ${floodSent} | ${floodRefused} | ${(net(floodOnly) / floodSent).toFixed(0)} µs per flood call |`,
      `| flood + paid at ${PAID_RATE}/s | ${flood.sent} flood, ${paid.ok + paid.failed} paid | ${flood.refused} flood | paid OK ${paid.ok}, refused ${paid.failed}${paid.firstError === '' ? '' : ` (${paid.firstError})`}; ${(net(both) / (flood.sent + paid.ok)).toFixed(0)} µs per call |`,
    ];
    console.log(`rate_limit_per_minute ${GLOBAL_PER_MINUTE} (burst ${GLOBAL_PER_MINUTE / 60}), per client ${GLOBAL_PER_MINUTE / 2} (burst ${GLOBAL_PER_MINUTE / 120}), ${SECONDS} s per phase; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(rows.join('\n'));
  } finally {
    if (child.exitCode === null) {
      process.kill(pid, 'SIGTERM');
      await once(child, 'exit');
    }
    await network.stop();
  }
}

await main();
