/**
 * snetd-ts transport as the benchmark runs it: the same pieces src/app wires (gRPC upstream,
 * registry with health, router, one-port server), no payment.
 * Usage: node bench/daemon.ts <servicePort> [builtin|nghttp2] [connections] [metrics]: the service-hop engine
 * (`upstream_http2_engine`, default builtin as in the daemon) and `upstream_connections` (builtin only, default 4 as in the daemon);
 * `metrics` (or `metrics-no-process`, without node's process metrics) wires the Prometheus call metrics as src/app/monitoring.ts does (counting interceptor around the
 * router, service timer next to the upstream, scrapes reading the transport's stats) for metrics.bench.ts.
 * Prints `{"port":N}` once listening.
 */
import { createSilentLogger } from '../src/shared/index.ts';
import { createDaemonServer } from '../src/transport/index.ts';
import { applyInterceptors, createRouter, createServiceRegistry, createUpstreamHandler, type CallHandler } from '../src/pipeline/index.ts';
import { createCallMetrics, createDaemonMetrics, serviceTimer } from '../src/ops/index.ts';
import { errorFromUnknown } from '../src/errors/index.ts';
import { grpcStatusFromError } from '../src/transport/index.ts';
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
const withMetrics = process.argv[5] === 'metrics' || process.argv[5] === 'metrics-no-process';
let handler: CallHandler;
let metrics: ReturnType<typeof createDaemonMetrics> | undefined;
if (withMetrics) {
  metrics = createDaemonMetrics({ version: 'bench', knownMethods: registry.paths(), processMetrics: process.argv[5] === 'metrics' });
  const callMetrics = createCallMetrics(metrics, {
    paymentsEnabled: false,
    isDaemonMethod: (path) => registry.lookup(path) !== undefined,
    statusOf: (error) => grpcStatusFromError(errorFromUnknown(error, 'call')).code,
  });
  handler = applyInterceptors(createRouter({ registry, fallback: applyInterceptors(createUpstreamHandler(upstream), [serviceTimer]) }), [callMetrics.outer]);
} else {
  handler = createRouter({ registry, fallback: createUpstreamHandler(upstream) });
}
const server = createDaemonServer({ logger, handler }, { host: '127.0.0.1', port: 0, maxMessageBytes: 16 << 20 });
metrics?.readTransportFrom(() => server.stats());
// A scrape every 15 s, as a Prometheus server would do.
if (metrics !== undefined) setInterval(() => void metrics.render(), 15_000).unref();
const { port } = await server.listen();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => {
  void server.close(1000).then(() => upstream.close()).then(() => process.exit(0));
});
