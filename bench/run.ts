/**
 * Transport benchmark: the same load direct to a grpc-js backend, through snetd-ts and through nginx
 * `grpc_pass`, in one run, interleaved. Writes bench/RESULTS.md.
 *
 *   npm run bench                     # 3 runs × 6 s per unary point
 *   node bench/run.ts --runs 1 --seconds 3 --gib 0.25   # quick look ('--payments no' skips bench/payments.bench.ts)
 *   node bench/run.ts --only unary --runs 5 --seconds 4   # some parts only (unary, streams, big): medians printed, RESULTS.md untouched
 *   node bench/run.ts --only unary --connections 2        # default (builtin) engine with upstream_connections 2 (default 4, as the daemon)
 *
 * Unary load: h2load (Debian nghttp2-client), 64 streams in flight (-c 4 -m 16), pre-built gRPC
 * frame; it counts HTTP 200 as success, so every target also gets a grpc-js pass that checks
 * grpc-status. The daemon runs twice: "snetd-ts (builtin, default)" with the default service-hop engine
 * (`upstream_http2_engine: builtin`) and "snetd-ts (nghttp2)" with node:http2; the targets are checked on the
 * default. Streams and the 1 GiB bidi use a grpc-js client. Proxy CPU comes from
 * /proc/<pid>/stat (utime+stime) over the measured window; RSS from /proc/<pid>/status.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { freePort } from '../test/harness/ports.ts';
import { cpuTicks, h2loadUnary as runH2loadUnary, percentile, runBench, type UnaryResult } from './h2load.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(String(process.argv[i]).replace(/^--/, ''), String(process.argv[i + 1]));
const runs = Number(args.get('runs') ?? 3);
const seconds = Number(args.get('seconds') ?? 6);
const warmupSeconds = 2;
const gib = Number(args.get('gib') ?? 1);
/** `upstream_connections` of the daemon on the builtin (default) engine. */
const builtinConnections = args.get('connections') ?? '4';
/** Parts to run (`--only unary,streams,big`); a partial run prints its medians and leaves RESULTS.md alone. */
const only = args.has('only') ? new Set(String(args.get('only')).split(',')) : undefined;
const wants = (part: 'unary' | 'streams' | 'big'): boolean => only === undefined || only.has(part);
const benchDir = import.meta.dirname;
const repoDir = path.join(benchDir, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'snetd-bench-'));
const children: ChildProcess[] = [];
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** The daemon on its default service-hop engine (`upstream_http2_engine: builtin`): the targets are checked on it. */
const DAEMON = 'snetd-ts (builtin, default)';
/** The daemon on node:http2 (`upstream_http2_engine: nghttp2`). */
const NGHTTP2 = 'snetd-ts (nghttp2)';
type Target = 'direct' | typeof DAEMON | typeof NGHTTP2 | 'nginx';
const targets: Target[] = ['direct', DAEMON, NGHTTP2, 'nginx'];
/** A record with one fresh value per target. */
const byTarget = <T>(make: () => T): Record<Target, T> => ({ direct: make(), [DAEMON]: make(), [NGHTTP2]: make(), nginx: make() });

// ---------- processes ----------

/** The V8 flags the `snetd` bin runs the daemon with (bin/snetd.js shebang): a small young generation bounds RSS on big streams. */
const DAEMON_NODE_FLAGS = ['--max-semi-space-size=2'];

async function startNodeChild(script: string, argv: string[], nodeFlags: readonly string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...nodeFlags, path.join(benchDir, script), ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const parsed = JSON.parse(line) as { port: number };
    return { child, port: parsed.port };
  }
  throw new Error(`${script} exited before printing its port`);
}

async function startNginx(backendPort: number): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const prefix = path.join(tmp, 'nginx');
  execFileSync('mkdir', ['-p', path.join(prefix, 'logs')]);
  // One worker: a single event loop, like the Node daemon. keepalive_requests/http2_max_requests
  // raised: the defaults (1000) cause GOAWAY churn and failed requests.
  const config = `
worker_processes 1;
daemon off;
master_process on;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log error;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fcgi;
  uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  upstream backend { server 127.0.0.1:${backendPort}; keepalive 256; keepalive_requests 10000000; }
  server {
    listen 127.0.0.1:${port} http2;
    keepalive_requests 10000000;
    http2_max_requests 10000000;
    client_max_body_size 0;
    location / {
      grpc_pass grpc://backend;
      grpc_read_timeout 600s;
      grpc_send_timeout 600s;
    }
  }
}`;
  const configFile = path.join(prefix, 'nginx.conf');
  writeFileSync(configFile, config);
  const child = spawn('/usr/sbin/nginx', ['-p', prefix, '-c', configFile], { stdio: ['ignore', 'inherit', 'inherit'] });
  children.push(child);
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, port };
}

