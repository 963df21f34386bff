/**
 * snetd-ts transport as the benchmark runs it: the same pieces src/app wires (gRPC upstream,
 * registry with health, router, one-port server), no payment.
 * Usage: node bench/daemon.ts <servicePort> [builtin|nghttp2] [connections]: the service-hop engine
 * (`upstream_http2_engine`, default builtin as in the daemon) and `upstream_connections` (builtin only, default 4 as in the daemon).
 * Prints `{"port":N}` once listening.
 */
import { createSilentLogger } from '../src/shared/index.ts';
import { createDaemonServer } from '../src/transport/index.ts';
import { createRouter, createServiceRegistry, createUpstreamHandler } from '../src/pipeline/index.ts';
import { createBuiltinGrpcUpstream, createGrpcUpstream } from '../src/upstream/index.ts';
import { createUpstreamHealthProbe, registerHealthService } from '../src/services/index.ts';

const servicePort = Number(process.argv[2]);
const logger = createSilentLogger();
const engine = process.argv[3] ?? 'builtin';
const endpoint = `127.0.0.1:${servicePort}`;
const upstream =
  engine === 'nghttp2' ? createGrpcUpstream({ logger }, { endpoint }) : createBuiltinGrpcUpstream({ logger }, { endpoint, connections: Number(process.argv[4] ?? 4) });
const registry = createServiceRegistry();
registerHealthService(registry, createUpstreamHealthProbe(upstream));
const handler = createRouter({ registry, fallback: createUpstreamHandler(upstream) });
const server = createDaemonServer({ logger, handler }, { host: '127.0.0.1', port: 0, maxMessageBytes: 16 << 20 });
const { port } = await server.listen();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => {
  void server.close(1000).then(() => upstream.close()).then(() => process.exit(0));
});
