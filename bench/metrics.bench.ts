/**
 * Daemon CPU per call with the Prometheus call metrics on vs off (issue #14: aim < 3 % more). Two bench/daemon.ts
 * children on the same backend, one with `metrics`; h2load unary 100 B, `-c 4 -m 16`, rounds interleaved
 * (off, on, off, on …) so machine load hits both alike; CPU from /proc/<pid>/stat over each measured window.
 * Prints per-round µs/call, the medians and the median of the per-round ratios on/off. First, in-process, the
 * CPU of the two metrics interceptors alone around a handler that resolves at once (steady on a busy machine,
 * where the h2load rounds swing by ±30 %).
 * Also in-process: the bytes the interceptors allocate per call (a child with a 64 MiB young generation, so no
 * garbage collection runs inside the measured window; fresh call contexts, as the transport makes them).
 * Usage: node bench/metrics.bench.ts [--rounds 6] [--seconds 4] [--size 100] [--mode metrics|metrics-no-process]
 *        [--calls 300000] [--in-process-only true]
 * Quick check that it runs: node bench/metrics.bench.ts --rounds 1 --seconds 2 --calls 20000
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import v8 from 'node:v8';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createCallMetrics, createDaemonMetrics, serviceTimer } from '../src/ops/index.ts';
import { applyInterceptors, createContextValues, type CallContext, type CallHandler } from '../src/pipeline/index.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(String(process.argv[i]).replace(/^--/, ''), String(process.argv[i + 1]));
const rounds = Number(args.get('rounds') ?? 6);
const seconds = Number(args.get('seconds') ?? 4);
const size = Number(args.get('size') ?? 100);
/** `metrics` (default) or `metrics-no-process` (call metrics only), see bench/daemon.ts. */
const mode = args.get('mode') ?? 'metrics';
/** Calls per in-process CPU sample. */
const calls = Number(args.get('calls') ?? 300_000);
const inProcessOnly = args.get('in-process-only') === 'true';
const benchDir = import.meta.dirname;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'snetd-metrics-bench-'));
const children: ChildProcess[] = [];
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