function pidsOf(target: Target, pids: Record<Target, number | undefined>): number[] {
  const pid = pids[target];
  if (pid === undefined) return [];
  if (target !== 'nginx') return [pid];
  const workers = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return [pid, ...workers];
}

function rssBytes(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    total += Number(match?.[1] ?? 0) * 1024;
  }
  return total;
}

// ---------- load ----------

/** h2load unary load against `port` with this run's settings (bench/h2load.ts). */
function h2loadUnary(port: number, bodyFile: string, proxyPids: number[]): Promise<UnaryResult> {
  return runH2loadUnary({ port, bodyFile, proxyPids, seconds, warmupSeconds, tmpDir: tmp, children, clockTicks });
}

const identity = (b: Buffer): Buffer => b;
const EchoClient = grpc.makeGenericClientConstructor(
  {
    Unary: { path: '/bench.Echo/Unary', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
    Bidi: { path: '/bench.Echo/Bidi', requestStream: true, responseStream: true, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
  },
  'Echo',
);
type EchoClientType = grpc.Client & {
  Unary(req: Buffer, cb: (e: grpc.ServiceError | null, r?: Buffer) => void): grpc.ClientUnaryCall;
  Bidi(): grpc.ClientDuplexStream<Buffer, Buffer>;
};
const newClient = (port: number): EchoClientType =>
  new EchoClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 }) as unknown as EchoClientType;

/** grpc-js unary pass that checks every grpc-status (h2load does not). */
async function checkedUnary(port: number, payloadBytes: number, durationMs: number): Promise<{ ok: number; bad: number }> {
  const client = newClient(port);
  const payload = Buffer.alloc(payloadBytes, 0x61);
  let ok = 0;
  let bad = 0;
  const stopAt = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (Date.now() < stopAt) {
        await new Promise<void>((resolve) =>
          client.Unary(payload, (error, response) => {
            if (error === null && response?.length === payloadBytes) ok++;
            else bad++;
            resolve();
          }),
        );
      }
    }),
  );
  client.close();
  return { ok, bad };
}

/** 64 bidi streams in ping-pong with 1 KiB messages; round trips per second and latency. */
async function streams64(port: number, proxyPids: number[]): Promise<UnaryResult> {
  const client = newClient(port);
  const message = Buffer.alloc(1024, 0x62);
  const latencies: number[] = [];
  let failed = 0;
  const warmEnd = Date.now() + warmupSeconds * 1000;
  const stopAt = warmEnd + seconds * 1000;
  let cpuStart = 0;
  const sampler = setTimeout(() => (cpuStart = proxyPids.length > 0 ? cpuTicks(proxyPids) : 0), warmupSeconds * 1000);
  let measured = 0;
  await Promise.all(
    Array.from(
      { length: 64 },
      () =>
        new Promise<void>((resolve) => {
          const call = client.Bidi();
          let sentAt = process.hrtime.bigint();
          call.on('data', () => {
            const now = process.hrtime.bigint();
            if (Date.now() >= warmEnd) {
              latencies.push(Number(now - sentAt) / 1e6);
              measured++;
            }
            if (Date.now() >= stopAt) {
              call.end();
              return;
            }
            sentAt = process.hrtime.bigint();
            call.write(message);
          });
          call.on('error', () => failed++);
          call.on('status', () => resolve());
          call.write(message);
        }),
    ),
  );
  clearTimeout(sampler);
  const cpuEnd = proxyPids.length > 0 ? cpuTicks(proxyPids) : 0;
  client.close();
  latencies.sort((a, b) => a - b);
  return {
    rps: measured / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    failed,
    cpuUsPerCall: proxyPids.length > 0 && measured > 0 ? (((cpuEnd - cpuStart) / clockTicks) * 1e6) / measured : undefined,
  };
}

