/**
 * Translation bench: unary 100 B calls (`/bench.Echo/Unary`, a protobuf `Blob` with 98 characters) through the
 * daemon to a gRPC service (passthrough, the reference point), a JSON-RPC server, a REST server and a per-call
 * process (`sh -c 'exec cat'`), interleaved, with h2load (64 streams in flight). Reports req/s, latency and the
 * daemon's CPU per call (for the process type also with its reaped children: fork/exec + the process).
 * Writes bench/RESULTS-translate.md.
 *
 *   node bench/translate.bench.ts                    # 1 round × 4 s per target
 *   node bench/translate.bench.ts --runs 3 --seconds 6
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { h2loadUnary, runBench, type UnaryResult } from './h2load.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(String(process.argv[i]).replace(/^--/, ''), String(process.argv[i + 1]));
const runs = Number(args.get('runs') ?? 1);
const seconds = Number(args.get('seconds') ?? 4);
const warmupSeconds = 1;
const benchDir = import.meta.dirname;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'snetd-bench-translate-'));
const children: ChildProcess[] = [];
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

async function startNodeChild(script: string, argv: string[]): Promise<{ child: ChildProcess; info: Record<string, number> }> {
  const child = spawn(process.execPath, ['--max-semi-space-size=2', path.join(benchDir, script), ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  for await (const line of createInterface({ input: child.stdout })) return { child, info: JSON.parse(line) as Record<string, number> };
  throw new Error(`${script} exited before printing its port`);
}

/** One call over node:http2: the grpc-status and the response body. */
function grpcStatusOf(port: number, frame: Buffer): Promise<{ status: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const stream = session.request({ ':method': 'POST', ':path': '/bench.Echo/Unary', 'content-type': 'application/grpc', te: 'trailers' });
    const chunks: Buffer[] = [];
    let status: string | undefined;
    stream.on('response', (headers: http2.IncomingHttpHeaders) => (status ??= headers['grpc-status'] as string | undefined));
    stream.on('trailers', (trailers: http2.IncomingHttpHeaders) => (status = trailers['grpc-status'] as string | undefined));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('close', () => {
      session.close();
      resolve({ status, body: Buffer.concat(chunks) });
    });
    stream.end(frame);
  });
}

const fmt = (n: number | undefined, digits = 0): string => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits));
const median = (values: number[]): number => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : (sorted[Math.floor(sorted.length / 2)] as number);
};

async function main(): Promise<void> {
  execFileSync('bash', [path.join(benchDir, '..', 'scripts', 'ensure-system-packages.sh'), 'nghttp2-client'], { stdio: 'inherit' });
  const executable = path.join(tmp, 'echo.sh');
  writeFileSync(executable, '#!/bin/sh\nexec cat\n');
  chmodSync(executable, 0o755);
  const grpcBackend = await startNodeChild('backend.ts', []);
  const httpBackends = await startNodeChild('translate-backend.ts', []);
  const daemons: Record<string, { child: ChildProcess; info: Record<string, number> }> = {
    'grpc (passthrough)': await startNodeChild('daemon.ts', [String(grpcBackend.info['port'])]),
    jsonrpc: await startNodeChild('translate-daemon.ts', ['jsonrpc', `http://127.0.0.1:${httpBackends.info['jsonrpc']}/rpc`]),
    'http (REST)': await startNodeChild('translate-daemon.ts', ['http', `http://127.0.0.1:${httpBackends.info['rest']}/api`]),
    process: await startNodeChild('translate-daemon.ts', ['process', executable]),
  };
  const message = Buffer.concat([Buffer.from([0x0a, 98]), Buffer.alloc(98, 0x61)]);
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  const bodyFile = path.join(tmp, 'body-100.bin');
  writeFileSync(bodyFile, frame);

  // h2load counts HTTP 200 as success: every target must answer grpc-status 0 with the echoed message first.
  for (const [name, daemon] of Object.entries(daemons)) {
    const answer = await grpcStatusOf(daemon.info['port'] as number, frame);
    if (answer.status !== '0' || !answer.body.subarray(5).equals(message)) throw new Error(`${name} does not echo: grpc-status ${answer.status}`);
  }

  const results: Record<string, UnaryResult[]> = {};
  const withChildren: Record<string, number[]> = {};
  for (let run = 0; run < runs; run++) {
    for (const [name, daemon] of Object.entries(daemons)) {
      const base = { port: daemon.info['port'] as number, bodyFile, proxyPids: [daemon.child.pid as number], seconds, warmupSeconds, tmpDir: tmp, children, clockTicks };
      const result = await h2loadUnary(base);
      (results[name] ??= []).push(result);
      console.error(name, `run ${run + 1}`, JSON.stringify(result));
      if (name === 'process') {
        const total = await h2loadUnary({ ...base, reapedChildren: true });
        (withChildren[name] ??= []).push(total.cpuUsPerCall ?? Number.NaN);
        console.error(name, '(with children)', `run ${run + 1}`, JSON.stringify(total));
      }
    }
  }

  const lines = [
    '# Translation bench (unary 100 B)',
    '',
    `Written by \`node bench/translate.bench.ts\` (${runs} round(s) × ${seconds} s per target after ${warmupSeconds} s warm-up, h2load \`-c 4 -m 16\`,`,
    `interleaved), ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')} at the end,`,
    `commit ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: benchDir }).toString().trim()}. Medians over the rounds. The daemon runs each type with no payment; the`,
    'JSON-RPC and REST services echo (node:http, kept-alive connections); the process is `sh` → `exec cat`, forked per call',
    '(cap 4 per core). "Daemon CPU" is the daemon process alone; for the process type the second figure adds the CPU of the',
    'processes it ran (reaped children: fork, exec, `cat`), measured in a second window of the same length.',
    '',
    '| service type | req/s | p50 ms | p99 ms | daemon CPU µs/call | failed |',
    '|---|---|---|---|---|---|',
  ];
  for (const [name, rows] of Object.entries(results)) {
    const cpu = fmt(median(rows.map((r) => r.cpuUsPerCall ?? Number.NaN)));
    const extra = withChildren[name] === undefined ? '' : ` (${fmt(median(withChildren[name]))} with its processes)`;
    lines.push(
      `| ${name} | ${fmt(median(rows.map((r) => r.rps)))} | ${fmt(median(rows.map((r) => r.p50Ms)), 2)} | ${fmt(median(rows.map((r) => r.p99Ms)), 2)} | ${cpu}${extra} | ${rows.reduce((n, r) => n + r.failed, 0)} |`,
    );
  }
  lines.push('');
  writeFileSync(path.join(benchDir, 'RESULTS-translate.md'), `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
}

await runBench(main, { children, tmpDir: tmp });
