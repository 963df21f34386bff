/**
 * The snetd-ts transport in front of a translating upstream, wired as src/app does (registry with health, router,
 * one-port server), no payment, protos compiled once from bench/bench.proto.
 * Usage: node bench/translate-daemon.ts jsonrpc|http|process <endpoint URL | executable path>
 * Prints `{"port":N}` once listening.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { createSilentLogger } from '../src/shared/index.ts';
import { createDaemonServer } from '../src/transport/index.ts';
import { createRouter, createServiceRegistry, createUpstreamHandler } from '../src/pipeline/index.ts';
import { compileProtos, createJsonRpcUpstream, createProcessUpstream, createRestUpstream, type Upstream } from '../src/upstream/index.ts';
import { createUpstreamHealthProbe, registerHealthService } from '../src/services/index.ts';

const [type, target = ''] = process.argv.slice(2);
const logger = createSilentLogger();
const compiled = compileProtos([{ name: 'bench.proto', content: readFileSync(path.join(import.meta.dirname, 'bench.proto'), 'utf8') }]);
const protos = (): typeof compiled => compiled;
const maxMessageBytes = 4 << 20;
const common = { endpoint: target, encoding: 'proto' as const, protos, maxMessageBytes, userAgent: 'snetd-bench' };
const upstream: Upstream =
  type === 'jsonrpc'
    ? createJsonRpcUpstream(common)
    : type === 'http'
      ? createRestUpstream({ ...common, credentials: [] })
      : createProcessUpstream({ logger }, { executablePath: target, maxRunning: 4 * availableParallelism(), maxQueued: 256, maxMessageBytes, protos });
const registry = createServiceRegistry();
registerHealthService(registry, createUpstreamHealthProbe(upstream));
const handler = createRouter({ registry, fallback: createUpstreamHandler(upstream) });
const server = createDaemonServer({ logger, handler }, { host: '127.0.0.1', port: 0, maxMessageBytes });
const { port } = await server.listen();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => {
  void server.close(1000).then(() => upstream.close()).then(() => process.exit(0));
});