/** One bidi stream carrying `totalBytes` each way in 64 KiB messages; MiB/s and proxy RSS growth. */
async function bigStream(port: number, totalBytes: number, proxyPids: number[]): Promise<{ mibPerS: number; rssGrowthMiB: number | undefined; ok: boolean }> {
  const client = newClient(port);
  const message = Buffer.alloc(64 << 10, 0x63);
  const rssBefore = proxyPids.length > 0 ? rssBytes(proxyPids) : 0;
  let rssMax = rssBefore;
  const rssSampler = setInterval(() => {
    if (proxyPids.length > 0) rssMax = Math.max(rssMax, rssBytes(proxyPids));
  }, 50);
  const started = process.hrtime.bigint();
  const ok = await new Promise<boolean>((resolve) => {
    const call = client.Bidi();
    let sent = 0;
    let received = 0;
    const pump = (): void => {
      while (sent < totalBytes) {
        sent += message.length;
        if (!call.write(message)) {
          call.once('drain', pump);
          return;
        }
      }
      call.end();
    };
    call.on('data', (chunk: Buffer) => (received += chunk.length));
    call.on('error', () => resolve(false));
    call.on('status', (status: grpc.StatusObject) => resolve(status.code === grpc.status.OK && received >= totalBytes));
    pump();
  });
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(rssSampler);
  client.close();
  return { mibPerS: totalBytes / (1 << 20) / elapsedS, rssGrowthMiB: proxyPids.length > 0 ? (rssMax - rssBefore) / (1 << 20) : undefined, ok };
}

// ---------- main ----------

const median = (values: number[]): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : (sorted[Math.floor((sorted.length - 1) / 2)] as number);
};
const fmt = (n: number | undefined, digits = 0): string => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits));

