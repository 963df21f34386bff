/**
 * How long the `snetd` command takes to answer, as an operator meets it: `--help`, `version`, `init`,
 * `config` (wall time from spawn to exit, and the child's CPU time), and `serve` until the daemon
 * logs that it is ready, with the blockchain off (a free service) and on (the dev network: chain
 * RPC, metadata from IPFS, LMDB channel storage). Every run is a fresh process on the pinned Node 24
 * through bin/snetd.js, as the user runs it; the first run of each command fills Node's compile
 * cache and is reported apart ("cold").
 *
 *   node bench/cli-start.bench.ts                # 7 runs per command, the dev network included
 *   node bench/cli-start.bench.ts --runs 3 --chain no
 *
 * Goals (issue 17): the four commands under 0.5 s, the daemon ready under 1.5 s with the blockchain on.
 * The machine is shared: read the medians, and the CPU time, which load on other cores does not inflate.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSilentLogger } from '../src/shared/index.ts';
import { freePort } from '../test/harness/ports.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(String(process.argv[i]).replace(/^--/, ''), String(process.argv[i + 1]));
const runs = Number(args.get('runs') ?? 7);
const withChain = args.get('chain') !== 'no';
const bin = path.join(import.meta.dirname, '..', 'bin', 'snetd.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'snetd-cli-bench-'));
const cacheDir = path.join(tmp, 'compile-cache');
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
// GNU time reports the CPU time of a command that exits (Node cannot read a finished child's).
execFileSync('bash', [path.join(import.meta.dirname, '..', 'scripts', 'ensure-system-packages.sh'), 'time'], { stdio: ['ignore', 'ignore', 'inherit'] });

/** utime + stime of a live process, in ms. */
function cpuOfLiveProcess(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/**
 * Runs snetd until it exits (under GNU time, for its CPU time), or until `readyPattern` shows in its
 * output (CPU time from /proc at that moment; then it is stopped by PID).
 */
async function timeSnetd(argv: readonly string[], cwd: string, readyPattern?: RegExp): Promise<Sample> {
  const started = process.hrtime.bigint();
  const command = readyPattern === undefined ? ['/usr/bin/time', ['-f', 'CPU-SECONDS %U %S', process.execPath, bin, ...argv]] as const : [process.execPath, [bin, ...argv]] as const;
  const child = spawn(command[0], command[1], { cwd, env: { ...process.env, NODE_COMPILE_CACHE: cacheDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let readyAt: bigint | undefined;
  let readyCpuMs = Number.NaN;
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    if (readyPattern !== undefined && readyAt === undefined && readyPattern.test(output)) {
      readyAt = process.hrtime.bigint();
      readyCpuMs = child.pid === undefined ? Number.NaN : cpuOfLiveProcess(child.pid);
      child.kill('SIGTERM');
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = once(child, 'exit');
  await exited;
  const ended = readyAt ?? process.hrtime.bigint();
  if (readyPattern !== undefined && readyAt === undefined) throw new Error(`snetd ${argv.join(' ')} never became ready:\n${output}`);
  if (readyPattern === undefined && child.exitCode !== 0) throw new Error(`snetd ${argv.join(' ')} failed (${child.exitCode}):\n${output}`);
  const timed = /CPU-SECONDS ([\d.]+) ([\d.]+)/.exec(output);
  const cpuMs = readyPattern === undefined ? (Number(timed?.[1]) + Number(timed?.[2])) * 1000 : readyCpuMs;
  return { wallMs: Number(ended - started) / 1e6, cpuMs };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function measure(name: string, goalMs: number, run: () => Promise<Sample>): Promise<string> {
  const cold = await run();
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await run());
  const wall = samples.map((s) => s.wallMs);
  const cpu = median(samples.map((s) => s.cpuMs));
  const line = `${name.padEnd(38)} wall median ${median(wall).toFixed(0).padStart(5)} ms, min ${Math.min(...wall).toFixed(0).padStart(5)} ms; CPU median ${cpu.toFixed(0).padStart(5)} ms; cold ${cold.wallMs.toFixed(0).padStart(5)} ms; goal ${goalMs} ms${median(wall) <= goalMs ? '' : ' (over)'}`;
  process.stdout.write(`${line}\n`);
  return line;
}

const freeConfig = path.join(tmp, 'free.json');
writeFileSync(freeConfig, JSON.stringify({ blockchain_enabled: false, service_endpoint: 'http://127.0.0.1:5000', daemon_endpoint: '127.0.0.1:0', log: { output: { type: ['stdout'] } } }));
const ready = /successfully started/;

try {
  process.stdout.write(`snetd start times, ${runs} runs each after one cold run; Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]?.toFixed(2)}\n`);
  await measure('snetd --help', 500, () => timeSnetd(['--help'], tmp));
  await measure('snetd version', 500, () => timeSnetd(['version'], tmp));
  await measure('snetd init', 500, async () => {
    rmSync(path.join(tmp, 'snetd.config.json'), { force: true });
    return timeSnetd(['init'], tmp);
  });
  await measure('snetd config (free service)', 500, () => timeSnetd(['-c', freeConfig, 'config'], tmp));
  await measure('snetd serve → ready (blockchain off)', 1500, () => timeSnetd(['-c', freeConfig, 'serve'], tmp, ready));
  if (withChain) {
    const { startDevNetwork } = await import('../src/devnet/index.ts');
    const network = await startDevNetwork({ logger: createSilentLogger() });
    try {
      const chainConfig = path.join(tmp, 'chain.json');
      writeFileSync(
        chainConfig,
        JSON.stringify({
          ...network.daemonConfig,
          daemon_endpoint: `127.0.0.1:${await freePort()}`,
          payment_channel_storage_type: 'embedded',
          embedded_storage_dir: path.join(tmp, 'store'),
          log: { output: { type: ['stdout'] } },
        }),
      );
      await measure('snetd serve → ready (blockchain on)', 1500, () => timeSnetd(['-c', chainConfig, 'serve'], tmp, ready));
    } finally {
      await network.stop();
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