async function startNodeChild(script: string, argv: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--max-semi-space-size=2', path.join(benchDir, script), ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  for await (const line of createInterface({ input: child.stdout })) return { child, port: (JSON.parse(line) as { port: number }).port };
  throw new Error(`${script} exited before printing its port`);
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** One h2load window against `port`: CPU µs per successful call of `pid`. */
async function measure(port: number, pid: number, bodyFile: string): Promise<number> {
  const child = spawn('h2load', ['-D', String(seconds), '--warm-up-time', '1', '-c', '4', '-m', '16', '-d', bodyFile, '-H', 'content-type: application/grpc', '-H', 'te: trailers', `http://127.0.0.1:${port}/bench.Echo/Unary`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  let start = 0;
  const sampler = setTimeout(() => (start = cpuTicks(pid)), 1000);
  await once(child, 'exit');
  clearTimeout(sampler);
  const end = cpuTicks(pid);
  const succeeded = Number(/requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded/.exec(output)?.[1] ?? 0);
  return (((end - start) / clockTicks) * 1e6) / succeeded;
}

/** `n` fresh call contexts (as the transport builds one per call). */
function contexts(n: number): CallContext[] {
  const signal = new AbortController().signal;
  return Array.from({ length: n }, () => ({ method: '/bench.Echo/Unary', values: createContextValues(), requestMetadata: {}, signal }) as unknown as CallContext);
}

/** CPU ns per call of `handler` over `n` sequential calls with a fresh context each. */
async function cpuNsPerCall(handler: CallHandler, n: number): Promise<number> {
  const list = contexts(n);
  const started = process.cpuUsage();
  for (const ctx of list) await handler(ctx);
  const used = process.cpuUsage(started);
  return ((used.user + used.system) * 1000) / n;
}

/** Bytes allocated per call of `handler` (needs --expose-gc and a young generation that holds the window). */
async function bytesPerCall(handler: CallHandler, n: number): Promise<{ bytes: number; clean: boolean }> {
  const list = contexts(n);
  (globalThis as { gc?: () => void }).gc?.();
  let gcs = 0;
  const observer = new PerformanceObserver((entries) => (gcs += entries.getEntries().length));
  observer.observe({ entryTypes: ['gc'] });
  const before = v8.getHeapStatistics().used_heap_size;
  for (const ctx of list) await handler(ctx);
  const after = v8.getHeapStatistics().used_heap_size;
  await new Promise((resolve) => setImmediate(resolve)); // let the observer see a GC of the window
  observer.disconnect();
  return { bytes: (after - before) / n, clean: gcs === 0 };
}

/** The bare handler and the same handler inside the two metrics interceptors (no payments, nobody listening). */
function handlers(): { bare: CallHandler; counted: CallHandler } {
  const metrics = createDaemonMetrics({ version: 'bench', knownMethods: ['/bench.Echo/Unary'], processMetrics: false });
  const callMetrics = createCallMetrics(metrics, { paymentsEnabled: false, isDaemonMethod: () => false, statusOf: () => 2 });
  const outcome = { code: 0, message: '' };
  const bare: CallHandler = () => Promise.resolve(outcome);
  return { bare, counted: applyInterceptors(applyInterceptors(bare, [serviceTimer]), [callMetrics.outer]) };
}

async function interceptorsAlone(): Promise<void> {
  const { bare, counted } = handlers();
  const deltas: number[] = [];
  for (let round = 0; round < 5; round++) deltas.push((await cpuNsPerCall(counted, calls)) - (await cpuNsPerCall(bare, calls)));
  console.log(`in-process: the metrics interceptors add ${median(deltas).toFixed(0)} ns CPU per call (median of 5 × ${calls} calls)`);
  process.stdout.write(execFileSync(process.execPath, ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64', import.meta.filename, '--part', 'alloc']));
}

/** The `--part alloc` child: allocation per call, bare and counted, after a warm-up that lets the JIT settle. */
async function allocationChild(): Promise<void> {
  const { bare, counted } = handlers();
  for (const handler of [bare, counted]) await cpuNsPerCall(handler, 50_000);
  const window = 4000;
  const off = await bytesPerCall(bare, window);
  const on = await bytesPerCall(counted, window);
  const valid = off.clean && on.clean ? '' : ' (a GC ran inside the window: not valid, rerun)';
  console.log(`in-process: the metrics interceptors allocate ${(on.bytes - off.bytes).toFixed(0)} B per call (${on.bytes.toFixed(0)} with, ${off.bytes.toFixed(0)} without, ${window} calls)${valid}`);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] as number;

if (args.get('part') === 'alloc') {
  rmSync(tmp, { recursive: true, force: true });
  await allocationChild();
  process.exit(0);
}
await interceptorsAlone();
if (inProcessOnly) {
  rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}
try {
  execFileSync('bash', [path.join(benchDir, '..', 'scripts', 'ensure-system-packages.sh'), 'nghttp2-client'], { stdio: 'inherit' });
  const bodyFile = path.join(tmp, 'body.bin');
  const frame = Buffer.alloc(5 + size, 0x61);
  frame[0] = 0;
  frame.writeUInt32BE(size, 1);
  writeFileSync(bodyFile, frame);
  const backend = await startNodeChild('backend.ts', []);
  const off = await startNodeChild('daemon.ts', [String(backend.port), 'builtin', '4']);
  const on = await startNodeChild('daemon.ts', [String(backend.port), 'builtin', '4', mode]);
  const offUs: number[] = [];
  const onUs: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first so a load trend within a round does not favour one side.
    const first = round % 2 === 0;
    const a = first ? await measure(off.port, off.child.pid as number, bodyFile) : undefined;
    const b = await measure(on.port, on.child.pid as number, bodyFile);
    const c = a ?? (await measure(off.port, off.child.pid as number, bodyFile));
    offUs.push(c);
    onUs.push(b);
    ratios.push(b / c);
    console.log(`round ${round + 1}: off ${c.toFixed(1)} µs/call, on ${b.toFixed(1)} µs/call, ratio ${(b / c).toFixed(3)}  (load ${os.loadavg()[0]?.toFixed(1)})`);
  }
  console.log(`median: off ${median(offUs).toFixed(1)} µs/call, on ${median(onUs).toFixed(1)} µs/call; median paired ratio ${median(ratios).toFixed(3)}`);
} finally {
  for (const child of children) if (child.exitCode === null && child.pid !== undefined) child.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
