/**
 * Unary load with h2load (Debian nghttp2-client) and the proxy CPU it cost, shared by the transport bench
 * (run.ts) and the translation bench (translate.bench.ts): 64 streams in flight (-c 4 -m 16), a pre-built
 * request frame, CPU from /proc/<pid>/stat over the measured window (after the warm-up).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

export interface UnaryResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  cpuUsPerCall: number | undefined;
}

/** utime + stime of `pids` in clock ticks; with `reapedChildren`, also the CPU of their children that exited (cutime + cstime). */
export function cpuTicks(pids: number[], reapedChildren = false): number {
  let total = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    total += Number(fields[11]) + Number(fields[12]);
    if (reapedChildren) total += Number(fields[13]) + Number(fields[14]);
  }
  return total;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export interface H2loadOptions {
  readonly port: number;
  /** File holding the framed request (5-byte prefix + message). */
  readonly bodyFile: string;
  /** Processes whose CPU is the proxy's. */
  readonly proxyPids: number[];
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly tmpDir: string;
  /** h2load is added here so the caller stops it on exit. */
  readonly children: ChildProcess[];
  readonly clockTicks: number;
  /** @default '/bench.Echo/Unary' */
  readonly path?: string;
  /** Count the CPU of the proxy's exited children too (per-call processes). */
  readonly reapedChildren?: boolean;
}

export async function h2loadUnary(options: H2loadOptions): Promise<UnaryResult> {
  const { proxyPids, warmupSeconds } = options;
  const logFile = path.join(options.tmpDir, 'h2load.log');
  rmSync(logFile, { force: true });
  const child = spawn(
    'h2load',
    [
      '-D', String(options.seconds), '--warm-up-time', String(warmupSeconds), '-c', '4', '-m', '16', '-d', options.bodyFile,
      '-H', 'content-type: application/grpc', '-H', 'te: trailers', `--log-file=${logFile}`, `http://127.0.0.1:${options.port}${options.path ?? '/bench.Echo/Unary'}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  options.children.push(child);
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  const ticks = (): number => (proxyPids.length > 0 ? cpuTicks(proxyPids, options.reapedChildren === true) : 0);
  // CPU is sampled over the measured window only (after the warm-up).
  let cpuStart = 0;
  const sampler = setTimeout(() => (cpuStart = ticks()), warmupSeconds * 1000);
  await once(child, 'exit');
  clearTimeout(sampler);
  const cpuEnd = ticks();
  const rps = Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(output)?.[1] ?? Number.NaN);
  const requests = /requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(output);
  const succeeded = Number(requests?.[2] ?? 0);
  const failed = Number(requests?.[3] ?? 0) + Number(requests?.[4] ?? 0);
  const durations = readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => Number(line.split('\t')[2]) / 1000)
    .filter((n) => Number.isFinite(n))
    .sort((a, b) => a - b);
  const cpuUs = ((cpuEnd - cpuStart) / options.clockTicks) * 1e6;
  return { rps, p50Ms: percentile(durations, 50), p99Ms: percentile(durations, 99), failed, cpuUsPerCall: proxyPids.length > 0 && succeeded > 0 ? cpuUs / succeeded : undefined };
}

/** Runs a bench's `main`, then stops every child it started (by PID) and removes its temp folder, whatever happened. */
export async function runBench(main: () => Promise<void>, state: { readonly children: readonly ChildProcess[]; readonly tmpDir: string }): Promise<void> {
  try {
    await main();
  } finally {
    for (const child of state.children) if (child.exitCode === null && child.pid !== undefined) child.kill('SIGTERM');
    rmSync(state.tmpDir, { recursive: true, force: true });
  }
}