async function main(): Promise<void> {
  execFileSync('bash', [path.join(repoDir, 'scripts', 'ensure-system-packages.sh'), 'nginx-light', 'nghttp2-client'], { stdio: 'inherit' });
  const backend = await startNodeChild('backend.ts', []);
  const daemon = await startNodeChild('daemon.ts', [String(backend.port), 'builtin', builtinConnections], DAEMON_NODE_FLAGS);
  const onNghttp2 = await startNodeChild('daemon.ts', [String(backend.port), 'nghttp2'], DAEMON_NODE_FLAGS);
  const nginx = await startNginx(backend.port);
  const ports: Record<Target, number> = { direct: backend.port, [DAEMON]: daemon.port, [NGHTTP2]: onNghttp2.port, nginx: nginx.port };
  const pids: Record<Target, number | undefined> = { direct: undefined, [DAEMON]: daemon.child.pid, [NGHTTP2]: onNghttp2.child.pid, nginx: nginx.child.pid };
  console.error(`backend :${backend.port}  snetd-ts builtin :${daemon.port} (pid ${daemon.child.pid}, ${builtinConnections} connection(s))  nghttp2 :${onNghttp2.port} (pid ${onNghttp2.child.pid})  nginx :${nginx.port}`);

  const bodies = new Map<number, string>();
  for (const size of [100, 100_000]) {
    const file = path.join(tmp, `body-${size}.bin`);
    const frame = Buffer.alloc(5 + size, 0x61);
    frame[0] = 0;
    frame.writeUInt32BE(size, 1);
    writeFileSync(file, frame);
    bodies.set(size, file);
  }

  const checks = byTarget(() => ({ ok: 0, bad: 0 }));
  if (wants('unary')) for (const target of targets) checks[target] = await checkedUnary(ports[target], 100, 2000);
  console.error('grpc-status check', checks);

  const unary: Record<string, Record<Target, UnaryResult[]>> = {};
  for (const size of wants('unary') ? [100, 100_000] : []) {
    const label = size === 100 ? 'unary 100 B' : 'unary 100 KB';
    unary[label] = byTarget<UnaryResult[]>(() => []);
    for (let run = 0; run < runs; run++) {
      for (const target of targets) {
        const result = await h2loadUnary(ports[target], bodies.get(size) as string, pidsOf(target, pids));
        unary[label][target].push(result);
        console.error(label, target, `run ${run + 1}`, JSON.stringify(result));
      }
    }
  }
  const streams = byTarget<UnaryResult[]>(() => []);
  for (let run = 0; run < (wants('streams') ? runs : 0); run++) {
    for (const target of targets) {
      const result = await streams64(ports[target], pidsOf(target, pids));
      streams[target].push(result);
      console.error('64 streams', target, `run ${run + 1}`, JSON.stringify(result));
    }
  }
  const daemonRssMiB = rssBytes(pidsOf(DAEMON, pids)) / (1 << 20);
  const nghttp2RssMiB = rssBytes(pidsOf(NGHTTP2, pids)) / (1 << 20);
  // The big stream gets a fresh daemon, so its RSS growth is not hidden by heap the unary load grew.
  daemon.child.kill('SIGTERM');
  onNghttp2.child.kill('SIGTERM');
  const freshDaemon = await startNodeChild('daemon.ts', [String(backend.port), 'builtin', builtinConnections], DAEMON_NODE_FLAGS);
  ports[DAEMON] = freshDaemon.port;
  pids[DAEMON] = freshDaemon.child.pid;
  const freshNghttp2 = await startNodeChild('daemon.ts', [String(backend.port), 'nghttp2'], DAEMON_NODE_FLAGS);
  ports[NGHTTP2] = freshNghttp2.port;
  pids[NGHTTP2] = freshNghttp2.child.pid;
  const freshRssMiB = rssBytes(pidsOf(DAEMON, pids)) / (1 << 20);
  const big: Record<Target, Awaited<ReturnType<typeof bigStream>>> = {} as never;
  const totalBytes = Math.round(gib * (1 << 30));
  for (const target of wants('big') ? targets : []) {
    big[target] = await bigStream(ports[target], totalBytes, pidsOf(target, pids));
    console.error('big stream', target, JSON.stringify(big[target]));
  }

  if (only !== undefined) {
    const summary = (results: UnaryResult[]): string =>
      `req/s ${fmt(median(results.map((r) => r.rps)))}, p50 ${fmt(median(results.map((r) => r.p50Ms)), 1)} ms, CPU µs/call ${fmt(median(results.map((r) => r.cpuUsPerCall ?? Number.NaN)))} (runs: ${results.map((r) => fmt(r.cpuUsPerCall)).join(' ')}), failed ${results.reduce((n, r) => n + r.failed, 0)}`;
    for (const [label, byTarget] of Object.entries(unary)) for (const target of targets) console.log(`${label} ${target}: ${summary(byTarget[target])}`);
    if (wants('streams')) for (const target of targets) console.log(`64 streams ${target}: ${summary(streams[target])}`);
    for (const target of Object.keys(big) as Target[]) console.log(`big stream ${target}: ${fmt(big[target].mibPerS)} MiB/s, RSS growth ${fmt(big[target].rssGrowthMiB, 1)} MiB, ok ${big[target].ok}`);
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
  const lines: string[] = [];
  lines.push('# Transport benchmark (snetd-ts vs nginx grpc_pass vs direct)', '');
  lines.push(`Generated by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString()}, commit \`${commit}\`.`);
  lines.push(
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}; load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`,
  );
  lines.push(
    `Backend: grpc-js echo with identity serializers (bench/backend.ts). nginx: Debian nginx-light, 1 worker, upstream keepalive 256. snetd-ts: bench/daemon.ts (real transport + upstream + router, no payment) with the bin's --max-semi-space-size=2. Load generator, proxy and backend share the machine's cores.`,
  );
  lines.push(`Medians of ${runs} interleaved runs, ${seconds} s each after ${warmupSeconds} s warm-up. CPU µs per call = proxy process utime+stime over the measured window ÷ calls.`, '');
  lines.push('## Unary (h2load, 64 streams in flight: -c 4 -m 16)', '');
  lines.push('| message | path | req/s | p50 ms | p99 ms | proxy CPU µs/call | failed |', '|---|---|---|---|---|---|---|');
  for (const [label, byTarget] of Object.entries(unary)) {
    for (const target of targets) {
      const results = byTarget[target];
      lines.push(
        `| ${label.replace('unary ', '')} | ${target} | ${fmt(median(results.map((r) => r.rps)))} | ${fmt(median(results.map((r) => r.p50Ms)), 1)} | ${fmt(median(results.map((r) => r.p99Ms)), 1)} | ${fmt(median(results.map((r) => r.cpuUsPerCall ?? Number.NaN)))} | ${results.reduce((s, r) => s + r.failed, 0)} |`,
      );
    }
  }
  lines.push('', `grpc-status check (grpc-js client, 64 in flight, 2 s, 100 B): ${targets.map((t) => `${t} ${checks[t].ok} OK / ${checks[t].bad} not OK`).join('; ')}.`, '');
  lines.push('## 64 concurrent bidi streams (grpc-js client, 1 KiB ping-pong)', '');
  lines.push('| path | round trips/s | p50 ms | p99 ms | proxy CPU µs/round trip | errors |', '|---|---|---|---|---|---|');
  for (const target of targets) {
    const results = streams[target];
    lines.push(
      `| ${target} | ${fmt(median(results.map((r) => r.rps)))} | ${fmt(median(results.map((r) => r.p50Ms)), 1)} | ${fmt(median(results.map((r) => r.p99Ms)), 1)} | ${fmt(median(results.map((r) => r.cpuUsPerCall ?? Number.NaN)))} | ${results.reduce((s, r) => s + r.failed, 0)} |`,
    );
  }
  lines.push('', `## One bidi stream, ${gib} GiB each way (64 KiB messages, grpc-js client)`, '');
  lines.push('| path | MiB/s | proxy RSS growth MiB | status OK |', '|---|---|---|---|');
  for (const target of targets) lines.push(`| ${target} | ${fmt(big[target].mibPerS)} | ${fmt(big[target].rssGrowthMiB, 1)} | ${big[target].ok ? 'yes' : 'NO'} |`);
  lines.push(
    '',
    `snetd-ts RSS after the unary and stream runs: ${daemonRssMiB.toFixed(1)} MiB (on nghttp2: ${nghttp2RssMiB.toFixed(1)} MiB; V8 grows its heap under load; live heap after a full GC stays ~10 MiB). The big stream ran on a fresh daemon process (RSS ${freshRssMiB.toFixed(1)} MiB at start); growth = peak RSS sampled every 50 ms during the stream − RSS at start.`,
    '',
  );
  const ratio = (label: string, a: Target, b: Target): number => median(unary[label]![a].map((r) => r.rps)) / median(unary[label]![b].map((r) => r.rps));
  const cpuRatio = (label: string, target: Target = DAEMON): number => median(unary[label]![target].map((r) => r.cpuUsPerCall ?? Number.NaN)) / median(unary[label]!.nginx.map((r) => r.cpuUsPerCall ?? Number.NaN));
  lines.push('## Targets (ratios from this run)', '');
  lines.push('| target | value | met |', '|---|---|---|');
  const r100 = ratio('unary 100 B', DAEMON, 'nginx');
  const r100k = ratio('unary 100 KB', DAEMON, 'nginx');
  lines.push(`| throughput snetd-ts / nginx at 100 B ≥ 1.2 | ${r100.toFixed(2)} | ${r100 >= 1.2 ? 'yes' : 'no'} |`);
  lines.push(`| throughput snetd-ts / nginx at 100 KB ≥ 1.0 | ${r100k.toFixed(2)} | ${r100k >= 1.0 ? 'yes' : 'no'} |`);
  for (const label of ['unary 100 B', 'unary 100 KB']) {
    const value = cpuRatio(label);
    lines.push(`| proxy CPU per call snetd-ts / nginx ≤ 1.0 (${label.replace('unary ', '')}) | ${value.toFixed(2)} | ${value <= 1 ? 'yes' : 'no'} |`);
  }
  const growth = big[DAEMON].rssGrowthMiB ?? Number.NaN;
  lines.push(`| ${gib} GiB stream: daemon RSS growth < 50 MB | ${growth.toFixed(1)} MiB | ${growth < 50 ? 'yes' : 'no'} |`);
  // For comparison, the same ratios with the service hop on node:http2 (upstream_http2_engine: nghttp2).
  const n100 = ratio('unary 100 B', NGHTTP2, 'nginx');
  const n100k = ratio('unary 100 KB', NGHTTP2, 'nginx');
  lines.push(`| (nghttp2 engine) throughput / nginx at 100 B ≥ 1.2 | ${n100.toFixed(2)} | ${n100 >= 1.2 ? 'yes' : 'no'} |`);
  lines.push(`| (nghttp2 engine) throughput / nginx at 100 KB ≥ 1.0 | ${n100k.toFixed(2)} | ${n100k >= 1.0 ? 'yes' : 'no'} |`);
  for (const label of ['unary 100 B', 'unary 100 KB']) {
    const value = cpuRatio(label, NGHTTP2);
    lines.push(`| (nghttp2 engine) proxy CPU per call / nginx ≤ 1.0 (${label.replace('unary ', '')}) | ${value.toFixed(2)} | ${value <= 1 ? 'yes' : 'no'} |`);
  }
  const nghttp2Growth = big[NGHTTP2].rssGrowthMiB ?? Number.NaN;
  lines.push(`| (nghttp2 engine) ${gib} GiB stream RSS growth < 50 MB | ${nghttp2Growth.toFixed(1)} MiB | ${nghttp2Growth < 50 ? 'yes' : 'no'} |`);
  lines.push('');
  writeFileSync(path.join(benchDir, 'RESULTS.md'), `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
}

await runBench(main, { children, tmpDir: tmp });
// Paid calls (escrow on LMDB and on etcd vs free pass-through): own script, writes bench/RESULTS-payments.md.
if (args.get('payments') !== 'no' && only === undefined) execFileSync(process.execPath, [path.join(benchDir, 'payments.bench.ts'), '--runs', String(runs)], { stdio: 'inherit' });
